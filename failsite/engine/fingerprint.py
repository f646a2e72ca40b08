"""Stable hashes of what a build depends on, shared by the build cache and the up-to-date stamp.

Kept free of heavy imports: `failsite build` consults the stamp before it loads the pipeline.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from failsite import __version__

# Beside the site: what one build leaves for the next (git-ignored).
CACHE_DIR = ".failsite-cache"

# Libraries whose version can change what a build writes, byte for byte.
OUTPUT_SHAPING_PACKAGES = ("jinja2", "markdown-it-py", "mdit-py-plugins", "pyyaml", "pagefind-bin", "pyahocorasick", "nh3", "pillow",
                           "icalendar", "babel", "pygments", "linkify-it-py", "markupsafe")


def digest(*parts: object) -> str:
    """A stable hash of the parts: text and bytes as they are, anything else by its repr; each part is tagged with
    its kind and length, so no two different lists of parts hash alike."""
    hasher = hashlib.sha256()
    for part in parts:
        if type(part) is str:  # as it is: a repr copied a long text (a body) once more and escaped it
            kind, data = b"s", part.encode("utf-8", "surrogatepass")
        elif type(part) is bytes:
            kind, data = b"b", part
        else:
            kind, data = b"r", repr(part).encode("utf-8", "surrogatepass")
        hasher.update(b"%s%d:" % (kind, len(data)))
        hasher.update(data)
    return hasher.hexdigest()


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of failsite's own source and data files and of the versions of the libraries that shape its
    output: a changed renderer must not reuse old bodies, nor call an old output up to date."""
    package = Path(__file__).resolve().parent.parent  # the failsite package
    versions = []
    for name in OUTPUT_SHAPING_PACKAGES:
        try:
            versions.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} missing")
    files = sorted(p for p in package.rglob("*") if p.suffix in (".py", ".yaml") and "__pycache__" not in p.parts)
    return digest(__version__, *versions, *(path.read_bytes() for path in files))
