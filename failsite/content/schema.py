"""The content types and their front-matter fields, in one place.

Each field has a kind that says how its YAML node becomes a value, whether it is required,
and a one-line doc used both in error hints and in the archetypes of `failsite new`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from failsite.errors import Diagnostic, did_you_mean, error
from failsite.content.dates import PartialDay, partial_date
from failsite.content.slugs import slugify
from failsite.content.yamlnodes import YAML_TRUE, YamlNode


@dataclass(frozen=True)
class Field:
    """One front-matter field: its name, kind, whether it is required, and what it means."""

    name: str
    kind: str  # string, date, partial_date, datetime, bool, int, strings, choice, terms, link, links, records, record,
    # mapping, url, resource
    doc: str
    required: bool = False
    choices: tuple[str, ...] = ()
    example: str = ""  # YAML text shown in archetypes
    subfields: tuple["Field", ...] = ()
    taxonomy: str = ""  # for kind == "terms"
    markdown: bool = False  # prose: shown as markdown (inline, or paragraphs when it has blank lines)


@dataclass(frozen=True)
class LinkRef:
    """A link to another source file, as written in front matter or markdown."""

    target: str
    line: int


@dataclass(frozen=True)
class ContentType:
    """A content type: the folder it lives in, its label and its own fields."""

    name: str  # singular: talk
    folder: str  # plural folder under content/: talks
    label: str  # human plural: Talks
    fields: tuple[Field, ...]
    dated: bool = True


ACTION_STATUSES = ("open", "in-progress", "done", "dropped", "wont-do", "unknown")
CLOSED_ACTION_STATUSES = ("done", "dropped", "wont-do")  # no longer asked of anyone; `unknown` is never overdue
REPORT_STATUSES = ("draft", "final")
REVIEW_STATUSES = ("draft", "in-review", "approved")  # in order: an audience accepts a status and those after it
ACTION_KINDS = ("mitigate", "prevent", "process")  # a site may name its own (site.yaml `debriefs.action_kinds`)
SEVERITIES = ("critical", "major", "minor")  # likewise (`debriefs.severities`)
# `impact-start` and `impact-end` bound the impact: time to detect and to resolve are measured from its start.
TIMELINE_KINDS = ("impact-start", "detection", "escalation", "mitigation", "resolution", "impact-end")
# The visibilities of items, in order: an audience sees items whose visibility is at or below its own. `private`
# is for personal failure logs: never in a shared build, only in one for `--audience private` or `--owner`.
AUDIENCES = ("public", "internal", "restricted", "private")
SHARED_AUDIENCES = AUDIENCES[:3]
VISIBILITIES = AUDIENCES


def naming_audience(audience: str) -> str:
    """The audience whose consent to be named applies to a build: a private build names as a restricted one does."""
    return "restricted" if audience == "private" else audience
CONTROL_LEVELS = ("fully", "partially", "outside")

COMMON_FIELDS: tuple[Field, ...] = (
    Field("title", "string", "the title shown on the page and in lists", required=True),
    Field("summary", "string", "one or two sentences shown in lists, feeds and meta tags",
          example="One sentence on what happened and what it taught."),
    Field("draft", "bool", "true keeps the item out of the build unless --drafts is given (the same as status: draft)",
          example="false"),
    Field("status", "choice", "where the story is in review: draft, in-review or approved (default approved; "
          "site.yaml `review:` says which audience needs which)", choices=REVIEW_STATUSES),
    Field("reviewed_by", "string", "who reviewed it (anonymised like every name)"),
    Field("approved_on", "date", "when it was approved for publishing"),
    Field("review_note", "string", "what the reviewer asked the author to change when sending the story back "
          "(never published)", markdown=True),
    Field("slug", "string", "the last part of the URL (default: the file name)"),
    Field("aliases", "strings", "old addresses of this item, as paths from the site's root (/blog/2024/old-title/): "
          "each keeps working and sends the reader here"),
    Field("type", "choice", "overrides the type given by the folder"),
    Field("patterns", "terms", "failure patterns: concrete, circumstantial, perceived, identity, paralysis",
          taxonomy="patterns", example="[concrete]"),
    Field("responses", "terms", "responses to the failure: avoidance, rumination, analysis",
          taxonomy="responses", example="[analysis]"),
    Field("barriers", "terms", "barriers to learning: shame, confirmation bias, hindsight bias, premature closure",
          taxonomy="barriers", example="[]"),
    Field("practices", "terms", "practices used (the type's own practice is added for you)",
          taxonomy="practices", example="[]"),
    Field("tags", "terms", "free tags", taxonomy="tags", example="[]"),
    Field("teams", "terms", "teams involved", taxonomy="teams", example="[]"),
    Field("events", "terms", "events or talk seasons", taxonomy="events"),
    Field("visibility", "choice", "who may see it: public, internal (default), restricted, or private (a personal "
          "log entry, built only with --audience private or --owner)",
          choices=VISIBILITIES, example="internal"),
    Field("consent", "choice", "withheld keeps the item out of every build; pseudonym pseudonymises everyone in it",
          choices=("withheld", "pseudonym")),
    Field("anonymous", "bool", "true pseudonymises even people who consented to be named"),
    Field("consent_given", "records", "who agreed to this story being published, for which audiences and until when "
          "(a record withdrawn takes the story out of every build)",
          example="\n  - person: Jordan Example\n    audiences: [internal]\n    date: {date}",
          subfields=(
              Field("person", "string", "who gave consent: their name or id in the registry", required=True),
              Field("audiences", "strings", "the audiences they agreed to be named for: public, internal, restricted "
                    "(default all three)"),
              Field("date", "date", "when they agreed", required=True),
              Field("expires", "date", "the last day the consent holds"),
              Field("withdrawn", "date", "when they withdrew it: the story leaves every build from the next one"),
          )),
    Field("review_by", "date", "when the item should be reviewed again (check warns after this date)"),
    Field("expires", "date", "after this date the item is left out of every output"),
    Field("extra", "mapping", "free-form data for your own templates"),
)

_DATE = Field("date", "date", "when it happened or was given (YYYY-MM-DD)", required=True, example="{date}")
# What a facilitator needs of a story: shown to the restricted audience and in the printed kit (`discussion` also
# on participant handouts, `content_notes` never).
_FACILITATION = (
    Field("discussion", "strings", "questions for a group discussing the story (shown in a restricted build and on "
          "the printed handouts and facilitator packs)", markdown=True,
          example="\n  - What did the storyteller know, and when?"),
    Field("content_notes", "strings", "what a facilitator should know before using it (grief, job loss, ...)",
          markdown=True),
)

# Whether a story recurs an earlier review whose fix was done (site.recurrence): an author's word on a suggestion.
_RECURRENCE = (
    Field("recurs", "links", "earlier reviews this story is a recurrence of (relative links to their files): shown "
          "even when the texts are not alike enough to be suggested"),
    Field("not_recurring", "links", "earlier reviews suggested as recurring here that are not (relative links to "
          "their files): the suggestion is no longer shown"),
)

CONTENT_TYPES: dict[str, ContentType] = {
    t.name: t
    for t in (
        ContentType("talk", "talks", "Talks", (
            _DATE,
            Field("speaker", "string", "who gave the talk", required=True, example="Jordan Example"),
            Field("event", "string", "the event or season it was part of", example="FailLab Spring 2026"),
            Field("learned", "string", "what the speaker learned", example="|\n  What I learned.", markdown=True),
            Field("differently", "string", "what the speaker would do differently",
                  example="|\n  What I would do differently.", markdown=True),
            Field("recording", "resource", "the recording: a video file in the story's folder, or its address on "
                  "your video service"),
            Field("slides", "resource", "the slides: a file in the story's folder (slides.pdf), or their address"),
            Field("transcript", "resource", "the transcript: a file in the story's folder, or its address"),
            Field("duration", "int", "how long the talk ran, in minutes"),
            *_FACILITATION,
        )),
        ContentType("debrief", "debriefs", "Debriefs", (
            _DATE,
            Field("format", "choice", "the kind of review", required=True,
                  choices=("aar", "postmortem", "premortem"), example="aar"),
            Field("team", "string", "the team that held the review", example="Platform"),
            Field("intended", "string", "what we intended to happen", example="|\n  The intended outcome.", markdown=True),
            Field("actual", "string", "what actually happened", example="|\n  What actually happened.", markdown=True),
            Field("whys", "strings", "the 5-whys chain, one why per entry, down to the root cause",
                  example="\n  - Why did it happen?\n  - Why was that?", markdown=True),
            Field("root_cause", "string", "the root cause (default: the last why)", markdown=True),
            Field("chains", "records", "more than one causal chain: each its own why-ladder down to its own root cause "
                  "(use instead of `whys` when the review found several; chains may share their first why)",
                  subfields=(
                      Field("title", "string", "what the chain explains, e.g. 'Why the deploy broke checkout'"),
                      Field("whys", "strings", "the chain, one why per entry", required=True, markdown=True),
                      Field("root_cause", "string", "its root cause (default: its last why)", markdown=True),
                  )),
            Field("differently", "strings", "what we will do differently", example="\n  - One change we will make", markdown=True),
            Field("factors", "records", "contributing factors and how far they were in our control",
                  example="\n  - factor: A contributing factor\n    control: partially",
                  subfields=(
                      Field("factor", "string", "the contributing factor", required=True, markdown=True),
                      Field("control", "choice", "fully, partially or outside our control", required=True,
                            choices=CONTROL_LEVELS),
                  )),
            Field("actions", "records", "action items",
                  example="\n  - id: ACT-1\n    what: The action\n    owner: Jordan Example\n    due: {date}\n"
                          "    status: open",
                  subfields=(
                      Field("id", "string", "a stable id, unique across the site (e.g. the tracker's ticket number)"),
                      Field("what", "string", "the action", required=True, markdown=True),
                      Field("owner", "string", "who owns it"),
                      Field("due", "date", "when it is due"),
                      Field("status", "choice", "open, in-progress, done, dropped, wont-do (decided against) or "
                            "unknown (never published; never counted overdue)", choices=ACTION_STATUSES),
                      Field("kind", "choice", "mitigate, prevent or process (a site can name its own)",
                            choices=ACTION_KINDS),
                      Field("link", "url", "the ticket in your tracker"),
                      Field("completed", "date", "when it was done"),
                  )),
            Field("timeline", "records", "what happened when, oldest first",
                  example="\n  - at: {date} 09:12 +00:00\n    event: Alerts fire for the checkout service\n"
                          "    kind: detection",
                  subfields=(
                      Field("at", "datetime", "when: a date, or a date and time with its zone (2026-03-01 09:12 +01:00)",
                            required=True),
                      Field("event", "string", "what happened", required=True, markdown=True),
                      Field("kind", "choice", "impact-start, detection, escalation, mitigation, resolution or "
                            "impact-end (time to detect and to resolve are measured from impact-start)",
                            choices=TIMELINE_KINDS),
                      Field("approximate", "bool", "true when the time is an estimate ('around 23:00'): shown, and "
                            "any figure measured from it, with 'about'"),
                  )),
            Field("impact", "string", "who and what was affected, and how much", example="|\n  The impact.", markdown=True),
            Field("severity", "choice", "how severe it was (a site can name its own levels)", choices=SEVERITIES),
            Field("trigger", "string", "what set it off", markdown=True),
            Field("detection", "string", "how it was noticed", markdown=True),
            Field("went_well", "strings", "what went well", markdown=True),
            Field("lucky", "strings", "where we got lucky", markdown=True),
            Field("authors", "strings", "who wrote the review (names are anonymised like everything else)"),
            Field("links", "records", "the incident ticket, dashboards, documents",
                  subfields=(
                      Field("title", "string", "what the link is", required=True),
                      Field("url", "url", "where it is", required=True),
                  )),
            Field("premortem", "link", "the pre-mortem this review follows (a relative link to its file)"),
            Field("report_status", "choice", "where the review document itself stands, as its authors marked it: "
                  "draft or final", choices=REPORT_STATUSES),
            Field("actions_as_of", "date", "the day the action statuses were last brought up to date: an archived "
                  "review's actions are judged as of that day, never overdue after it"),
            Field("actions_tracked_in", "string", "where the actions are tracked instead (a tracker's name or "
                  "address): the actions are shown as the review wrote them and never counted overdue"),
            *_RECURRENCE,
            *_FACILITATION,
        )),
        ContentType("experiment", "experiments", "Experiments", (
            Field("date", "partial_date", "when the experiment was written up (default: its start)"),
            Field("hypothesis", "string", "what we believe and want to test", required=True,
                  example="If we ..., then ...", markdown=True),
            Field("start", "date", "first day of the time box", required=True, example="{date}"),
            Field("end", "date", "last day of the time box (7 to 30 days after the start)", required=True,
                  example="{date}"),
            Field("signals_defined", "date", "when the signals below were written down (before the start)"),
            Field("success_signals", "strings", "what would show the hypothesis holds",
                  example="\n  - A success signal", markdown=True),
            Field("failure_signals", "strings", "what would show it does not, and why",
                  example="\n  - A diagnostic failure signal", markdown=True),
            Field("result", "choice", "the outcome once the time box is over",
                  choices=("running", "confirmed", "disproved", "inconclusive"), example="running"),
            Field("revealed", "string", "what the result revealed", markdown=True),
            Field("next", "link", "the next experiment in the chain (a relative link to its file)"),
            *_FACILITATION,
        )),
        ContentType("log", "log", "Failure log", (
            _DATE,
            Field("context", "string", "the situation", example="|\n  The situation.", markdown=True),
            Field("root_cause", "string", "why it really happened", example="The root cause.", markdown=True),
            Field("lesson", "string", "what it taught", example="The lesson.", markdown=True),
            Field("change", "string", "the behavioural change it led to", example="What I do differently now.", markdown=True),
            Field("owner", "string", "whose log it is (with `visibility: private`, built only for them: --owner)"),
            *_RECURRENCE,
            *_FACILITATION,
        )),
        # A failure story told in writing, not at a talk: an imported blog post, a case from a published source.
        # Its folder is `cases/` because /stories/ is the list of every story, whatever its type.
        ContentType("case", "cases", "Cases", (
            Field("date", "partial_date", "when it happened or was first told: a day (2011-05-12), a month "
                  "(2011-05) or only a year (2011)", example="{year}"),
            Field("authors", "strings", "who wrote or told the story (anonymised like every name)",
                  example="\n  - Jordan Example"),
            Field("source", "record", "where it was published: its title and address",
                  example="\n  title: The book, blog or talk it comes from\n  url: https://example.org/the-story",
                  subfields=(
                      Field("title", "string", "the publication: a book, a blog, an event", required=True),
                      Field("url", "url", "where it can be read or watched"),
                      Field("publisher", "string", "who published it"),
                  )),
            Field("attribution", "string", "the credit the source asks for, shown as written (Story by ..., first "
                  "published in ...)", example="Told by Jordan Example, first published on the Example blog."),
            Field("licence", "string", "the licence it is published under (CC BY 4.0), or the permission you were "
                  "given to publish it", example="CC BY 4.0"),
            Field("licence_url", "url", "the licence's address (https://creativecommons.org/licenses/by/4.0/)"),
            Field("learned", "string", "what the story teaches", example="|\n  What the story teaches.",
                  markdown=True),
            *_FACILITATION,
        )),
        ContentType("review", "reviews", "Quarterly reviews", (
            Field("quarter", "string", "the quarter of the failure log it reviews, as 2026-Q1", required=True,
                  example="{quarter}"),
            Field("date", "partial_date", "when the review was held (default: the quarter's last day)"),
            Field("owner", "string", "whose log it reviews (with `visibility: private`, built only for them)"),
            Field("entries", "links", "the log entries it covers (default: every entry of the quarter)"),
            Field("recurred", "strings", "what recurred this quarter", example="\n  - What came back", markdown=True),
            Field("last_change", "string", "the change decided last quarter", markdown=True),
            Field("stuck", "choice", "whether last quarter's change stuck: yes, partly or no",
                  choices=("yes", "partly", "no")),
            Field("next_focus", "string", "what to focus on next quarter", required=True,
                  example="One change to try next quarter.", markdown=True),
        )),
        ContentType("module", "modules", "Curriculum", (
            Field("date", "partial_date", "when the module was last revised"),
            Field("duration", "int", "length in minutes", required=True, example="90"),
            Field("track", "string", "the track the module belongs to", example="Leading through failure"),
            Field("order", "int", "position within the track", example="1"),
            Field("objectives", "strings", "learning objectives", example="\n  - Participants can ...", markdown=True),
            Field("stories", "links", "the stories it is built on (relative links to their files)",
                  example="\n  - ../talks/example.md"),
            Field("exercises", "strings", "exercises", example="\n  - An exercise", markdown=True),
            Field("prerequisites", "links", "modules to take first (relative links)"),
            Field("facilitator_notes", "string", "notes for facilitators only (never shown to participants)", markdown=True),
            Field("plan", "records", "the session plan: timed segments whose minutes add up to the duration",
                  example="\n  - minutes: 10\n    activity: Welcome and the question of the day\n"
                          "  - minutes: 80\n    activity: The story, then discussion in threes",
                  subfields=(
                      Field("minutes", "int", "how long the segment takes", required=True),
                      Field("activity", "string", "what happens", required=True, markdown=True),
                      Field("story", "link", "the story it uses (a relative link to its file)"),
                      Field("materials", "string", "what the room needs for it"),
                  )),
        ), dated=False),
        ContentType("event", "events", "Events", (
            Field("date", "date", "the day it is held (YYYY-MM-DD)", required=True, example="{date}"),
            Field("time", "time", "when it starts, in the venue's local time (18:30)", example='"18:30"'),
            Field("duration", "int", "how long it runs, in minutes (default 120)", example="120"),
            Field("venue", "string", "where it is held", example="The canteen, north depot"),
            Field("online", "url", "the address to join online"),
            Field("host", "string", "who hosts it (anonymised like every name)", example="Jordan Example"),
            Field("lineup", "records", "the running order: talks on the site, or titles of talks not written up yet",
                  example="\n  - title: A talk not written up yet (or `talk:` and a link to its file)\n"
                          "    speaker: Jordan Example",
                  subfields=(
                      Field("talk", "link", "a talk on the site (a relative link to its file)"),
                      Field("title", "string", "the title of a talk not written up yet"),
                      Field("speaker", "string", "its speaker, for a talk not written up yet"),
                  )),
            Field("recording", "resource", "the evening's recording: a file in the event's folder, or its address"),
        )),
        ContentType("page", "pages", "Pages", (
            Field("date", "partial_date", "when the page was written (a day, or only a year or a month)"),
            Field("menu", "int", "position in the site navigation (pages without it are not in the menu)"),
        ), dated=False),
    )
}

TYPE_BY_FOLDER = {t.folder: t for t in CONTENT_TYPES.values()}
BUILTIN_TYPES: dict[str, ContentType] = dict(CONTENT_TYPES)


def install_site_types(types: tuple[ContentType, ...]) -> None:
    """Make a site's own content types (registered by its hooks) known wherever a type is looked up, beside the
    built-in ones; the types of a site built before in this process are dropped. One site is built at a time in a
    process (the build lock), and forked workers inherit the tables."""
    CONTENT_TYPES.clear()
    CONTENT_TYPES.update(BUILTIN_TYPES)
    CONTENT_TYPES.update((t.name, t) for t in types)
    TYPE_BY_FOLDER.clear()
    TYPE_BY_FOLDER.update((t.folder, t) for t in CONTENT_TYPES.values())


def content_type(name: str) -> ContentType | None:
    """The type named by its singular or plural name."""
    return CONTENT_TYPES.get(name) or TYPE_BY_FOLDER.get(name)


def fields_of(ctype: ContentType) -> dict[str, Field]:
    """Every field an item of this type may have, by name (type fields win over common ones)."""
    merged = {f.name: f for f in COMMON_FIELDS}
    merged.update({f.name: f for f in ctype.fields})
    return merged


Vocabularies = dict[str, dict[str, str]]  # closed taxonomy -> {accepted spelling (slug): term slug}


def coerce(field: Field, node: YamlNode, path: str, vocab: Vocabularies,
           diagnostics: list[Diagnostic]) -> Any:
    """Turn a YAML node into the field's value; report a located error and return None when it cannot."""
    def fail(message: str, hint: str = "") -> None:
        diagnostics.append(error(path, node.line, message, hint or f"'{field.name}': {field.doc}", node.col))

    if field.kind in ("string", "choice", "date", "partial_date", "datetime", "time", "bool", "int", "link", "url",
                      "resource"):
        if node.kind != "scalar" or (node.tag == "null" and not node.quoted):
            if node.kind == "scalar" and not field.required:
                return None
            fail(f"'{field.name}' must be a single value, not {_describe(node)}", _single_value_hint(node, field))
            return None
    if field.kind == "string":
        return node.text
    if field.kind == "choice":
        value = node.text.strip().lower()
        choices = field.choices or (*CONTENT_TYPES, *TYPE_BY_FOLDER)
        if value not in choices:
            fail(f"'{field.name}' has unknown value '{node.text}'{did_you_mean(value, choices)}",
                 "valid values: " + ", ".join(field.choices or CONTENT_TYPES))
            return None
        return value
    if field.kind == "date":
        return parse_date(node, field.name, path, diagnostics)
    if field.kind == "partial_date":  # a year (2011) or a month (2011-05) where a whole day is not needed
        partial = partial_date(node.text)
        return PartialDay(*partial) if partial else parse_date(node, field.name, path, diagnostics)
    if field.kind == "time":
        text = node.text.strip()
        try:
            if len(text) <= 5:
                return dt.time.fromisoformat(text.zfill(5)).strftime("%H:%M")
        except ValueError:
            pass
        fail(f"'{field.name}' must be a time of day as HH:MM, not '{text}'", "write it like 18:30 (24-hour clock)")
        return None
    if field.kind == "datetime":
        return parse_datetime(node, field.name, path, diagnostics)
    if field.kind == "resource":
        address = node.text.strip()
        if not (is_web_address(address) or is_folder_file(address)):
            fail(f"'{field.name}' must be a file in the story's folder (recording.mp4) or a web address "
                 f"(https://...), not '{address}'", "name a file beside the story's index.md, or paste the address")
            return None
        return address
    if field.kind == "url":
        address = node.text.strip()
        if not is_web_address(address):
            fail(f"'{field.name}' must be a web address (https://..., mailto:..., or a path), not '{address}'",
                 "write the whole address, starting with https://")
            return None
        return address
    if field.kind == "bool":
        if node.tag != "bool" or node.quoted:
            fail(f"'{field.name}' must be true or false, not '{node.text}'")
            return None
        return node.text.lower() in YAML_TRUE
    if field.kind == "int":
        if node.tag != "int" or node.quoted:
            fail(f"'{field.name}' must be a whole number, not '{node.text}'")
            return None
        return int(node.text.replace("_", ""), 0)
    if field.kind == "link":
        return LinkRef(node.text.strip(), node.line)
    if field.kind == "raw":
        return node
    if field.kind == "record":
        if node.kind != "map":
            fail(f"'{field.name}' must be a mapping with " + ", ".join(f.name for f in field.subfields) +
                 f", not {_describe(node)}")
            return None
        return _coerce_record(field, node, path, vocab, diagnostics)
    if field.kind == "mapping":
        if node.kind != "map":
            fail(f"'{field.name}' must be a mapping of keys to values, not {_describe(node)}")
            return None
        return node.to_plain()
    elements = _as_list(node)
    if elements is None:
        fail(f"'{field.name}' must be a list, not {_describe(node)}")
        return None
    if field.kind == "strings":
        return tuple(e.text for e in elements if _is_scalar_or_report(e, field, path, diagnostics))
    if field.kind == "links":
        return tuple(LinkRef(e.text.strip(), e.line) for e in elements if _is_scalar_or_report(e, field, path, diagnostics))
    if field.kind == "terms":
        return _coerce_terms(field, elements, path, vocab, diagnostics)
    if field.kind == "records":
        return tuple(r for r in (_coerce_record(field, e, path, vocab, diagnostics) for e in elements) if r is not None)
    raise AssertionError(f"unknown field kind {field.kind}")


