"""`failsite import hugo|jekyll|mkdocs`: another tool's blog as failsite items, losing nothing silently.

Takes a source folder (a Hugo, Jekyll or MkDocs Material site), a site folder and the type the
posts become; gives items written under the site's content folder with the files they use beside
them, their old addresses as aliases, a manifest (`.failsite-import.json`) for importing again,
and a report of what was mapped and what needs a person. Open `run.py` first: it reads the source
(`sources.py` and a module per tool: `hugo.py`, `jekyll.py`, `mkdocs.py`), converts each body
(`hugo_shortcodes.py`, `jekyll_liquid.py`, `mkdocs.py`, with what they share in `body.py`) and its
front matter (`fields.py`), links the posts to each other, and writes what `manifest.py` decides.
"""

from failsite.content.importers.report import ImportReport
from failsite.content.importers.run import TOOLS, import_site

__all__ = ["TOOLS", "ImportReport", "import_site"]
