"""What an import did, post by post, and what is left for a person: the report `failsite import` prints."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class ImportReport:
    """Gathered while importing; `text()` is what the command prints."""

    section: str = ""  # the folder the posts were taken from, as shown
    written: list[str] = field(default_factory=list)  # new items
    updated: list[str] = field(default_factory=list)  # items taken in again because their post changed
    unchanged: int = 0  # posts imported before and not changed since
    mapped: Counter[str] = field(default_factory=Counter)  # "description -> summary", "{{< youtube >}} -> video"
    kept: Counter[str] = field(default_factory=Counter)  # fields kept under extra
    files: int = 0  # files copied beside the items (images, attachments)
    images_shown: int = 0  # images the items' bodies show
    aliases: int = 0  # old addresses kept as aliases
    not_mapped: list[str] = field(default_factory=list)  # "file:line: what" the import could not map
    conflicts: list[str] = field(default_factory=list)  # items edited by hand whose posts changed, or in the way
    skipped: list[str] = field(default_factory=list)
    needs_a_human: list[str] = field(default_factory=list)
    people: set[str] = field(default_factory=set)
    html_posts: int = 0  # posts whose body is HTML (or holds raw HTML): shown only with markdown.raw_html

    def text(self) -> str:
        count = len(self.written) + len(self.updated)
        lines = [f"imported {count} post{'s' if count != 1 else ''}"
                 + (f" from {self.section}" if self.section else "")
                 + (f" ({len(self.updated)} updated, {self.unchanged} unchanged)" if self.updated or self.unchanged
                    else "")]
        lines += [f"  wrote {path}" for path in self.written]
        lines += [f"  updated {path}" for path in self.updated]
        if self.files or self.aliases:
            lines.append(f"copied {self.files} file{'s' if self.files != 1 else ''} ({self.images_shown} "
                         f"image{'s' if self.images_shown != 1 else ''} shown); kept {self.aliases} old "
                         + ("address as an alias" if self.aliases == 1 else "addresses as aliases"))
        if self.mapped:
            lines.append("mapped: " + ", ".join(f"{k} ({n})" for k, n in sorted(self.mapped.items())))
        if self.kept:
            lines.append("kept under extra: " + ", ".join(f"{k} ({n})" for k, n in sorted(self.kept.items())))
        if self.not_mapped:
            lines.append(f"not mapped ({len(self.not_mapped)}), left in the text as written; a build warns about "
                         "each until it is rewritten:")
            lines += [f"  {line}" for line in self.not_mapped]
        for line in self.conflicts:
            lines.append(f"conflict: {line}")
        for line in self.skipped:
            lines.append(f"skipped: {line}")
        if self.people:
            lines.append("people to register in the registry (or their names are published as written): "
                         + ", ".join(sorted(self.people)))
        for line in self.needs_a_human:
            lines.append(f"needs a human: {line}")
        return "\n".join(lines) + "\n"