def parse_date(node: YamlNode, name: str, path: str, diagnostics: list[Diagnostic]) -> dt.date | None:
    """A date written as YYYY-MM-DD. A time of day is an error here, never silently cut off."""
    text = node.text.strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):  # the right shape, a day the calendar does not have
        year, month, day = (int(part) for part in text.split("-"))
        problem = "there is no month %d" % month if not 1 <= month <= 12 else \
            f"{dt.date(max(year, 1), month, 1):%B} {year} has no day {day}"
        diagnostics.append(error(path, node.line, f"'{name}' is not a valid date: '{text}' ({problem})",
                                 "check the day and the month (written YYYY-MM-DD)", node.col))
        return None
    if _datetime(text) is not None:
        diagnostics.append(error(path, node.line, f"'{name}' is a date and takes no time of day: '{text}'",
                                 f"write the day alone, e.g. {text[:10]}; times of day belong in a debrief's "
                                 "`timeline`", node.col))
        return None
    partial = partial_date(text)
    if partial is not None:  # a year or a month where this field needs the day
        hint = "write the day as YYYY-MM-DD" + ("; a story known only by its year or month can be a case "
                                                 "(content/cases/), whose date may be 2011 or 2011-05"
                                                 if name == "date" else "")
        diagnostics.append(error(path, node.line, f"'{name}' is not a valid date: '{text}' names only a "
                                 f"{partial[1]}, and this field needs the day", hint, node.col))
        return None
    diagnostics.append(error(path, node.line, f"'{name}' is not a valid date: '{text}'",
                             "write dates as YYYY-MM-DD, for example 2025-04-10", node.col))
    return None


