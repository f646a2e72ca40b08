"""site.yaml: one typed configuration with defaults; unknown keys and bad values are errors."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from failsite.errors import shown_path, Diagnostic, FailsiteError, did_you_mean, error
from failsite.content.bounds import Bounds
from failsite.content.schema import (ACTION_KINDS, AUDIENCES, CONTENT_TYPES, REVIEW_STATUSES, SEVERITIES,
                                     SHARED_AUDIENCES, Field, content_type, read_mapping)
from failsite.content.slugs import slugify
from failsite.content.yamlnodes import YamlNode, load_yaml_file

CONFIG_FILE = "site.yaml"
RULE_ORDER = ("emails", "phones", "internal_urls", "patterns", "registry")
DEFAULT_CONTENT = "content"


@dataclass(frozen=True)
class TermDef:
    """A described term of a taxonomy (built in or from site.yaml)."""

    slug: str
    title: str
    description: str = ""
    intervention: str = ""


@dataclass(frozen=True)
class TaxonomyDef:
    """A taxonomy: closed ones accept only their listed terms."""

    name: str
    title: str
    description: str
    closed: bool
    terms: tuple[TermDef, ...]


@dataclass(frozen=True)
class TypeOptions:
    """Per-type options: the list page's title and description."""

    title: str
    description: str = ""


@dataclass(frozen=True)
class AnonymiseOptions:
    """The `anonymise:` section: where the registry is and which rules run, in order."""

    registry: str = ""
    internal_domains: tuple[str, ...] = ()
    patterns: tuple[tuple[str, str], ...] = ()
    rules: tuple[str, ...] = RULE_ORDER
    public_addresses: tuple[str, ...] = ()
    pseudonym_pages: bool = False
    unread_files: tuple[str, ...] = ()  # files no reader understands, checked by hand: published as they are


@dataclass(frozen=True)
class SiteConfig:
    """Everything site.yaml can say, with defaults filled in."""

    site_dir: Path
    title: str
    description: str = ""
    base_url: str = "/"
    language: str = "en"
    theme: str = "default"
    output: str = "public"
    content: str = DEFAULT_CONTENT
    public: bool = False
    footer: str = ""
    logo: str = ""  # a file under static/ shown beside the title
    favicon: str = ""  # a file under static/ (default: the theme's favicon.svg)
    accent: str = ""  # a CSS colour for links and highlights (default: the theme's blue)
    raw_html: bool = False
    per_page: int = 30
    picker_per_page: int = 500  # rows per page of the story picker
    feed_limit: int = 20
    feed_types: tuple[str, ...] = ("talk", "case", "debrief")
    taxonomies: tuple[TaxonomyDef, ...] = ()
    types: tuple[tuple[str, TypeOptions], ...] = ()
    anonymise: AnonymiseOptions = AnonymiseOptions()
    lint_rules: str = ""
    lint_disable: tuple[str, ...] = ()
    guide_audience: str = "restricted"
    pdf: bool = False  # `curriculum.pdf`: print the kit to PDF on every build
    most_modules: int = 3  # `curriculum.most_modules`: a story used in more modules is flagged on the coverage page
    # The least review status each audience's build accepts (the default: public needs approved stories).
    review: tuple[tuple[str, str], ...] = (("public", "approved"), ("internal", "in-review"), ("restricted", "in-review"),
                                           ("private", "in-review"))
    severities: tuple[str, ...] = SEVERITIES
    action_kinds: tuple[str, ...] = ACTION_KINDS
    render_seconds: float = 30.0
    page_megabytes: float = 50.0
    bounds: Bounds = Bounds()  # `limits:` on front-matter values and lists
    strings: tuple[tuple[str, str], ...] = ()  # `strings:` the theme's words as this site wants them
    default_visibility: str = "internal"  # the visibility of items that do not say
    hooks: tuple[str, ...] = ()  # `hooks:` the site's own Python modules (content.hooks)
    redirects_file: bool = False  # `redirects_file: true` writes _redirects for hosts that read one
    consent_record_required: bool = False  # `consent.require_record`: naming needs a consent record on the story
    recurrence_threshold: int = 30  # `insights.recurrence_threshold`: how alike (in percent) a story must be to recur
    min_people: int = 3  # `insights.min_people`: the fewest people or teams a theme across stories must span

    @property
    def content_dir(self) -> Path:
        return self.site_dir / self.content

    @property
    def base_path(self) -> str:
        """The path part of base_url, always ending with '/': '/' or '/failures/'."""
        path = urlsplit(self.base_url).path.strip("/")
        return f"/{path}/" if path else "/"

    def taxonomy(self, name: str) -> TaxonomyDef:
        return next(t for t in self.taxonomies if t.name == name)

    def type_options(self, type_name: str) -> TypeOptions:
        """A type's title and description; a type from a hook (unknown when site.yaml was read) has its label."""
        found = dict(self.types).get(type_name)
        return found or TypeOptions(CONTENT_TYPES[type_name].label, "")


