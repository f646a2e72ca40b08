"""Protected names in every Unicode form and disguise: replaced in the output, found by the audit."""

from __future__ import annotations

import json
import os
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SiteMaker, build, build_errors, html, talk, text_of
from failsite.privacy.audit import LeakAudit
from failsite.privacy.matcher import _FORMS, NameMatcher, fold, match_text, name_words
from failsite.privacy.registry import Entry, Registry

SOFT_HYPHEN, ZERO_WIDTH, JOINER, WORD_JOINER, NBSP, NARROW_NBSP = "\u00ad", "\u200b", "\u200d", "\u2060", "\u00a0", "\u202f"


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else ("\u3000" if c == " " else c) for c in text)


def inside(text: str, char: str) -> str:
    """The character put after the second letter of every word."""
    return " ".join(word[:2] + char + word[2:] for word in text.split(" "))


def intraword(text: str, mark: str) -> str:
    """The third letter of every word of four letters or more between two marks: `Bj*ö*rn`."""
    return " ".join(w[:2] + mark + w[2] + mark + w[3:] if len(w) > 3 else w for w in text.split(" "))


# Each way a person's name reaches a file without a person meaning to hide it.
FORMS = {
    "nfc": lambda n: unicodedata.normalize("NFC", n),
    "nfd": nfd,
    "soft-hyphen": lambda n: inside(n, SOFT_HYPHEN),
    "zero-width-space": lambda n: inside(n, ZERO_WIDTH),
    "zero-width-joiner": lambda n: inside(n, JOINER),
    "word-joiner": lambda n: inside(n, WORD_JOINER),
    "no-break-space": lambda n: n.replace(" ", NBSP),
    "narrow-no-break-space": lambda n: n.replace(" ", NARROW_NBSP),
    "fullwidth": fullwidth,
    "nfd-and-soft-hyphen": lambda n: inside(nfd(n), SOFT_HYPHEN),
    "upper": str.upper,
    # Turkish i's: the dotless ı for i, the dotted İ for a capital I, and the whole name in capitals
    "dotless-i": lambda n: n.replace("i", "ı"),
    "dotted-capital-i": lambda n: n.upper().replace("I", "İ"),
    # markdown's emphasis, strikethrough, code and escape characters inside a word
    "intraword-emphasis": lambda n: intraword(n, "*"),
    "intraword-underscore": lambda n: intraword(n, "_"),
    "intraword-strikethrough": lambda n: intraword(n, "~~"),
    "intraword-code": lambda n: intraword(n, "`"),
    "intraword-escape": lambda n: " ".join(w[:2] + "\\" + w[2:] for w in n.split(" ")),
}


def reader_form(text: str) -> str:
    """What a reader sees, written independently of failsite's matcher: compatibility forms and accents
    resolved, invisible format characters dropped, every space a space, lower case. (ASCII is its own reader form
    but for case: only the runs of other characters are resolved one by one.)"""
    return _NON_ASCII.sub(lambda run: _reader_run(run.group()), text).casefold().replace("ı", "i")  # a reader reads
    # the dotless i as an i


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _reader_run(text: str) -> str:
    text = "".join(" " if unicodedata.category(c) == "Zs" else c for c in text)
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c) and unicodedata.category(c) != "Cf")


def matches(names: list[str], text: str) -> list[str]:
    matcher = NameMatcher((n, f"e{k}") for k, n in enumerate(names))
    return [text[m.start:m.end] for m in matcher.find(text)]


@pytest.mark.parametrize("form", FORMS)
def test_every_form_of_a_multi_word_name_matches_whole(form: str) -> None:
    written = FORMS[form]("Björn Åkesson")
    assert matches(["Björn Åkesson"], f"I met {written} today.") == [written]


def test_a_decomposed_accent_after_the_last_letter_is_replaced_with_it() -> None:
    written = nfd("Zoë")
    text = f"Ask {written}."
    assert matches(["Zoë"], text) == [written]


@pytest.mark.parametrize("registered, written", [
    ("Dr. (Bob) [Smith]", "Dr. (Bob) [Smith"),
    ("Zoë 🚀 Núñez", "Zoë 🚀 Núñez"),
    ("Zoë 🚀 Núñez", "Zoe Nunez"),
    ("ﬁona Reid", "Fiona Reid"),
    ("Fiona Reid", "ﬁona Reid"),
    ("Dana Whitfield", "Dаna Whitfield"),  # a Cyrillic а
    ("Straße", "STRASSE"),
    ("Dana Whitfield", "DANA\nWHITFIELD"),
])
def test_names_with_symbols_ligatures_and_lookalikes_match(registered: str, written: str) -> None:
    assert matches([registered], f"x {written} y") == [written]