def parse_datetime(node: YamlNode, name: str, path: str, diagnostics: list[Diagnostic]) -> dt.date | dt.datetime | None:
    """A date (YYYY-MM-DD), or a date and time with its zone (2026-03-01 09:12 +01:00, or ...Z). A time without a
    zone is an error: a timeline read in another office would be hours off."""
    text = node.text.strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    moment = _datetime(text)
    if moment is not None and moment.tzinfo is not None:
        return moment
    problem = "has a time but no time zone" if moment is not None else "is not a date or a date and time"
    diagnostics.append(error(path, node.line, f"'{name}' {problem}: '{text}'",
                             "write 2026-03-01, or 2026-03-01 09:12 +01:00 (or Z for UTC)", node.col))
    return None


def _datetime(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text.replace(" +", "+").replace(" -", "-"))
    except ValueError:
        return None


_WEB_ADDRESS = re.compile(r"^(?:https?://[^\s/]+[^\s]*|mailto:[^\s@]+@[^\s]+|/[^\s]*|\.{1,2}/[^\s]*)$", re.IGNORECASE)


_FOLDER_FILE = re.compile(r"^(?![./])(?!.*(?:^|/)\.\.(?:/|$))[^\s:?#]+$")


def is_folder_file(text: str) -> bool:
    """A relative name of a file in a story's folder: `slides.pdf`, `media/talk.mp4` (no scheme, no '..')."""
    return bool(_FOLDER_FILE.match(text))


