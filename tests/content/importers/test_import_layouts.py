"""`failsite import`: a Hugo, Jekyll or MkDocs Material blog, in each tool's documented layout, becomes a site that
builds with no errors, keeps its old addresses as aliases, and says what needs a human; what it cannot map is listed
by file and line."""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

from PIL import Image

from conftest import build, html, run_cli, text_of


def image(kind: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "navy").save(buffer, kind)
    return buffer.getvalue()


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content) if isinstance(content, bytes) else path.write_text(textwrap.dedent(content).lstrip())
    return root


def run_import(tool: str, source: Path, site: Path, *options: str) -> tuple[int, str]:
    return run_cli("import", tool, str(source), str(site), *options)


def test_a_hugo_site_with_toml_and_yaml_front_matter_and_a_page_bundle(tmp_path: Path) -> None:
    source = write(tmp_path / "hugo", {
        "content/posts/first.md": """
            +++
            title = "We shipped on a Friday"
            date = 2024-03-01T10:00:00Z
            description = "A release that went wrong."
            author = "Jordan Example"
            tags = ["release"]
            categories = ["ops"]
            series = "Launches"
            +++
            It went wrong. ![the graph](/images/graph.png) <!--more--> See [the board](bundle/index.md).
            """,
        "content/posts/bundle/index.md": """
            ---
            title: The bundle post
            date: 2024-04-02
            author: Avery Example
            ---
            See ![board](board.jpg) and [the first post](../first.md) and [a lost one](../gone.md).
            """,
        "content/posts/bundle/board.jpg": image("JPEG"),
        "static/images/graph.png": image(),
    })
    site = tmp_path / "site"
    code, report = run_import("hugo", source, site, "--as", "talk")
    assert code == 0
    assert "imported 2 posts" in report and "description -> summary (1)" in report
    assert "kept under extra: series (1)" in report
    assert "people to register in the registry (or their names are published as written): Avery Example, " \
           "Jordan Example" in report
    assert "needs a human: content/posts/bundle/index.md: the link '../gone.md' leads to no imported post" in report
    result = build(site)
    assert [w for w in result.warnings if w.severity == "error"] == []
    page = html(site, "talks/first/index.html")
    assert text_of(page.select_one(".byline")).startswith("A talk by Jordan Example")
    assert page.select_one(".prose img")["src"] == "/talks/first/graph.png"
    assert page.find("a", string="the board")["href"] == "/talks/bundle/"
    assert "more" not in text_of(page.select_one(".prose"))
    old = html(site, "posts/first/index.html")  # the old address sends readers on
    assert old.find("meta", attrs={"http-equiv": "refresh"})["content"] == "0; url=/talks/first/"
    assert (site / "content/talks/bundle/board.jpg").exists()
    code, report = run_import("hugo", source, site)  # nothing changed: nothing written
    assert "imported 0 posts from content/posts (0 updated, 2 unchanged)" in report


def test_a_jekyll_site_with_dated_post_files(tmp_path: Path) -> None:
    source = write(tmp_path / "jekyll", {
        "_posts/2023-11-05-the-quiet-outage.md": """
            ---
            layout: post
            title: "The quiet outage"
            excerpt: Nobody noticed for a day.
            categories: [infra, postmortems]
            author: Jordan Example
            ---
            ![map](/assets/map.png)
            """,
        "assets/map.png": image(),
    })
    site = tmp_path / "site"
    code, report = run_import("jekyll", source, site, "--type", "talk")
    assert code == 0 and "excerpt -> summary (1)" in report
    build(site)
    assert html(site, "talks/the-quiet-outage/index.html").select_one("time")["datetime"] == "2023-11-05"
    assert (site / "public/infra/postmortems/2023/11/05/the-quiet-outage.html").exists()


def test_an_mkdocs_material_blog_with_created_dates_and_assets(tmp_path: Path) -> None:
    source = write(tmp_path / "mkdocs", {
        "docs/blog/posts/cutover.md": """
            ---
            date:
              created: 2025-02-10
            authors: [jordan]
            categories: [Migrations]
            description: The cut-over that wasn't.
            slug: the-cutover
            ---
            # The cut-over

            First paragraph.

            <!-- more -->

            ![plan](../../assets/plan.png)
            """,
        "docs/assets/plan.png": image(),
        "docs/blog/.authors.yml": "authors:\n  jordan:\n    name: Jordan Example\n    description: Ops\n",
    })
    site = tmp_path / "site"
    code, report = run_import("mkdocs", source, site, "--type", "debrief")
    assert code == 0
    assert "no format, so it was imported as a page" in report  # a debrief needs its format: a person decides
    assert "Jordan Example" in report  # the author's name from .authors.yml, to register
    build(site)
    page = html(site, "the-cutover/index.html")
    assert page.select_one(".prose img")["src"] == "/the-cutover/plan.png"
    assert (site / "public/blog/2025/02/10/the-cutover/index.html").exists()


