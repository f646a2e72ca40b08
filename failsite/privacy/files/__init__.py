"""Every file that leaves the site, read and cleaned by a reader for its kind.

Takes a file's bytes; gives them without the metadata its kind carries (camera and author
fields, comments, document properties) and every text a reader could still find in them, each
with its place in the file (`page 2`, `EXIF`, `ppt/notesSlides/notesSlide1.xml`). A file is
identified by its content, never its name, and a file of a kind no reader understands is refused
(`Refused`) unless the site lists it as reviewed. Open `door.py` first (the kinds and the two
entry points, `clean` and `read`), then `check.py` (the door for a build's static and story
files, reporting by the file the author wrote); one reader per kind: `images`, `pdfs`,
`documents` (Office Open XML, OpenDocument), `archives` (zip, tar, gzip), `texts` (plain
text, SVG, RTF), `media` (MP4 and QuickTime video), with `strings` for text in binary data.
"""