def is_web_address(text: str) -> bool:
    """An address a page may link to from front matter: http(s), mailto, or a path."""
    return bool(_WEB_ADDRESS.match(text))


def _describe(node: YamlNode) -> str:
    return {"map": "a mapping", "seq": "a list"}.get(node.kind, "an empty value" if node.tag == "null" else "a value")


def _single_value_hint(node: YamlNode, field: Field) -> str:
    """What to do where a single value was meant: a one-key mapping is most often text with an unquoted ': '."""
    if node.kind == "map" and len(node.items) == 1:
        key = next(iter(node.items))
        return (f"YAML read the text as `{key}: ...` because of the ': ' after '{key}'; put the whole text in quotes "
                f"(\"{key}: ...\") or write it without ': '")
    return f"'{field.name}': {field.doc}"


def _as_list(node: YamlNode) -> list[YamlNode] | None:
    if node.kind == "seq":
        return node.elements
    if node.kind == "scalar":
        if node.tag == "null" and not node.quoted:
            return []
        return [node]  # a single value where a list is expected is a list of one
    return None


def _is_scalar_or_report(node: YamlNode, field: Field, path: str, diagnostics: list[Diagnostic]) -> bool:
    if node.kind == "scalar" and not (node.tag == "null" and not node.quoted):
        return True
    diagnostics.append(error(path, node.line, f"each entry of '{field.name}' must be a single value, not {_describe(node)}",
                             _single_value_hint(node, field), node.col))
    return False


