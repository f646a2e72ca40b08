"""Pagefind's filter indexes rewritten in one order: the same pages give the same bytes on every build."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from conftest import SiteMaker, build, talk, tree_digest
from failsite.engine.cbor import CborMap, cbor_decode, cbor_encode

VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-2**63, 2**64 - 1) | st.text() | st.binary()
    | st.floats(allow_nan=False),
    lambda inner: st.lists(inner, max_size=5) | st.lists(st.tuples(st.text(), inner), max_size=4).map(CborMap),
    max_leaves=20)


@given(VALUES)
def test_cbor_reads_back_what_it_writes(value: object) -> None:
    data = cbor_encode(value)
    decoded, end = cbor_decode(data)
    assert end == len(data) and decoded == value


def test_known_cbor_forms() -> None:  # RFC 8949, appendix A
    assert cbor_encode(0) == b"\x00" and cbor_encode(24) == b"\x18\x18" and cbor_encode(1000) == b"\x19\x03\xe8"
    assert cbor_encode(-1) == b"\x20" and cbor_encode("IETF") == b"\x64IETF"
    assert cbor_encode([1, [2, 3]]) == b"\x82\x01\x82\x02\x03"


def test_two_cold_builds_write_the_same_search_index(make_site: SiteMaker) -> None:
    files = {f"content/talks/t{n}.md": talk(f"Talk {n}", patterns=f"[{p}]", teams=f"[Team {n % 3}]")
             for n, p in enumerate(["concrete", "perceived", "identity", "paralysis", "circumstantial"] * 3)}
    first, second = make_site(files, name="first"), make_site(files, name="second")
    build(first, use_cache=False)
    build(second, use_cache=False)
    index = tree_digest(first / "public/pagefind")
    assert any(path.startswith("filter/") for path in index)
    assert index == tree_digest(second / "public/pagefind")
