"""The theme's words in the site's language: a message catalogue per language, localised dates, the site's own
overrides.

A theme keeps its catalogues as gettext `.po` files in `locale/<language>.po` beside its
`templates/` folder (read with Babel, which also knows every language's plural rules and month
names). A template marks its words with `_("Related stories")`; a site overrides any of them in
site.yaml (`strings: {"Related stories": "More like this"}`). A word without a translation shows
in English, as written in the template.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as babel_format_date
from babel.dates import format_skeleton
from babel.messages.pofile import read_po
from markupsafe import Markup, escape

from failsite.content.dates import precision_of
from failsite.errors import Diagnostic, error
from failsite.render.views import format_date


@dataclass(frozen=True)
class ThemeStrings:
    """The translations of a theme's words into one language, with the site's overrides on top."""

    language: str = "en"
    messages: dict[str, str | tuple[str, ...]] = field(default_factory=dict)
    overrides: dict[str, str] = field(default_factory=dict)

    def gettext(self, message: str) -> Markup:
        """The message in the site's language (the site's override first), or as written; escaped, since a
        translation or an override is text, never markup."""
        if message in self.overrides:
            return escape(self.overrides[message])
        found = self.messages.get(message)
        if isinstance(found, tuple):
            found = found[0]
        return escape(found or message)

    def ngettext(self, singular: str, plural: str, count: int) -> Markup:
        """The singular or plural form for `count`, by the language's plural rules (escaped, as `gettext`)."""
        key = singular if count == 1 else plural
        if key in self.overrides:
            return escape(self.overrides[key])
        found = self.messages.get(singular)
        if isinstance(found, tuple) and all(found):
            index = _plural_index(self.language, count)
            return escape(found[min(index, len(found) - 1)])
        return escape(singular if count == 1 else plural)

    def date(self, value: dt.date | None) -> str:
        """A date as the language writes it: '10 April 2025', '10. April 2025'; one known only to its month or year
        as written ('May 2011', 'Mai 2011', '2011')."""
        if value is None:
            return ""
        if self.language.split("_")[0].split("-")[0] == "en":
            return format_date(value)  # '10 April 2025', as everywhere else failsite writes a date
        precision = precision_of(value)
        if precision == "year":
            return str(value.year)
        if precision == "month":
            return format_skeleton("yMMMM", value, locale=_locale(self.language))
        return babel_format_date(value, format="long", locale=_locale(self.language))


def load_strings(locale_dirs: tuple[Path, ...], language: str, overrides: dict[str, str],
                 shown: str = "site.yaml") -> tuple[ThemeStrings, list[Diagnostic]]:
    """The theme's catalogue for `language` (the first theme folder that has one wins, message by message), with
    the site's overrides; an error when Babel does not know the language or a catalogue cannot be read."""
    try:
        _locale(language)
    except (UnknownLocaleError, ValueError):
        return ThemeStrings("en", {}, overrides), [error(shown, 1, f"'language' is '{language}', which is not a "
                                                          "language code failsite knows",
                                                          "write a code such as en, de, fr or pt_BR")]
    messages: dict[str, str | tuple[str, ...]] = {}
    diagnostics: list[Diagnostic] = []
    code = language.replace("-", "_")
    for folder in reversed(locale_dirs):  # the theme's own folder (first) overrides what it extends
        for name in dict.fromkeys((code, code.split("_")[0])):
            path = folder / f"{name}.po"
            if not path.is_file():
                continue
            try:
                with path.open("rb") as handle:
                    catalog = read_po(handle, locale=name)
            except (ValueError, OSError, UnknownLocaleError) as exc:
                diagnostics.append(error(str(path), 1, f"cannot read this message catalogue: {exc}",
                                         "check it is a gettext .po file in UTF-8"))
                continue
            for message in catalog:
                if message.id and message.string and not message.fuzzy:
                    key = message.id[0] if isinstance(message.id, tuple) else message.id
                    messages[key] = tuple(message.string) if isinstance(message.string, (tuple, list)) \
                        else message.string
            break
    return ThemeStrings(language, messages, dict(overrides)), diagnostics


def _locale(language: str) -> Locale:
    return Locale.parse(language.replace("-", "_"))


def _plural_index(language: str, count: int) -> int:
    """Which plural form a language uses for `count` (gettext's order: one, then other)."""
    try:
        form = _locale(language).plural_form(count)
    except (UnknownLocaleError, ValueError):
        form = "one" if count == 1 else "other"
    return 0 if form == "one" else 1