def _coerce_terms(field: Field, elements: list[YamlNode], path: str, vocab: Vocabularies,
                  diagnostics: list[Diagnostic]) -> tuple[str, ...]:
    accepted = vocab.get(field.taxonomy)
    terms: list[str] = []
    for element in elements:
        if not _is_scalar_or_report(element, field, path, diagnostics):
            continue
        label = element.text.strip()
        if accepted is None:
            if not slugify(label):
                diagnostics.append(error(path, element.line, f"'{field.name}' has an empty term '{label}'",
                                         "use letters or digits in term names", element.col))
                continue
            terms.append(label)
            continue
        term = accepted.get(slugify(label))
        if term is None:
            valid = sorted(set(accepted.values()))
            parts = [p.strip() for p in label.split(",") if p.strip()]
            if len(parts) > 1 and not element.quoted:  # `patterns: concrete, circumstantial`: a list without brackets
                diagnostics.append(error(path, element.line, f"'{field.name}' is one text with commas in it, not a "
                                         f"list: '{label}'", f"write a list in brackets: `{field.name}: "
                                         f"[{', '.join(parts)}]`", element.col))
                continue
            diagnostics.append(error(
                path, element.line,
                f"'{field.name}' has unknown value '{label}'{did_you_mean(slugify(label), valid)}",
                f"valid {field.name}: {', '.join(valid)}", element.col))
            continue
        terms.append(term)
    return tuple(dict.fromkeys(terms))


