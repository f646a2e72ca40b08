"""Content: the site's source files -> validated, typed Items.

Takes site.yaml and the markdown files under content/; gives a SiteConfig and one Item per
source, with every mistake as a located Diagnostic. Open `ingest.py` first (the stage), then
`items.py` (the Item and how a file becomes one) and `schema.py` (every type and field).
Also here: `config` (site.yaml), `discover`, `frontmatter`, `yamlnodes`, `slugs`, `archetypes`.
"""
