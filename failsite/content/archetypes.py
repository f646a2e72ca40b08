"""`failsite new`: a new content file from its type's archetype, with every field present and explained."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from failsite.content.config import SiteConfig
from failsite.errors import FailsiteError, error
from failsite.content.schema import COMMON_FIELDS, ContentType, Field
from failsite.content.slugs import slugify

BODY_STARTS = {
    # What the speaker learned and would do differently have fields of their own (`learned`, `differently`), which
    # the page shows in boxes with those titles: the body tells the story.
    "talk": "## The story\n\nTell it as it happened: the decision, the moment it went wrong, what it cost.\n",
    "debrief": "## Context\n\nWhat the team set out to do and the conditions it worked in. "
               "Describe conditions and decisions, not culprits.\n",
    "experiment": "## Why this bet\n\nWhat made this worth testing now.\n",
    "log": "What happened, in a few sentences.\n",
    # A case is someone else's story as it was published: the source, attribution and licence fields say whose.
    "case": "## The story\n\nThe story as its source tells it: quote what the licence lets you quote, and say in "
            "your own words what the rest of it is.\n\n## Why we tell it\n\nWhat it shows about failure, and "
            "where it fits in the programme.\n",
    "review": "How the quarter went, in a few sentences: what the log shows, and what you make of it.\n",
    "module": "## Overview\n\nWhat participants will take away.\n",
    "event": "What the evening is, and who it is for. Say what a speaker may expect: how long, who listens.\n",
    "page": "Write the page here.\n",
}


# Examples that must name someone in the site's registry: written, they would fail the new item's first check.
_COMMENTED_EXAMPLES = frozenset({"consent_given"})


def archetype_text(ctype: ContentType, title: str, today: dt.date, extra: tuple[Field, ...] = (),
                   examples: bool = True) -> str:
    """The default archetype: required and example-bearing fields filled in, the others commented out; `extra` are
    the fields the site's hooks add to the type. Without `examples` (the desk's forms) only the title and
    `status: draft` are filled in, and every example stays a comment."""
    lines = ["---"]
    fields: list[Field] = [f for f in COMMON_FIELDS if f.name == "title"] + list(ctype.fields) + list(extra) + \
        [f for f in COMMON_FIELDS if f.name not in ("title", "type")]
    for spec in fields:
        lines.append(f"# {spec.name}: {spec.doc}{' (required)' if spec.required else ''}")
        if spec.name == "title":
            lines.append(f"title: {json.dumps(title, ensure_ascii=False)}")
        elif spec.name == ("draft" if examples else "status"):  # the desk's forms show a draft as its status
            lines.append("draft: true" if examples else "status: draft")
        elif examples and spec.example and spec.kind not in ("link", "links") and spec.name not in _COMMENTED_EXAMPLES:
            example = _filled(spec.example, today)
            lines.append(f"{spec.name}: {example}" if not example.startswith("\n") else f"{spec.name}:{example}")
        else:
            example = _filled(spec.example, today).replace("\n", "\n# ") if spec.example else ""
            lines.append(f"# {spec.name}:{' ' if example and not example.startswith(chr(10)) else ''}{example}")
    lines.append("---")
    return "\n".join(lines) + "\n" + (BODY_STARTS.get(ctype.name, "Write it here.\n") if examples else "")


def _filled(example: str, today: dt.date) -> str:
    """A field's example with today's date, year and quarter in it."""
    return example.replace("{date}", today.isoformat()).replace("{year}", str(today.year)).replace(
        "{quarter}", f"{today.year}-Q{(today.month - 1) // 3 + 1}")


def new_content(config: SiteConfig, ctype: ContentType, title: str, today: dt.date, extra: tuple[Field, ...] = ()
                ) -> Path:
    """Write content/<folder>/<slug>.md from the site's archetype (or the default, with the `extra` fields the
    site's hooks add); never overwrite."""
    slug = slugify(title)
    if not slug:
        raise FailsiteError([error("<title>", 1, f"cannot make a file name from the title '{title}'",
                                   "use letters or digits in the title")])
    target = config.content_dir / ctype.folder / f"{slug}.md"
    if target.exists():
        raise FailsiteError([error(target.relative_to(config.site_dir).as_posix(), 1, "the file already exists",
                                   "choose another title, or edit the existing file")])
    custom = config.site_dir / "archetypes" / f"{ctype.name}.md"
    if custom.is_file():
        text = custom.read_text(encoding="utf-8").replace("{title}", json.dumps(title, ensure_ascii=False)) \
            .replace("{date}", today.isoformat())
    else:
        text = archetype_text(ctype, title, today, extra)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "x", encoding="utf-8") as handle:  # "x": fail rather than overwrite
        handle.write(text)
    return target