def test_fold_and_name_words_use_one_canonical_form() -> None:
    assert fold("ＤＡＮＡ") == "dana" and fold(nfd("Björn")) == "bjorn" and fold("Da\u00adna") == "dana"
    assert name_words("ﬁona  O’Neill") == ("fiona", "o", "neill")


def test_ordinary_words_are_not_names() -> None:
    assert matches(["Ann Lee"], "The annex and the leeway.") == []
    assert matches(["Dana"], "Danaë and Adana") == []


def audit(text: str) -> list[str]:
    registry = Registry((Entry("people[0]", "person", "Björn Åkesson", ("Björn",), ("bjorn@example.com",),
                               ("+44 161 496 0718",), "pseudonym", "Alex Birch", 1),))
    return [d.message for d in LeakAudit(registry).scan("public/x.html", text, frozenset())]


@pytest.mark.parametrize("form", FORMS)
def test_the_audit_finds_every_form(form: str) -> None:
    assert audit(f"<p>{FORMS[form]('Björn Åkesson')}</p>")


@pytest.mark.parametrize("text", [
    "<p>Bjorn<br>Akesson</p>", "<td>Björn</td><td>Åkesson</td>", "call +441614960718", "call 0161 496 0718",
    "call (0161) 496-0718", "mail ｂｊｏｒｎ＠example.com", "Bj&ouml;rn",
])
def test_the_audit_finds_split_encoded_and_reformatted_identifiers(text: str) -> None:
    assert audit(text)


def test_the_registry_refuses_what_cannot_be_matched_reliably(make_site: SiteMaker) -> None:
    registry = ("secret: s\npeople:\n  - name: \"Dana \\u202eWhitfield\"\n  - name: Kim Ode\n    aliases: [K]\n"
                "    emails: [kim-at-example]\n    phones: [\"12 34\"]\n")
    site = make_site({"people.yaml": registry, "content/talks/a.md": talk()},
                     config="title: T\nanonymise:\n  registry: people.yaml\n")
    errors = build_errors(site)
    assert any("bidirectional control character" in e and "people[0]" in e for e in errors)
    assert any("alias 'K' of people[1] is a single letter" in e for e in errors)
    assert any("'kim-at-example' of people[1] is not an email address" in e for e in errors)
    assert any("'12 34' of people[1] has fewer than 7 digits" in e for e in errors)