_TOP_FIELDS = (
    Field("title", "string", "the site's title", required=True),
    Field("description", "string", "a sentence describing the site (home page and meta tags)"),
    Field("base_url", "string", "where the site is published, e.g. https://intranet.example/failures/"),
    Field("language", "string", "the language code of the content, e.g. en"),
    Field("theme", "string", "the theme folder name under themes/ (built-in: default)"),
    Field("output", "string", "the output folder, relative to the site folder"),
    Field("content", "string", "the content folder, relative to the site folder"),
    Field("public", "bool", "true lets search engines index the site (default false: noindex)"),
    Field("footer", "string", "a line of text for the page footer"),
    Field("logo", "string", "an image under static/ shown beside the site's title, e.g. logo.svg"),
    Field("favicon", "string", "the browser tab's icon, a file under static/ (default: the theme's)"),
    Field("accent", "string", "the colour of links and highlights, as #rrggbb (default: the theme's blue)"),
    Field("markdown", "mapping", "markdown options: raw_html"),
    Field("pagination", "mapping", "list options: per_page"),
    Field("feed", "mapping", "feed options: limit, types"),
    Field("taxonomies", "mapping", "taxonomy titles, descriptions and term descriptions"),
    Field("types", "mapping", "per-type options: title, description"),
    Field("anonymise", "mapping", "anonymisation: registry, internal_domains, patterns, rules"),
    Field("lint", "mapping", "writing help: rules (your own rules file), disable (rule ids)"),
    Field("curriculum", "mapping", "curriculum options: guide_audience, most_modules, pdf"),
    Field("limits", "mapping", "bounds on one page and its front matter: render_seconds, page_megabytes, "
          "title_characters, summary_characters, value_characters, list_entries, terms_per_item"),
    Field("debriefs", "mapping", "debrief options: severities, action_kinds"),
    Field("consent", "mapping", "consent options: require_record"),
    Field("insights", "mapping", "views across stories: recurrence_threshold, min_people"),
    Field("hooks", "strings", "the site's own Python modules that extend failsite (filters, markdown plugins, "
          "fields): names of .py files beside site.yaml"),
    Field("default_visibility", "choice", "the visibility of items that give none: public, internal (default), "
          "restricted or private", choices=AUDIENCES),
    Field("redirects_file", "bool", "true also writes _redirects (old address, new address, 301) for hosts that read "
          "one (Netlify, Cloudflare Pages)"),
    Field("strings", "mapping", "the theme's words as this site wants them: \"Related stories\": More like this"),
    Field("review", "mapping", "the least review status each audience accepts: public, internal, restricted "
          "(draft, in-review or approved)"),
)
_REVIEW_FIELDS = tuple(Field(name, "choice", f"the least review status a {name} build publishes",
                             choices=REVIEW_STATUSES) for name in AUDIENCES)