def test_what_cannot_be_mapped_is_listed_by_file_and_line_and_the_build_warns(tmp_path: Path) -> None:
    hugo = write(tmp_path / "hugo", {"hugo.toml": 'title = "H"\n', "content/posts/odd.md": """
        ---
        title: Odd
        date: 2024-01-01
        ---
        First line.

        {{< mystery "x" >}}
        """})
    jekyll = write(tmp_path / "jekyll", {"_posts/2024-01-01-odd.md": """
        ---
        title: Odd
        ---
        {% capture note %}Hi{% endcapture %}
        {{ page.missing | upcase }}
        """})
    mkdocs = write(tmp_path / "mkdocs", {"docs/blog/posts/odd.md": """
        ---
        date: 2024-01-01
        ---
        # Odd

        Built by {{ config.site_name }}.

        --8<-- "nowhere.md"
        """})
    _, report = run_import("hugo", hugo, tmp_path / "h")
    assert "  content/posts/odd.md:7: the shortcode '{{< mystery \"x\" >}}' has no failsite equivalent" in report
    item = (tmp_path / "h/content/cases/odd.md").read_text().splitlines()
    line = item.index('{{< mystery "x" >}}') + 1
    warnings = [w.format().splitlines()[0] for w in build(tmp_path / "h").warnings]
    assert f"content/cases/odd.md:{line}:1: warning: the shortcode '{{{{< mystery \"x\" >}}}}' is not one of " \
           "failsite's, so it is published as written" in warnings
    _, report = run_import("jekyll", jekyll, tmp_path / "j")
    assert "  _posts/2024-01-01-odd.md:4: the Liquid block '{% capture note %}' has no failsite equivalent" in report
    assert "  _posts/2024-01-01-odd.md:5: the Liquid expression '{{ page.missing | upcase }}' has no failsite " \
           "equivalent" in report
    _, report = run_import("mkdocs", mkdocs, tmp_path / "m")
    assert "  docs/blog/posts/odd.md:6: the macro '{{ config.site_name }}' has no failsite equivalent" in report
    assert "  docs/blog/posts/odd.md:8: the snippet 'nowhere.md' names a file that was not found" in report


def test_the_section_names_the_folder_of_the_posts(tmp_path: Path) -> None:
    source = write(tmp_path / "hugo", {
        "hugo.toml": 'title = "H"\n',
        "content/en/blog/a.md": "---\ntitle: A\ndate: 2024-01-01\nauthor: Alice Example and Bob Example\n---\nA.\n",
        "content/en/docs/one.md": "---\ntitle: One\n---\nDocs.\n",
        "content/en/docs/two.md": "---\ntitle: Two\n---\nDocs.\n",
        "content/en/blog/page.html": "---\ntitle: An HTML post\ndate: 2024-02-01\nauthor: Alice Example\n---\n<p>Written <em>in HTML</em>."
                                     "</p>\n<img src=\"pic.png\" alt=\"A picture\">\n",
        "content/en/blog/pic.png": image(),
    })
    site = tmp_path / "site"
    code, report = run_import("hugo", source, site, "--section", "content/en/nothing")
    assert code == 1 and "no posts to import: there is no content/en/nothing in" in report
    assert "hint: name a folder under" in report
    code, report = run_import("hugo", source, site, "--section", "content/en/blog", "--type", "talk")
    assert code == 0 and "imported 2 posts from content/en/blog" in report
    assert "speaker: Alice Example and Bob Example" in (site / "content/talks/a.md").read_text()
    assert "raw_html: true" in (site / "site.yaml").read_text()  # an HTML post is shown as HTML
    build(site)
    page = html(site, "talks/page/index.html")
    assert text_of(page.select_one(".prose em")) == "in HTML" and page.select_one(".prose img")["alt"] == "A picture"
    assert not (site / "content/talks/one.md").exists()


def test_a_hugo_site_translated_by_file_name_imports_its_default_language(tmp_path: Path) -> None:
    source = write(tmp_path / "hugo", {
        "hugo.toml": 'defaultContentLanguage = "de"\n[languages.de]\nweight = 1\n[languages.en]\nweight = 2\n',
        "content/post/launch/index.de.md": "---\ntitle: Der Start\ndate: 2021-04-11\n---\n{{< ref \"other\" >}}\n",
        "content/post/launch/index.en.md": "---\ntitle: The launch\ndate: 2021-04-11\n---\nText.\n",
        "content/post/other/index.de.md": "---\ntitle: Anderes\ndate: 2021-04-12\n---\nText.\n",
        "content/post/other/index.en.md": "---\ntitle: Other\ndate: 2021-04-12\n---\nText.\n",
    })
    code, report = run_import("hugo", source, tmp_path / "site")
    assert code == 0 and "imported 2 posts from content/post" in report
    assert "skipped: 2 translations in 1 other languages (en): a failsite site has one language, and the site's " \
           "default (de) was imported" in report
    item = (tmp_path / "site/content/cases/launch.md").read_text()
    assert "title: Der Start" in item and "[Anderes](other.md)" in item and "- /post/launch/" in item
