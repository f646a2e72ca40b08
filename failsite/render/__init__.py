"""Render: a Site -> output files (HTML pages, feeds, search index, static files).

Takes a Site, a Theme and the anonymiser; gives Written outputs (path, hash, the items each
shows) in the staging folder, each page written through output.staging by the worker that made
it. Open `renderer.py` first, then `plans.py` (which pages exist), `views.py` (what templates
see), `markdown.py`, `theme.py`, `feeds.py`, `search.py` (Pagefind) and `charts.py`.
"""