_DEBRIEF_FIELDS = (
    Field("severities", "strings", "the severity levels a debrief may give, most severe first "
          "(default critical, major, minor)"),
    Field("action_kinds", "strings", "the kinds an action item may have (default mitigate, prevent, process)"),
)
_LIMIT_FIELDS = (
    Field("render_seconds", "int", "how long one page may take to render (default 30; 0: no bound)"),
    Field("page_megabytes", "int", "how large one page may grow, in MB (default 50)"),
    Field("title_characters", "int", f"how long a title may be (default {Bounds.title_characters})"),
    Field("summary_characters", "int", f"how long a summary may be (default {Bounds.summary_characters:,})"),
    Field("value_characters", "int", "how long any other front-matter value may be, each entry of a list included "
          f"(default {Bounds.value_characters:,})"),
    Field("list_entries", "int", f"how many entries one front-matter list may hold (default {Bounds.list_entries})"),
    Field("terms_per_item", "int", "how many terms of one taxonomy (tags, patterns) one item may have (default "
          f"{Bounds.terms_per_item}: each term is a page)"),
)
_CONSENT_FIELDS = (
    Field("require_record", "bool", "true shows a person consented to be named by their name only in stories whose "
          "`consent_given` holds a record of it (default false)"),
)
_INSIGHTS_FIELDS = (
    Field("recurrence_threshold", "int", "how alike, in percent (0 to 100), a story's root causes, factors and "
          "patterns must be to an earlier review's, whose preventive action is done, to be shown as a recurrence of "
          "it (default 30; `recurs:` in a story's front matter shows a link whatever its score)"),
    Field("min_people", "int", "a theme across stories is shown only when its stories come from at least this many "
          "distinct people or teams, so a theme never points at one colleague (default 3)"),
)
_CURRICULUM_FIELDS = (
    Field("guide_audience", "choice", "the least audience whose builds hold the facilitator guides, with their "
          "notes (default restricted)", choices=SHARED_AUDIENCES),
    Field("most_modules", "int", "a story used in more modules than this is flagged on the coverage page (default 3)"),
    Field("pdf", "bool", "true prints the handouts and facilitator packs to PDF on every build (default false; "
          "`failsite build --pdf` does it for one build)"),
)
_LINT_FIELDS = (
    Field("rules", "string", "a YAML file of extra rules, relative to the site folder"),
    Field("disable", "strings", "ids of rules to switch off"),
)
_ANONYMISE_FIELDS = (
    Field("registry", "string", "the private registry of people and organisations, relative to the site folder"),
    Field("internal_domains", "strings", "domains whose URLs are removed from the output, e.g. intranet.example"),
    Field("patterns", "raw", "extra regular expressions to replace: a list of `pattern` and `replacement`"),
    Field("rules", "strings", "the anonymisation rules in order: emails, phones, internal_urls, patterns, registry"),
    Field("public_addresses", "strings", "emails (or `name@` for any domain) and URL prefixes meant to be published, "
          "e.g. security@example.com"),
    Field("pseudonym_pages", "bool", "true gives pseudonymised people a people page too (default false: "
          "a page collecting one pseudonym's stories makes them easier to identify)"),
    Field("unread_files", "strings", "files of a kind failsite has no reader for (a video, a font, an old .ppt) that "
          "you have checked yourself for names, places and metadata, published as they are: paths relative to the "
          "site folder, or patterns where * matches any part of a path, e.g. content/talks/*/recording.mp4 "
          "(default none: such a file fails the build)"),
)
_PATTERN_FIELDS = (
    Field("pattern", "string", "a Python regular expression", required=True),
    Field("replacement", "string", "the text put in its place (default: [removed])"),
)
_MARKDOWN_FIELDS = (Field("raw_html", "bool", "true lets raw HTML in markdown through (default false)"),)
_PAGINATION_FIELDS = (Field("per_page", "int", "items per list page (default 30)"),
                      Field("picker_per_page", "int", "stories per page of the story picker (default 500)"))
