"""The site as data: published Items -> a Site (URLs, links, taxonomies, insights).

Takes anonymised Items, the config and the audience; gives a frozen Site that the renderer
reads and never changes. Open `assemble.py` first; `taxonomy.py` makes the term pages' data,
`insights.py` the curriculum and insight views' data, `lint.py` the writing help of `check`.
"""
