"""Stable hashes: the keys of the build cache and the up-to-date stamp."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from failsite.engine.fingerprint import digest

# Text with separators, digits and lone surrogates (a file name can hold one); bytes; values hashed by their repr.
PART = st.one_of(st.text(alphabet=st.characters(blacklist_categories=()), max_size=12), st.binary(max_size=12),
                 st.integers(-5, 5), st.none(), st.tuples(st.text(max_size=3), st.integers(0, 3)))


@given(st.lists(PART, max_size=4), st.lists(PART, max_size=4))
def test_two_different_lists_of_parts_never_hash_alike(first: list[object], second: list[object]) -> None:
    same = len(first) == len(second) and all(type(a) is type(b) and a == b for a, b in zip(first, second))
    assert (digest(*first) == digest(*second)) == same


def test_text_bytes_and_reprs_are_told_apart() -> None:
    assert len({digest("ab"), digest("a", "b"), digest(b"ab"), digest("'ab'"), digest(("ab",)), digest("a\x00b"),
                digest("1"), digest(1)}) == 8
    assert digest("a\ud800") != digest("a")  # a lone surrogate is hashed, not an error