_FEED_FIELDS = (
    Field("limit", "int", "how many entries the feed holds (default 20)"),
    Field("types", "strings", "which content types the feed holds (default talk, case, debrief)"),
)
_TAXONOMY_FIELDS = (
    Field("title", "string", "the taxonomy's title"),
    Field("description", "string", "the taxonomy's description"),
    Field("closed", "bool", "true accepts only the terms listed under `terms`"),
    Field("terms", "mapping", "terms by slug, each with title and description"),
)
_TERM_FIELDS = (
    Field("title", "string", "the term's title"),
    Field("description", "string", "the term's description"),
    Field("intervention", "string", "the training intervention the term calls for"),
)
_TYPE_FIELDS = (
    Field("title", "string", "the title of the type's list page"),
    Field("description", "string", "the description on the type's list page"),
)


@cache
def default_taxonomies() -> dict[str, Any]:
    """The built-in taxonomies, read once from the package's defaults.yaml."""
    text = resources.files("failsite.content").joinpath("defaults.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def load_config(site_dir: Path) -> SiteConfig:
    """Read and validate SITE_DIR/site.yaml; raise FailsiteError with every problem found."""
    path = site_dir / CONFIG_FILE
    shown = CONFIG_FILE
    if not path.exists():
        raise FailsiteError([error(shown_path(path), 1, f"no {CONFIG_FILE} in {shown_path(site_dir)}",
                                   "run failsite in the folder that holds site.yaml, or pass that folder")])
    root, diagnostics = load_yaml_file(path, shown, "")
    if root is None:
        raise FailsiteError(diagnostics)
    if root.kind != "map":
        raise FailsiteError([error(shown, root.line, f"{CONFIG_FILE} must be a mapping of keys to values",
                                   "write one `key: value` per line, starting with `title: My site`")])
    top = read_mapping(root, _TOP_FIELDS, shown, {}, diagnostics, "site.yaml key")
    config = _build_config(site_dir, root, top, shown, diagnostics)
    if any(d.severity == "error" for d in diagnostics):
        raise FailsiteError(diagnostics)
    return config


def _sub(root: YamlNode, key: str, fields: tuple[Field, ...], path: str, diagnostics: list[Diagnostic]) -> dict[str, Any]:
    node = root.items.get(key)
    if node is None or node.kind != "map":
        return {}
    return read_mapping(node, fields, path, {}, diagnostics, f"key in '{key}'")


def _build_config(site_dir: Path, root: YamlNode, top: dict[str, Any], path: str,
                  diagnostics: list[Diagnostic]) -> SiteConfig:
    markdown = _sub(root, "markdown", _MARKDOWN_FIELDS, path, diagnostics)
    lint = _sub(root, "lint", _LINT_FIELDS, path, diagnostics)
    curriculum = _sub(root, "curriculum", _CURRICULUM_FIELDS, path, diagnostics)
    consent = _sub(root, "consent", _CONSENT_FIELDS, path, diagnostics)
    insights = _sub(root, "insights", _INSIGHTS_FIELDS, path, diagnostics)
    threshold = insights.get("recurrence_threshold")
    if threshold is not None and not 0 <= threshold <= 100:
        diagnostics.append(error(path, root.items["insights"].key_line("recurrence_threshold"),
                                 f"'recurrence_threshold' is a percentage from 0 to 100, not {threshold}",
                                 "for example `recurrence_threshold: 30`"))
    min_people = insights.get("min_people")
    if min_people is not None and min_people < 1:
        diagnostics.append(error(path, root.items["insights"].key_line("min_people"),
                                 f"'min_people' is how many people or teams a theme must span, at least 1, not "
                                 f"{min_people}", "for example `min_people: 3`"))
    limits = _sub(root, "limits", _LIMIT_FIELDS, path, diagnostics)
    debriefs = _sub(root, "debriefs", _DEBRIEF_FIELDS, path, diagnostics)
    review = _sub(root, "review", _REVIEW_FIELDS, path, diagnostics)
    pagination = _sub(root, "pagination", _PAGINATION_FIELDS, path, diagnostics)
    feed = _sub(root, "feed", _FEED_FIELDS, path, diagnostics)
    per_page, picker_per_page = (_page_size(pagination, name, default, what, root, path, diagnostics)
                                 for name, default, what in (("per_page", 30, "items a list page shows"),
                                                             ("picker_per_page", 500, "stories a page of the "
                                                                                      "story picker shows")))
    feed_types: list[str] = []
    for name in feed.get("types") or ("talk", "case", "debrief"):
        ctype = content_type(name)
        if ctype is None:
            diagnostics.append(error(path, root.items["feed"].key_line("types"), f"feed type '{name}' is not a content type",
                                     "valid types: " + ", ".join(CONTENT_TYPES), root.items["feed"].key_col("types")))
        else:
            feed_types.append(ctype.name)
    for key in ("output", "content"):
        value = top.get(key)
        if value is not None and (Path(value).is_absolute() or ".." in Path(value).parts or not value.strip()):
            diagnostics.append(error(path, root.key_line(key), f"'{key}' must be a folder inside the site folder, not '{value}'",
                                     f"use a relative folder name such as `{key}: {'public' if key == 'output' else 'content'}`"))
    accent = (top.get("accent") or "").strip()
    if accent and not re.fullmatch(r"#[0-9a-fA-F]{6}", accent):
        diagnostics.append(error(path, root.key_line("accent"), f"'accent' must be a colour written #rrggbb, not "
                                 f"'{accent}'", "for example `accent: \"#0b5cad\"` (quoted: YAML reads # as a "
                                 "comment)"))
    for key in ("logo", "favicon"):
        value = (top.get(key) or "").strip().lstrip("/")
        if value and not (site_dir / "static" / value).is_file():
            diagnostics.append(error(path, root.key_line(key), f"'{key}' names static/{value}, which does not exist",
                                     f"put the image in {site_dir.name or '.'}/static/ or fix the name"))
    base_url = top.get("base_url") or "/"
    parts = urlsplit(base_url)
    if not (parts.scheme in ("http", "https") and parts.netloc) and not (base_url.startswith("/") and not parts.netloc):
        diagnostics.append(error(path, root.key_line("base_url"), f"'base_url' must be a full address or a path, not "
                                 f"'{base_url}'", "write where the site will live, with https://, e.g. "
                                 "`base_url: https://intranet.example/failures/`, or `/` for the root of any host"))
    return SiteConfig(
        site_dir=site_dir,
        title=top.get("title") or "",
        description=top.get("description") or "",
        base_url=base_url if base_url.endswith("/") else base_url + "/",
        language=top.get("language") or "en",
        theme=top.get("theme") or "default",
        output=top.get("output") or "public",
        content=top.get("content") or DEFAULT_CONTENT,
        public=bool(top.get("public")),
        footer=top.get("footer") or "",
        logo=(top.get("logo") or "").strip().lstrip("/"),
        favicon=(top.get("favicon") or "").strip().lstrip("/"),
        accent=(top.get("accent") or "").strip(),
        raw_html=bool(markdown.get("raw_html")),
        per_page=per_page,
        picker_per_page=picker_per_page,
        feed_limit=20 if feed.get("limit") is None else feed["limit"],
        feed_types=tuple(feed_types),
        taxonomies=taxonomy_defs(root.items.get("taxonomies"), path, diagnostics),
        types=_types(root.items.get("types"), path, diagnostics),
        anonymise=_anonymise(root.items.get("anonymise"), path, diagnostics),
        lint_rules=lint.get("rules") or "",
        lint_disable=tuple(lint.get("disable") or ()),
        guide_audience=curriculum.get("guide_audience") or "restricted",
        pdf=bool(curriculum.get("pdf")),
        most_modules=3 if curriculum.get("most_modules") is None else max(curriculum["most_modules"], 1),
        review=tuple((name, review.get(name) or default) for name, default in SiteConfig.review),
        severities=tuple(s.strip().lower() for s in debriefs.get("severities") or SEVERITIES),
        action_kinds=tuple(k.strip().lower() for k in debriefs.get("action_kinds") or ACTION_KINDS),
        render_seconds=30.0 if limits.get("render_seconds") is None else float(limits["render_seconds"]),
        page_megabytes=50.0 if limits.get("page_megabytes") is None else float(max(limits["page_megabytes"], 1)),
        bounds=Bounds(**{name: max(limits[name], 1) for name in Bounds.__dataclass_fields__
                         if limits.get(name) is not None}),
        consent_record_required=bool(consent.get("require_record")),
        recurrence_threshold=30 if threshold is None else threshold,
        min_people=3 if min_people is None else min_people,
        redirects_file=bool(top.get("redirects_file")),
        default_visibility=top.get("default_visibility") or "internal",
        hooks=tuple(top.get("hooks") or ()),
        strings=_strings(top.get("strings"), root, path, diagnostics),
    )


def _strings(value: Any, root: YamlNode, path: str, diagnostics: list[Diagnostic]) -> tuple[tuple[str, str], ...]:
    """site.yaml `strings:`: each of the theme's words (as the templates write them, in English) and what to show."""
    if not value:
        return ()
    pairs = []
    for key, text in value.items():
        if not isinstance(text, str) or not isinstance(key, str):
            diagnostics.append(error(path, root.key_line("strings"), f"'strings' maps each of the theme's words to "
                                     f"text, but '{key}' maps to {type(text).__name__}",
                                     'write `"Related stories": More like this`, one per line'))
            continue
        pairs.append((key, text))
    return tuple(sorted(pairs))


def taxonomy_defs(node: YamlNode | None, path: str, diagnostics: list[Diagnostic]) -> tuple[TaxonomyDef, ...]:
    """The built-in taxonomies with the site's overrides (`node`, the `taxonomies:` mapping) applied."""
    defaults = default_taxonomies()
    overrides = node.items if node is not None and node.kind == "map" else {}
    taxonomies = []
    for name in list(defaults) + [n for n in overrides if n not in defaults]:
        base = defaults.get(name, {})
        given = {}
        if name in overrides:
            if not slugify(name) == name.replace("_", "-"):
                diagnostics.append(error(path, node.key_line(name) if node else 1,  # type: ignore[union-attr]
                                         f"taxonomy name '{name}' must be lower-case letters, digits or hyphens",
                                         "rename the taxonomy, e.g. `moods`"))
                continue
            if name in {f.name for f in _TOP_FIELDS} or name in ("title", "summary", "date", "type"):
                diagnostics.append(error(path, node.key_line(name) if node else 1,  # type: ignore[union-attr]
                                         f"'{name}' cannot be a taxonomy name: it is a front-matter field",
                                         "choose another name for the taxonomy"))
                continue
            given = read_mapping(overrides[name], _TAXONOMY_FIELDS, path, {}, diagnostics, f"key in taxonomy '{name}'")
        terms = {slug: TermDef(slug, t.get("title", slug), t.get("description", ""), t.get("intervention", ""))
                 for slug, t in (base.get("terms") or {}).items()}
        terms_node = overrides[name].items.get("terms") if name in overrides else None
        for slug, term_node in (terms_node.items.items() if terms_node is not None else []):
            term = read_mapping(term_node, _TERM_FIELDS, path, {}, diagnostics, f"key in term '{slug}'") \
                if term_node.kind == "map" else {}
            old = terms.get(slugify(slug), TermDef(slugify(slug), slug))
            terms[old.slug] = TermDef(old.slug, term.get("title") or old.title,
                                      term.get("description") or old.description,
                                      term.get("intervention") or old.intervention)
        closed = given.get("closed")
        taxonomies.append(TaxonomyDef(
            name=name,
            title=given.get("title") or base.get("title") or name.replace("-", " ").capitalize(),
            description=given.get("description") or base.get("description", ""),
            closed=bool(base.get("closed")) if closed is None else closed,
            terms=tuple(terms.values()),
        ))
    return tuple(taxonomies)


def _page_size(pagination: dict[str, Any], name: str, default: int, what: str, root: YamlNode, path: str,
               diagnostics: list[Diagnostic]) -> int:
    """A page size of `pagination`: at least 1 (an error says where it is not)."""
    size = pagination.get(name)
    if size is None:
        return default
    if size < 1:
        diagnostics.append(error(path, root.items["pagination"].key_line(name), f"'{name}' must be at least 1",
                                 f"set `{name}:` to how many {what}, e.g. {default}",
                                 root.items["pagination"].key_col(name)))
    return max(size, 1)


def _types(node: YamlNode | None, path: str, diagnostics: list[Diagnostic]) -> tuple[tuple[str, TypeOptions], ...]:
    given: dict[str, dict[str, Any]] = {}
    if node is not None and node.kind == "map":
        for name, sub in node.items.items():
            ctype = content_type(name)
            if ctype is None:
                diagnostics.append(error(path, node.key_line(name), f"unknown content type '{name}'{did_you_mean(name, CONTENT_TYPES)}",
                                         "valid types: " + ", ".join(CONTENT_TYPES), node.key_col(name)))
                continue
            given[ctype.name] = read_mapping(sub, _TYPE_FIELDS, path, {}, diagnostics, f"key in type '{name}'") \
                if sub.kind == "map" else {}
    return tuple((name, TypeOptions(given.get(name, {}).get("title") or t.label,
                                    given.get(name, {}).get("description") or ""))
                 for name, t in CONTENT_TYPES.items())


def _anonymise(node: YamlNode | None, path: str, diagnostics: list[Diagnostic]) -> AnonymiseOptions:
    if node is None or node.kind != "map":
        return AnonymiseOptions()
    given = read_mapping(node, _ANONYMISE_FIELDS, path, {}, diagnostics, "key in 'anonymise'")
    rules = tuple(given.get("rules") or RULE_ORDER)
    for rule in rules:
        if rule not in RULE_ORDER:
            diagnostics.append(error(path, node.key_line("rules"), f"unknown anonymisation rule '{rule}'"
                                     f"{did_you_mean(rule, RULE_ORDER)}", "rules: " + ", ".join(RULE_ORDER)))
    if "registry" not in rules:
        diagnostics.append(error(path, node.key_line("rules"), "the 'registry' rule cannot be switched off",
                                 "keep `registry` in `rules`; reorder or remove the other rules"))
    patterns = []
    patterns_node = node.items.get("patterns")
    for element in (patterns_node.elements if patterns_node is not None and patterns_node.kind == "seq" else []):
        entry = read_mapping(element, _PATTERN_FIELDS, path, {}, diagnostics, "key of a pattern")
        if entry.get("pattern"):
            try:
                re.compile(entry["pattern"])
            except re.error as exc:
                diagnostics.append(error(path, element.line, f"invalid regular expression: {exc}",
                                         "fix the pattern (Python regular expression syntax)"))
                continue
            patterns.append((entry["pattern"], entry.get("replacement") or "[removed]"))
    if patterns_node is not None and patterns_node.kind != "seq":
        diagnostics.append(error(path, patterns_node.line, "'patterns' must be a list of `- pattern: ...` entries",
                                 "write one `- pattern:` (and optional `replacement:`) per pattern"))
    registry = given.get("registry") or ""
    published_from = ("static", "themes", "templates", "public")
    parts = Path(registry).parts
    if parts and (parts[0] in published_from or Path(registry).is_absolute() or ".." in parts):
        diagnostics.append(error(path, node.key_line("registry"), f"the registry '{registry}' is in a folder whose "
                                 "files are published or outside the site folder",
                                 "keep it in the site folder, outside static/, themes/, templates/ and the output, "
                                 "e.g. `registry: people.yaml`"))
    return AnonymiseOptions(registry, tuple(given.get("internal_domains") or ()), tuple(patterns),
                            tuple(dict.fromkeys(rules)), tuple(given.get("public_addresses") or ()),
                            bool(given.get("pseudonym_pages")),
                            tuple(p.strip().removeprefix("./") for p in given.get("unread_files") or () if p.strip()))
