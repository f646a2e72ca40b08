"""Machine-read outputs: the Atom feed, the sitemap and robots.txt."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import json
from typing import Callable

from failsite.site.insights import all_actions, export_record
from failsite.render.views import ItemView, SiteView

_EPOCH = "1970-01-01T00:00:00Z"


def _xml() -> tuple[Callable[[str], str], Callable[[str], str]]:
    """saxutils' `escape` and `quoteattr`, imported when a feed is made: the module imports urllib.request, which
    cost every command's start 15 ms, and most builds now make no feed."""
    from xml.sax import saxutils

    return saxutils.escape, saxutils.quoteattr


def _timestamp(date: dt.date | None) -> str:
    return f"{date.isoformat()}T00:00:00Z" if date else _EPOCH


def _author(item: ItemView) -> str:
    if item.type == "case":
        return " & ".join(str(a) for a in item.authors or ())
    return str(item.speaker) if item.type == "talk" else str(item.team or "") if item.type == "debrief" else ""


def atom_feed(views: SiteView, items: list[ItemView], self_path: str, title: str = "") -> bytes:
    """An Atom 1.0 feed of the given items (newest first); dates only, so the same input gives the same bytes."""
    escape, quoteattr = _xml()
    home = views.absolute_url("/")
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang={quoteattr(views.language)}>',
        f"  <title>{escape(views.anonymise(title) if title else views.title)}</title>",
        f"  <subtitle>{escape(views.description)}</subtitle>" if views.description else "",
        f"  <id>{escape(home)}</id>",
        f'  <link href={quoteattr(home)}/>',
        f'  <link rel="self" href={quoteattr(views.absolute_url(self_path))}/>',
        f"  <updated>{_timestamp(items[0].date if items else None)}</updated>",
        f"  <author><name>{escape(views.title)}</name></author>",
        '  <generator uri="https://pypi.org/project/failsite/">failsite</generator>',
    ]
    for item in items:
        url = views.absolute_url(item.path)
        author = _author(item)
        lines += [
            "  <entry>",
            f"    <title>{escape(item.title)}</title>",
            f"    <link href={quoteattr(url)}/>",
            f"    <id>{escape(url)}</id>",
            f"    <published>{_timestamp(item.date)}</published>",
            f"    <updated>{_timestamp(item.date)}</updated>",
            f"    <author><name>{escape(author)}</name></author>" if author else "",
            *(f"    <category term={quoteattr(term.slug)} label={quoteattr(term.title)}/>"
              for term in item.terms_in("patterns")),
            f"    <summary>{escape(item.summary)}</summary>",
            f'    <content type="html" xml:base={quoteattr(url)}>{escape(feed_html(views, str(item.content)))}</content>',
            "  </entry>",
        ]
    lines.append("</feed>")
    return ("\n".join(line for line in lines if line) + "\n").encode("utf-8")


_ANCHOR = re.compile(r'\s*<a class="header-anchor"[^>]*>#</a>')


def feed_html(views: SiteView, html: str) -> str:
    """A body as a feed reader shows it: without the headings' "#" links, with links to the site made absolute
    (readers resolve relative links inconsistently; `xml:base` is there for those that do)."""
    return str(views.absolute_links(_ANCHOR.sub("", html)))


def sitemap(views: SiteView, pages: list[tuple[str, dt.date | None]]) -> bytes:
    """sitemap.xml listing every HTML page with its date where it has one."""
    escape, _ = _xml()
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for path, date in sorted(pages, key=lambda page: page[0]):
        lastmod = f"<lastmod>{date.isoformat()}</lastmod>" if date else ""
        lines.append(f"  <url><loc>{escape(views.absolute_url(path))}</loc>{lastmod}</url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def robots_txt(views: SiteView) -> bytes:
    """Keep search engines out unless the site says it is public."""
    if not views.public:
        return b"User-agent: *\nDisallow: /\n"
    return f"User-agent: *\nAllow: /\nSitemap: {views.absolute_url('/sitemap.xml')}\n".encode("utf-8")


def redirect_page(views: SiteView, item: ItemView) -> bytes:
    """The page left at an old address: it sends the reader (and search engines, through its canonical link) to
    where the item is now."""
    escape, quoteattr = _xml()
    target, canonical = views.url(item.path), views.absolute_url(item.path)
    title = escape(str(item.title))
    return (f'<!doctype html>\n<html lang={quoteattr(views.language)}>\n<head>\n<meta charset="utf-8">\n'
            f"<title>{title} · {escape(views.title)}</title>\n<link rel=\"canonical\" href={quoteattr(canonical)}>\n"
            f'<meta http-equiv="refresh" content={quoteattr("0; url=" + target)}>\n'
            f'<meta name="robots" content="noindex">\n</head>\n<body>\n'
            f"<p>This page has moved: <a href={quoteattr(target)}>{title}</a>.</p>\n</body>\n</html>\n").encode("utf-8")


def redirects_file(views: SiteView) -> bytes:
    """`_redirects` (Netlify, Cloudflare Pages and others read it): each old address and where it went, 301."""
    lines = [f"{views.url(alias)} {views.url(item.url)} 301" for item in views.site.items for alias in item.aliases]
    return ("\n".join(sorted(lines)) + "\n").encode("utf-8") if lines else b""


def json_index(views: SiteView) -> bytes:
    """/index.json: every published item's metadata, for other tools (documented in the README)."""
    records = [export_record(i, views.absolute_url(i.url)) for i in views.site.items]
    document = {"site": {"title": views.title, "url": views.absolute_url("/")}, "items": records}
    return (html_safe_json(document) + "\n").encode("utf-8")


_HTML_SIGNIFICANT = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                     ("\u2029", "\\u2029"))


def html_safe_json(data: object) -> str:
    """JSON whose strings escape <, > and & (and the JavaScript line separators), so a consumer that puts a
    title into a page as HTML, or the JSON into a <script>, is never handed markup."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for character, escaped in _HTML_SIGNIFICANT:  # str.replace, each in one pass: translate looks up every char
        text = text.replace(character, escaped)
    return text


def actions_csv(views: SiteView) -> bytes:
    """Every action item of every published debrief: what, owner (as published), due, status, overdue, link."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["what", "owner", "due", "status", "overdue", "debrief", "url"])
    for action in all_actions(views.site):
        debrief = views.site.by_key[action.debrief_key]
        writer.writerow([action.text, action.owner, action.due.isoformat() if action.due else "", action.status,
                         "yes" if action.overdue else "no", debrief.title, views.absolute_url(debrief.url)])
    return buffer.getvalue().encode("utf-8")