def test_a_bidi_override_in_a_story_is_an_error_with_its_line(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/a.md": talk(body="Fine line.\nThen Whit\u202edleif hides.\n")})
    assert build_errors(site) == ["content/talks/a.md:7:10: error: a bidirectional control character (U+202E) makes "
                                  "this line display in another order than it is written"]


REGISTRY = """\
secret: test-secret
people:
  - name: Björn Åkesson
    aliases: [Björn]
    emails: [bjorn.akesson@example.com]
    phones: ["+44 161 496 0718"]
  - name: Zoë Núñez
  - name: Priya Okafor
    aliases: [Priya]
    consent: named
    named_in: [internal]
  - name: Sıla Işık
"""
CONFIG = "title: T\nbase_url: https://x.example/\nanonymise:\n  registry: people.yaml\n"
# What must never be published, in reader form (Priya is named for the internal audience only).
PROTECTED = {"public": ["bjorn", "akesson", "zoe", "nunez", "priya", "okafor", "bjorn.akesson@", "4960718", "sila", "isik"],
             "internal": ["bjorn", "akesson", "zoe", "nunez", "bjorn.akesson@", "4960718", "sila", "isik"],
             "restricted": ["bjorn", "akesson", "zoe", "nunez", "bjorn.akesson@", "4960718", "priya", "okafor", "sila",
                            "isik"]}
NAMES = ["Björn Åkesson", "Björn", "Zoë Núñez", "Priya Okafor", "Sıla Işık", "bjorn.akesson@example.com",
         "+441614960718"]


def published_text(site: Path) -> str:
    """Every output file's path and text (compressed search files decompressed), in reader form, and once more as a
    reader reads markdown's characters inside a word (`bj*o*rn` is bjorn)."""
    from conftest import all_output
    text = reader_form(all_output(site))
    return text + "\n" + re.sub(r"(?<=[^\W_])[*_~`\\]+(?=[^\W_])", "", text)


def written(name: str, mark: str) -> str:
    """A name in the body: emphasised, in code, in a heading, or as an image's title and address."""
    if mark == "![":
        return f'![A photo](<https://photos.example/{name}.jpg> "{name}")'
    if mark == "code":
        return f"\n\n```\n{name}\n```\n\n"
    return f"{mark}{name}{mark if mark in ('**', '_', '`') else ''}"


@settings(max_examples=int(os.environ.get("FAILSITE_FUZZ_EXAMPLES", "25")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(st.tuples(st.sampled_from(NAMES), st.sampled_from(list(FORMS)),
                                st.sampled_from(["", "**", "_", "`", "[", "## ", "![", "code"]),
                                st.sampled_from(["Plain words.", "- an item", "> quoted", "| a | b |\n|---|---|\n| c |",
                                                 "Text with a [link](https://example.org).", ""])),
                      min_size=1, max_size=6),
       title=st.tuples(st.sampled_from(NAMES[:4]), st.sampled_from(list(FORMS))),
       field=st.tuples(st.sampled_from(NAMES), st.sampled_from(list(FORMS))))
def test_registry_names_in_any_form_never_reach_any_output(make_site: SiteMaker, parts, title, field) -> None:  # type: ignore[no-untyped-def]
    body = "\n\n".join(f"{filler}\n\n{written(FORMS[form](name), mark)} said so." for name, form, mark, filler in parts)
    fields = {"summary": json.dumps(f"With {FORMS[field[1]](field[0])}", ensure_ascii=False),
              "speaker": json.dumps(FORMS[field[1]](field[0]), ensure_ascii=False),
              "learned": json.dumps(FORMS[field[1]](field[0]), ensure_ascii=False), "visibility": "public",
              "tags": json.dumps([FORMS[field[1]](field[0])], ensure_ascii=False)}
    site = make_site({"people.yaml": REGISTRY,
                      "content/talks/story.md": talk(json.dumps(f"{FORMS[title[1]](title[0])} story",
                                                                ensure_ascii=False), body=body, **fields)},
                     config=CONFIG, name="forms")
    for audience in ("public", "internal", "restricted"):
        build(site, audience=audience)
        text = published_text(site)
        for word in PROTECTED[audience]:  # (the pattern only where the word is there at all: a faster look)
            assert word not in text or re.search(rf"(?<![^\W_]){re.escape(word)}(?![^\W_])", text) is None, \
                (audience, word)


def test_a_name_written_decomposed_is_replaced_in_the_page(make_site: SiteMaker) -> None:
    site = make_site({"people.yaml": REGISTRY,
                      "content/talks/a.md": talk(json.dumps(nfd("Zoë Núñez's launch")), body=f"{nfd('Zoë Núñez')} spoke.")},
                     config=CONFIG)
    build(site)
    page = html(site, "talks/a/index.html")
    assert "Zo" not in text_of(page.find("h1")) and "Zo" not in text_of(page.select_one(".prose"))


def reference_fold(text: str) -> str:
    """match_text's folded form worked out one character at a time, as it was first written."""
    lowered = text.replace("\u0130", "I").lower()
    return "".join(c if c.isascii() else _FORMS[c] for c in lowered)


@given(st.text(alphabet=st.sampled_from("aZ 9-—’…·é\u0301\u00ad\u200bＤİßﬁ→😀аΑ\n"), max_size=60) | st.text(max_size=40))
def test_match_form_is_the_form_of_each_character_in_turn(text: str) -> None:
    form = match_text(text)
    assert form.folded == reference_fold(text)
    if form.positions is not None:
        assert len(form.positions) == len(form.folded)


_WORD, _GAP = re.compile(r"[^\W_]+"), re.compile(r"[\W_]{1,12}")


def reference_find(names: list[str], text: str) -> list[tuple[int, int, str]]:
    """Matches as first written: every name checked from each whole-word start, longest first."""
    folded = fold(text) if text.isascii() else None
    if folded is None:
        return []
    candidates = sorted(((name_words(n), f"e{k}") for k, n in enumerate(names) if name_words(n)),
                        key=lambda c: -len(c[0]))
    found, cursor = [], 0
    for word in _WORD.finditer(folded):
        if word.start() < cursor:
            continue
        words = list(_WORD.finditer(folded, word.start()))
        for name, entry in candidates:
            if len(name) <= len(words) and all(words[k].group() == name[k] for k in range(len(name))) and all(
                    _GAP.fullmatch(folded, words[k - 1].end(), words[k].start()) for k in range(1, len(name))):
                found.append((word.start(), words[len(name) - 1].end(), entry))
                cursor = words[len(name) - 1].end()
                break
    return found


NAME_WORDS = ["dana", "whitfield", "dana-lee", "kwame", "osei", "ann", "lee"]


@given(names=st.lists(st.lists(st.sampled_from(NAME_WORDS), min_size=1, max_size=3).map(" ".join), min_size=1,
                      max_size=6, unique=True),
       text=st.lists(st.sampled_from(NAME_WORDS + ["and", " ", "  ", ", ", "-", "_", "!" * 13, "\n", "x"]),
                     max_size=25).map(" ".join))
def test_names_are_found_as_the_plain_longest_first_search_finds_them(names: list[str], text: str) -> None:
    matcher = NameMatcher((n, f"e{k}") for k, n in enumerate(names))
    assert [(m.start, m.end, m.entry) for m in matcher.find(text)] == reference_find(names, text)
