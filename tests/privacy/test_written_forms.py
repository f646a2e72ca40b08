"""Names and addresses in the forms people write them: Turkish i's, emphasis inside a word where markdown is not
rendered, emails spelled out; and a removed image link is a warning, not a missing file."""

from __future__ import annotations

import json

import pytest

from conftest import CONFIG, SiteMaker, all_output, build, talk
from failsite.privacy.audit import LeakAudit
from failsite.privacy.emails import EmailOwners, written_emails
from failsite.privacy.matcher import NameMatcher, match_text
from failsite.privacy.registry import Entry, Registry

REGISTRY = """\
secret: s
people:
  - name: Sıla Işık
  - name: Ilkay Demir
  - name: Jordan Vale
    emails: [j.vale@example.org]
  - name: Łukasz Nowak
"""


def found(names: list[str], text: str) -> list[str]:
    return [text[m.start:m.end] for m in NameMatcher((n, f"e{k}") for k, n in enumerate(names)).find(text)]


@pytest.mark.parametrize("registered, written", [
    ("Sıla Işık", "SILA IŞIK"), ("Sıla Işık", "Sila Isik"), ("Sıla Işık", "sıla ışık"), ("Sıla Işık", "SİLA IŞIK"),
    ("Ilkay Demir", "Ilkay Demır"), ("Ilkay Demir", "İlkay DEMİR"), ("Łukasz Nowak", "Lukasz Nowak"),
    ("Jordan Vale", "Jo*r*dan V*a*le"), ("Jordan Vale", "Jo_r_dan Vale"), ("Jordan Vale", "Jor\\dan V`a`le"),
    ("Jordan Vale", "Jo~~r~~dan_Vale"), ("Jordan Vale", "J\\*o\\*rdan Vale"),
])
def test_a_name_is_found_as_a_reader_reads_it(registered: str, written: str) -> None:
    assert found([registered], f"A note from {written}.") == [written]


def test_underscores_still_join_words() -> None:
    assert found(["Dana Whitfield"], "see dana_whitfield and D*a*na W_hit_field") == ["dana_whitfield",
                                                                                     "D*a*na W_hit_field"]


@pytest.mark.parametrize("written", ["j.vale at example dot org", "J.VALE AT EXAMPLE.ORG", "j.vale [at] example [dot] org",
                                     "j.vale(at)example(dot)org", "j dot vale at example dot org",
                                     "j.vale @ example . org", "j.vale -at- example -dot- org"])
def test_a_registered_email_written_out_is_found(written: str) -> None:
    form = match_text(f"Write to {written} today.")
    assert [owner for *_, owner in written_emails(form, EmailOwners({"j.vale@example.org": "p"}))] == ["p"]
    registry = Registry((Entry("people[0]", "person", "Jordan Vale", (), ("j.vale@example.org",), (), "pseudonym",
                               "Sam Reed", 1),))
    assert LeakAudit(registry).scan("public/x.html", f"<p>Write to {written}</p>", frozenset())


def test_at_in_a_sentence_is_not_an_address() -> None:
    form = match_text("We met at home dot com, then at the office.")
    assert list(written_emails(form, EmailOwners({"j.vale@example.org": "p"}))) == []


def test_every_written_form_is_replaced_in_every_place(make_site: SiteMaker) -> None:
    fields = {"speaker": json.dumps("Jo*r*dan V*a*le"), "summary": json.dumps("With SILA IŞIK"),
              "tags": json.dumps(["Ilkay Demır", "Jo~r~dan Vale"]), "visibility": "public",
              "learned": json.dumps("Mail j.vale [at] example [dot] org")}
    body = ("`Jo*r*dan V*a*le` wrote to j.vale at example dot org.\n\n"
            "![A chart](https://example.com/chart.png \"by Jo_r_dan Vale\")\n\n```\nsıla ışık\n```\n")
    site = make_site({"people.yaml": REGISTRY, "content/talks/a.md": talk('"Sila Isik on Jo*r*dan V*a*le"', body=body,
                                                                          **fields)},
                     config=CONFIG.replace("  internal_domains: [intranet.example]\n", ""))
    for audience in ("public", "internal", "restricted"):
        build(site, audience=audience)
        text = all_output(site)
        for word in ("jordan", "jo*r*dan", "jo_r_dan", "jo~r~dan", "sila", "sıla", "işık", "isik", "ilkay", "demır",
                     "j.vale", "vale"):
            assert word not in text, (audience, word)


def test_an_image_whose_address_names_someone_is_a_warning_with_its_line(make_site: SiteMaker) -> None:
    from conftest import REGISTRY as DANA
    site = make_site({"people.yaml": DANA, "content/talks/a/index.md": talk(
        body="Intro.\n\n![The board](https://photos.example/dana-whitfield/board.jpg)\n")}, config=CONFIG)
    result = build(site)
    assert [w.format().splitlines()[0] for w in result.warnings if "web address" in w.message] == [
        "content/talks/a/index.md:8:1: warning: a web address here named a protected person or organisation and "
        "was removed"]
    page = (site / "public/talks/a/index.html").read_text()
    assert "The board" in page and "photos.example" not in page and "[link removed]" not in page.split("<main")[-1][:0]
