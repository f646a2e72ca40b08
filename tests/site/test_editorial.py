"""`failsite review`: the editorial queue as text and JSON, exit status 0, for a site in every review state."""

from __future__ import annotations

import json


from conftest import CONFIG, REGISTRY, SiteMaker, run_cli, talk
from failsite.privacy.publish import reason_kind

DEBRIEF = """\
---
title: {title}
date: 2026-03-01
format: aar
visibility: {visibility}
status: {status}
review_by: {review_by}
---
Body.
"""


def _site(make_site: SiteMaker):  # type: ignore[no-untyped-def]
    return make_site({
        "people.yaml": REGISTRY,
        "content/talks/approved.md": talk("Approved story", visibility="public"),
        "content/talks/waiting.md": talk("Waiting story", visibility="public", status="in-review"),
        "content/talks/internal.md": talk("Internal story", status="in-review"),
        "content/talks/secret.md": talk("Secret story", visibility="restricted"),
        "content/talks/drafted.md": talk("Drafted story", draft="true"),
        "content/talks/consent.md": talk("Consent story", consent_given="\n  - person: Named Person\n"
                                         "    date: 2026-01-01\n    expires: 2026-06-20"),
        "content/debriefs/old.md": DEBRIEF.format(title="Old review", visibility="internal", status="approved",
                                                  review_by="2026-05-01"),
    }, CONFIG)


def test_the_queue_lists_each_section_and_what_each_audience_gets(make_site: SiteMaker) -> None:
    code, output = run_cli("review", str(_site(make_site)), "--today", "2026-06-01")
    assert code == 0
    sections = output.split("\n\n")
    assert sections[0] == "Editorial queue of T, as of 2026-06-01"
    in_review = sections[1].splitlines()
    assert in_review[0] == "In review (2)"
    assert any(line.startswith('  content/talks/waiting.md  "Waiting story"  in review since ') for line in in_review)
    assert sections[2].splitlines() == ["Published internally, not approved for public (1)",
                                        '  content/talks/waiting.md  "Waiting story"  published internally; a public '
                                        'build needs it approved']
    assert sections[3].splitlines() == ["Consent records expiring within 30 days (1)",
                                        '  content/talks/consent.md:6  "Consent story"  consent of Named Person '
                                        'expires on 2026-06-20 (19 days left)']
    assert sections[4].splitlines() == ["Past their review date (1)",
                                        '  content/debriefs/old.md  "Old review"  was due for review on 2026-05-01 '
                                        '(31 days ago)']
    counts = sections[5].splitlines()
    assert counts[1] == ("  public     1 published, 6 left out: 2 review status in-review, 2 visibility internal, "
                         "1 draft, 1 visibility restricted")
    assert counts[2] == "  internal   5 published, 2 left out: 1 draft, 1 visibility restricted"
    assert counts[3] == "  restricted 6 published, 1 left out: 1 draft"


def test_the_queue_as_json_for_scripts(make_site: SiteMaker) -> None:
    code, output = run_cli("review", str(_site(make_site)), "--today", "2026-06-01", "--format", "json")
    assert code == 0
    queue = json.loads(output)
    assert queue["day"] == "2026-06-01"
    assert sorted(e["path"] for e in queue["in_review"]) == ["content/talks/internal.md", "content/talks/waiting.md"]
    assert queue["expiring_consent"][0]["days"] == 19
    public = queue["audiences"][0]
    assert public["audience"] == "public" and public["published"] == 1
    assert ["content/talks/drafted.md", "it is a draft"] in public["items_left_out"]


def test_a_site_with_errors_exits_1_and_says_why(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/a.md": talk(patterns="[concret]")})
    code, output = run_cli("review", str(site))
    assert code == 1 and "unknown value 'concret'" in output and "Traceback" not in output


def test_reasons_are_counted_by_kind() -> None:
    assert reason_kind("it expired on 2026-01-01") == "expired"
    assert reason_kind("consent was withdrawn on 2026-01-01 (the consent record at line 7)") == "consent withdrawn"
    assert reason_kind("it mentions Hidden Person (people[3]), who has withheld consent") == "consent withheld"
    assert reason_kind("it is a private entry of another owner (or of none), and this build is for one owner's "
                       "log") == "another owner"