def _coerce_record(field: Field, node: YamlNode, path: str, vocab: Vocabularies,
                   diagnostics: list[Diagnostic]) -> dict[str, Any] | None:
    if node.kind != "map":
        diagnostics.append(error(path, node.line, f"each entry of '{field.name}' must be a mapping with "
                                 + ", ".join(f.name for f in field.subfields), f"'{field.name}': {field.doc}", node.col))
        return None
    known = {f.name: f for f in field.subfields}
    record: dict[str, Any] = {f.name: None for f in field.subfields}
    record["line"] = node.line
    ok = True
    for key, value in node.items.items():
        sub = known.get(key)
        if sub is None:
            diagnostics.append(error(path, node.key_line(key), f"unknown key '{key}' in '{field.name}'{did_you_mean(key, known)}",
                                     "valid keys: " + ", ".join(known), node.key_col(key)))
            ok = False
            continue
        record[key] = coerce(sub, value, path, vocab, diagnostics)
    for sub in field.subfields:
        if sub.required and node.items.get(sub.name) is None:
            diagnostics.append(error(path, node.line, f"an entry of '{field.name}' is missing '{sub.name}'",
                                     f"add `{sub.name}:` ({sub.doc})", node.col))
            ok = False
    return record if ok else None


# Keys other site generators use, and what failsite calls them or does instead.
_SAME_AS = {"description": "summary", "excerpt": "summary", "abstract": "summary", "categories": "tags",
            "category": "tags", "keywords": "tags", "published": "draft", "pubdate": "date", "publishdate": "date",
            "modified": "date", "lastmod": "date", "url": "slug"}
