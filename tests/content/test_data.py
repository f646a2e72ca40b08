"""Data files: YAML, JSON and CSV under data/, for templates as site.data.<name>, anonymised and audited."""

from __future__ import annotations

from conftest import CONFIG, REGISTRY, SiteMaker, all_output, build, build_errors, html, talk, text_of

TEMPLATE = """{% extends "base.html" %}
{% block main %}<ul class="leads">{% for lead in site.data.leads %}<li>{{ lead.name }}: {{ lead.team }}</li>{% endfor %}</ul>
<p class="motto">{{ site.data.settings.motto }}</p><p class="count">{{ site.data.numbers | length }}</p>{% endblock %}
"""


def test_data_files_reach_templates_anonymised(make_site: SiteMaker) -> None:
    site = make_site({
        "people.yaml": REGISTRY, "content/talks/a.md": talk("A"), "templates/home.html": TEMPLATE,
        "data/leads.csv": "name,team\nDana Whitfield,Platform\nJordan Example,Ops\n",
        "data/settings.yaml": "motto: Ask Dana first\n",
        "data/numbers.json": "[1, 2, 3]\n",
    }, CONFIG)
    build(site)
    page = html(site, "index.html")
    assert [text_of(li) for li in page.select(".leads li")] == ["The Product Lead: Platform", "Jordan Example: Ops"]
    assert text_of(page.select_one(".motto")) == "Ask The Product Lead first"
    assert text_of(page.select_one(".count")) == "3"
    assert "whitfield" not in all_output(site)


def test_data_file_mistakes_are_errors_with_their_line(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/a.md": talk(), "data/bad.json": '{\n  "a": 1,\n}\n',
                      "data/rows.csv": "a,b\n1,2\n3\n", "data/team-leads.yaml": "a: 1\n",
                      "data/broken.yaml": "a: [1\n"})
    errors = build_errors(site)
    assert any(e.startswith("data/bad.json:3:1: error: invalid JSON") for e in errors), errors
    assert "data/rows.csv:3:1: error: this row has 1 cells and the header has 2" in errors
    assert any(e.startswith("data/team-leads.yaml:1:1: error: 'team-leads' cannot be used") for e in errors)
    assert any(e.startswith("data/broken.yaml:") for e in errors)