_PERSON_FIELDS = ("speaker", "authors", "owner", "host")
MEANINGS = {
    "layout": "failsite picks the layout from the item's type (its folder, or `type:`); remove `layout:`",
    "permalink": "the URL comes from the type's folder and `slug:`; keep an old URL working with `aliases:`",
    "template": "failsite picks the template from the item's type; remove it, or put a theme override in "
                "templates/<type>.html",
    "image": "put the image beside the story (a folder with index.md) and use it in the body",
    "author": "the person a story is by: `speaker:` for a talk, `authors:` for a debrief, `owner:` for a log entry",
}


def meant_field(key: str, known: dict[str, Field]) -> str:
    """The field a key from another tool most likely means here: `description` is `summary`, `author` the type's
    person field; '' when there is none."""
    lowered = key.lower()
    if lowered in ("author", "authors", "by"):
        return next((name for name in _PERSON_FIELDS if name in known), "")
    return _SAME_AS.get(lowered, "")


def read_mapping(node: YamlNode, fields: tuple[Field, ...] | dict[str, Field], path: str, vocab: Vocabularies,
                 diagnostics: list[Diagnostic], what: str = "field") -> dict[str, Any]:
    """Coerce every known key of a mapping; unknown keys and missing required ones are errors."""
    known = fields if isinstance(fields, dict) else {f.name: f for f in fields}
    values: dict[str, Any] = {}
    if node.kind != "map":
        diagnostics.append(error(path, node.line, f"expected a mapping of keys to values, not {_describe(node)}",
                                 "write one `key: value` per line"))
        return values
    for key, value in node.items.items():
        spec = known.get(key)
        if spec is None:
            if "extra" in known:  # an item's front matter: say what the key means here, and where the fields are
                meant = meant_field(key, known)
                message = f"unknown {what} '{key}'" + (f": failsite calls it '{meant}'" if meant in known
                                                       else did_you_mean(key, known))
                type_name = what.split()[0]
                hint = (MEANINGS[key.lower()] if key.lower() in MEANINGS and meant not in known else
                        f"rename it to `{meant}:`" if meant in known else
                        "put your own data under `extra:`") + f"; `failsite fields {type_name}` lists every field"
            else:
                message = f"unknown {what} '{key}'{did_you_mean(key, known)}"
                hint = "valid: " + ", ".join(known)
            diagnostics.append(error(path, node.key_line(key), message, hint, node.key_col(key)))
            continue
        values[key] = coerce(spec, value, path, vocab, diagnostics)
    for spec in known.values():
        if spec.required and values.get(spec.name) in (None, ""):
            if spec.name not in node.items:
                diagnostics.append(error(path, node.line, f"missing required {what} '{spec.name}'",
                                         f"add `{spec.name}:` ({spec.doc})"))
            elif values.get(spec.name) == "":
                diagnostics.append(error(path, node.key_line(spec.name), f"'{spec.name}' must not be empty",
                                         f"'{spec.name}': {spec.doc}"))
    return values
