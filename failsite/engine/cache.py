"""The build cache in SITE_DIR/.failsite-cache: what a later build may reuse, keyed by content hashes.

Only work whose result is a pure function of what the key hashes is cached, so a hit can never
serve a stale page:
- a source's parsed and anonymised item with its diagnostics (content.ingest), and, by the
  settings it was made with, each source's cache key with the size and time the file had when
  read, so that an unchanged file is not read again;
- a markdown body, kept only while its links still resolve the same way (render.renderer): what every build
  needs of it (its links, warnings, prose fields and the hash of its HTML) apart from its HTML, which is read
  only for the pages rendered, by the worker rendering them;
- a page's record (its key, the items it showed with their digests, the hash of its bytes), so an
  unchanged page is taken from the previous output instead of rendered (render.renderer.PageReuse);
- the leak audit's verdict on a file, kept only for clean files;
- each search bundle's files and warnings (render.search), stored as bytes, never linked to the
  published files, so nothing written to the output can change the cache or the reverse;
- a story folder's photo without its metadata, and its smaller copies, keyed by the photo's bytes;
- Jinja's compiled templates, which Jinja checks against each template's source.

The store is one SQLite database (`cache.sqlite3`, WAL mode): a row per entry, keyed by its
namespace and hash, with a SHA-256 checksum of its value checked on every read. A build reads
only the rows it asks for, writes only the rows that are new, and prunes the rows it did not
use. Any damage (a flipped byte, a truncated file, a folder where the database should be, the
cache folder turned into a file) costs a warning and a rebuild of what was lost, never a
traceback or a wrong page.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from failsite import __version__
from failsite.engine.fingerprint import CACHE_DIR, code_fingerprint
from failsite.engine.collector import loading
from failsite.errors import Diagnostic, warning

DATABASE = "cache.sqlite3"
_FORMAT = 2  # 2: an index of the keys alone
CHECKS = "checks"  # what `check` found in each source: written by `check` alone (`save(only=CHECKS)`)
_NAMESPACES = ("items", "bodies", "html", "pages", "clean", "search", "media", "sources", "editions", "surfaces", CHECKS)
# What earlier versions kept and this one no longer reads.
_OBSOLETE = ("build.pickle", "build.pickle.tmp", "search")

# What the stages keep here, opaque to the cache: a parsed item with its diagnostics (content.ingest)
# and a rendered body (render.renderer.BodyRecord and its HTML) are the stages' own types.
Parsed = tuple[Any, list[Diagnostic]]
# What reading a damaged entry can raise, from the database or from unpickling what a flipped byte left.
_READ_FAILURES = (sqlite3.DatabaseError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError,
                  TypeError, ValueError)


class CacheDamaged(Exception):
    """A cache entry or the database failed its check."""


class Namespace:
    """The entries of one kind, read from the database on demand and checked against their checksums."""

    def __init__(self, store: "BuildCache", name: str):
        self._store, self._name = store, name

    def get(self, key: str) -> Any:
        """The value kept under `key`, or None when there is none (or it was damaged: then with a warning)."""
        return self._store.read(self._name, key)

    def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        """The values kept under those of `keys` that have one (all of them, or none once damage is found)."""
        return self._store.read_many(self._name, keys)

    def keys(self) -> Iterable[str]:
        """Every key kept in this namespace."""
        return self._store._keys(self._name)

    def __contains__(self, key: str) -> bool:
        return self.get(key) is not None

    def __getitem__(self, key: str) -> Any:
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __setitem__(self, key: str, value: Any) -> None:
        self._store.fresh[self._name][key] = value


@dataclass
class BuildCache:
    """What the last build left for this one; `used_*` collect what this build wants kept.

    `path` is the cache folder; with `database=None` the cache starts empty (`--no-cache`) and
    this build's entries replace whatever was there."""

    path: Path
    database: sqlite3.Connection | None = None
    warnings: list[Diagnostic] = field(default_factory=list)
    fresh: dict[str, dict[str, Any]] = field(default_factory=lambda: {n: {} for n in _NAMESPACES})
    used: dict[str, set[str]] = field(default_factory=lambda: {n: set() for n in _NAMESPACES})
    item_keys: dict[str, str] = field(default_factory=dict)  # this build's source key -> its item's cache key
    verified: dict[str, frozenset[str]] = field(default_factory=dict)  # keys already stored, by namespace
    # Rows pickled ahead of `save` (while the build waits for Pagefind), with the value each was made from.
    _rows: dict[tuple[str, str], tuple[Any, tuple[str, str, bytes, str]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.items, self.bodies, self.html, self.pages, self.search, self.media, self.sources, self.editions, \
            self.surfaces = (Namespace(self, n) for n in ("items", "bodies", "html", "pages", "search", "media",
                                                          "sources", "editions", "surfaces"))
        self.checks = Namespace(self, CHECKS)
        # An item or a body is made again under the key it was kept under when what the key does not hash changed
        # (a consent decision that held only until a day; a link whose target moved): those namespaces replace too.
        self.used_items = _Recorder(self, "items", replaces=True)
        self.used_bodies = _Recorder(self, "bodies", replaces=True)
        self.used_html = _Recorder(self, "html", replaces=True)
        self.used_pages = _Recorder(self, "pages", replaces=True)
        self.used_sources = _Recorder(self, "sources", replaces=True)  # what each source was when read, by settings
        self.used_search = _Recorder(self, "search")
        self.used_media = _Recorder(self, "media")
        # An item's digest -> its surface's; every surface's -> what is worked out from them alone (render.renderer).
        self.used_surfaces = _Recorder(self, "surfaces")
        # What each audience's last build used of the media (photos' smaller copies), kept for the others' builds.
        self.used_editions = _Recorder(self, "editions", replaces=True)
        self.used_checks = _Recorder(self, CHECKS)
        self.used_clean = _KeyRecorder(self, "clean")
        self._clean: frozenset[str] | None = None
        self._pid = os.getpid()  # the process whose connection `database` is
        self._forked: tuple[int, sqlite3.Connection | None] = (0, None)  # a forked worker's own connection

    def keep_media(self, owner: str, keys: Iterable[str]) -> None:
        """Record the media rows `owner` used in this build (one audience's photo copies, its printed kits), and keep
        the rows every other owner recorded: a build keeps only the rows it uses, and the next build for another
        audience, or without --pdf, would otherwise make them all again."""
        self.used_editions[owner] = sorted(keys)
        others = [other for other in self.editions.keys() if other != owner]
        for other, used in self.editions.get_many(others).items():
            self.used_editions.keep(other)
            for key in used:
                self.used_media.keep(key)

    @property
    def clean(self) -> frozenset[str]:
        """Every audit key of a file found clean before, read at once (the audit's workers get a copy)."""
        if self._clean is None:
            self._clean = frozenset(self._keys("clean"))
        return self._clean

    def read(self, namespace: str, key: str) -> Any:
        """A kept value, checked and unpickled; None when absent or damaged."""
        if key in self.fresh[namespace]:
            return self.fresh[namespace][key]
        database = self._connection()
        if database is None:
            return None
        try:
            row = database.execute("SELECT value, checksum FROM entries WHERE namespace = ? AND key = ?",
                                   (namespace, key)).fetchone()
            if row is None:
                return None
            return _unpickled(namespace, *row)
        except (CacheDamaged, *_READ_FAILURES) as exc:
            if database is self.database:
                self._damaged(exc)
            else:  # a forked worker: its warning goes back with its results, and the build sets the cache aside
                self.warnings.append(damage_warning(exc))
            return None

    def _connection(self) -> sqlite3.Connection | None:
        """The database as this process may read it: a forked worker must not use its parent's connection, and
        opens one of its own, read only (the build writes nothing to the database before it saves)."""
        if self.database is None or os.getpid() == self._pid:
            return self.database
        pid, database = self._forked
        if pid != os.getpid():
            try:
                database = sqlite3.connect(f"file:{self.path / DATABASE}?mode=ro", uri=True)
            except sqlite3.Error:
                database = None
            self._forked = (os.getpid(), database)
        return database

    def read_many(self, namespace: str, keys: Iterable[str]) -> dict[str, Any]:
        """`read` for many keys in one query (a build asks for nearly every row of a namespace: one query read
        them a quarter faster than a query each)."""
        wanted = set(keys)
        found = {key: self.fresh[namespace][key] for key in wanted if key in self.fresh[namespace]}
        if self.database is None:
            return found
        try:
            with loading():
                for key, value, checksum in self.database.execute(
                        "SELECT key, value, checksum FROM entries WHERE namespace = ?", (namespace,)):
                    if key in wanted and key not in found:
                        found[key] = _unpickled(namespace, value, checksum)
            return found
        except (CacheDamaged, *_READ_FAILURES) as exc:
            self._damaged(exc)
            return {key: value for key, value in found.items() if key in self.fresh[namespace]}

    def _keys(self, namespace: str) -> Iterable[str]:
        if self.database is None:
            return ()
        try:
            return [k for (k,) in self.database.execute("SELECT key FROM entries WHERE namespace = ?", (namespace,))]
        except sqlite3.DatabaseError as exc:
            self._damaged(exc)
            return ()

    def _damaged(self, exc: Exception) -> None:
        self.warnings.append(damage_warning(exc))
        self.set_aside()

    def set_aside(self) -> None:
        """Stop trusting the database: this build renders what it needed, and writes a new one."""
        self._close()
        self.database = None

    def _close(self) -> None:
        if self.database is not None:
            try:
                self.database.close()
            except sqlite3.Error:
                pass

    def compiled_templates(self) -> Path:
        """The folder for Jinja's compiled templates, one per version of failsite's code (the others removed)."""
        folder = self.path / "templates"
        current = folder / code_fingerprint()[:16]
        if folder.is_dir():
            for other in folder.iterdir():
                if other != current:
                    shutil.rmtree(other, ignore_errors=True)
        current.mkdir(parents=True, exist_ok=True)
        return current

    def prepare(self) -> None:
        """Pickle what this build has made so far, so that `save` has only what comes after to do: the build calls
        it while an external indexer has the machine."""
        for namespace, values in self.fresh.items():
            for key, value in values.items():
                if key in self.used[namespace] and (namespace, key) not in self._rows:
                    self._rows[(namespace, key)] = (value, _row(namespace, key, value))

    def _row(self, namespace: str, key: str, value: Any) -> tuple[str, str, bytes, str]:
        prepared = self._rows.get((namespace, key))
        return prepared[1] if prepared is not None and prepared[0] is value else _row(namespace, key, value)

    def save(self, only: str = "") -> list[Diagnostic]:
        """Keep what this build used: write the new rows, drop the unused ones. A cache that cannot be written
        is a warning (the build itself succeeded). With `only` (`check`, which keeps its findings under "checks"),
        that namespace alone is written and pruned, and every other row stays as the last build left it; a build
        leaves the "checks" rows as the last check left them."""
        def kept_here(namespace: str) -> bool:
            return namespace == only if only else namespace != CHECKS
        try:
            database = self.database or _create(self.path)
            with database:
                # The unused rows found here, not by the database: giving it every used key to compare took 0.24 s
                # of an edit at 10,000 talks, and an edit leaves few rows unused.
                listed = database.execute("SELECT namespace, key FROM entries WHERE namespace = ?", (only,)) if only \
                    else database.execute("SELECT namespace, key FROM entries")
                unused = [(n, k) for n, k in listed if kept_here(n) and k not in self.used.get(n, ())]
                database.executemany("DELETE FROM entries WHERE namespace = ? AND key = ?", unused)
                # In key order: the table is kept in key order, and random inserts of large rows took twice as long.
                rows = sorted(self._row(namespace, key, value) for namespace, values in self.fresh.items()
                              if kept_here(namespace) for key, value in values.items() if key in self.used[namespace])
                database.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?)", rows)
            database.close()
            self.database = None
            (self.path / ".gitignore").write_text("*\n")
            return []
        except (OSError, sqlite3.Error) as exc:
            self._close()
            return [warning(f"{CACHE_DIR}/{DATABASE}", 1, f"the build cache could not be saved: {exc}",
                            "the site was checked; the next check reads every source again" if only else
                            "the site was built and published; the next build renders everything again")]


class _Recorder:
    """`cache.used_x[key] = value`: this build used (or made) the value under key; keep it.

    The search bundles and photos are keyed by a hash of everything their value is made from, so a
    key already stored holds that value and is not written again. With `replaces`, a key's value can
    change (a page's record, kept under its output path; an item or body made again under the same
    key): a value given is always written, and `keep(key)` keeps the stored one."""

    def __init__(self, store: BuildCache, namespace: str, replaces: bool = False):
        self._store, self._namespace, self._replaces = store, namespace, replaces

    def __setitem__(self, key: str, value: Any) -> None:
        self._store.used[self._namespace].add(key)
        if self._replaces or self._store.database is None or key not in self._known():
            self._store.fresh[self._namespace][key] = value

    def keep(self, key: str) -> None:
        """This build used the value stored under key, as it is."""
        self._store.used[self._namespace].add(key)

    def __getitem__(self, key: str) -> Any:
        return self._store.read(self._namespace, key)

    def _known(self) -> frozenset[str]:
        """Keys already stored with a value that checked out when read (those are not written again)."""
        known = self._store.verified.get(self._namespace)
        if known is None:  # read once per build: reading them per value made every build quadratic in the site
            known = self._store.verified[self._namespace] = frozenset(self._store._keys(self._namespace))
        return known


class _KeyRecorder:
    """`cache.used_clean.add(key)`: a verdict this build relies on or found."""

    def __init__(self, store: BuildCache, namespace: str):
        self._store, self._namespace = store, namespace

    def add(self, key: str) -> None:
        self._store.used[self._namespace].add(key)
        if self._store.database is None or key not in self._store.clean:
            self._store.fresh[self._namespace].setdefault(key, True)


_DAMAGED = "the build cache is damaged and was set aside"


def damage_warning(exc: Exception) -> Diagnostic:
    """The warning of a cache found damaged."""
    return warning(f"{CACHE_DIR}/{DATABASE}", 1, f"{_DAMAGED}: {exc}",
                   "nothing to do: this build renders everything it needed again")


def reports_damage(diagnostic: Diagnostic) -> bool:
    """Whether a diagnostic is the warning of a damaged cache (as a worker found it, say)."""
    return diagnostic.path == f"{CACHE_DIR}/{DATABASE}" and diagnostic.message.startswith(_DAMAGED)


def _unpickled(namespace: str, data: bytes, checksum: str) -> Any:
    """A stored value, once its bytes match the checksum they were stored with (CacheDamaged when they do not)."""
    if hashlib.sha256(data).hexdigest() != checksum:
        raise CacheDamaged(f"an entry of '{namespace}' does not match its checksum")
    return pickle.loads(data)


def _row(namespace: str, key: str, value: Any) -> tuple[str, str, bytes, str]:
    """A value as stored: pickled, with the checksum that is checked when it is read."""
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return namespace, key, data, hashlib.sha256(data).hexdigest()


def _create(folder: Path) -> sqlite3.Connection:
    """A new, empty database in the cache folder (whatever stood there before is removed)."""
    _clear(folder / DATABASE)
    for suffix in ("-wal", "-shm"):
        _clear(folder / (DATABASE + suffix))
    database = _connect(folder / DATABASE)
    with database:
        database.execute("CREATE TABLE entries (namespace TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL, "
                         "checksum TEXT NOT NULL, PRIMARY KEY (namespace, key)) WITHOUT ROWID")
        # The keys alone, for the queries that list them (what a build has not used, what is stored): the table
        # holds every value beside its key, so listing its keys read all of it (230 MB at 10,000 talks).
        database.execute("CREATE INDEX keys ON entries (namespace, key)")
        database.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
        database.executemany("INSERT INTO meta VALUES (?, ?)",
                             (("format", str(_FORMAT)), ("version", __version__), ("code", code_fingerprint())))
    return database


def _connect(path: Path) -> sqlite3.Connection:
    database = sqlite3.connect(str(path), isolation_level="DEFERRED", check_same_thread=False)
    database.execute("PRAGMA journal_mode=WAL")
    database.execute("PRAGMA synchronous=NORMAL")
    return database


def _clear(path: Path) -> None:
    """Remove a file or folder, whichever it is."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists() or path.is_symlink():
        path.unlink()


def prepare_cache_folder(site_dir: Path) -> tuple[Path, list[Diagnostic]]:
    """The site's cache folder, made a folder if something else stood in its place, with what earlier versions
    left removed."""
    folder = site_dir / CACHE_DIR
    found: list[Diagnostic] = []
    if folder.exists() and not folder.is_dir():
        _clear(folder)
        found.append(warning(CACHE_DIR, 1, "the build cache was not a folder and was replaced",
                             "nothing to do: this build renders everything and writes a new cache"))
    folder.mkdir(parents=True, exist_ok=True)
    for name in _OBSOLETE:
        if (folder / name).exists():
            _clear(folder / name)
    return folder, found


def load_cache(site_dir: Path, use: bool = True) -> tuple[BuildCache, list[Diagnostic]]:
    """The site's build cache (an empty one with `use=False`, or when the old one cannot be trusted: then with a
    warning saying why)."""
    folder, found = prepare_cache_folder(site_dir)
    path = folder / DATABASE
    if not use:  # nothing of the old cache is trusted, the compiled templates included
        shutil.rmtree(folder / "templates", ignore_errors=True)
    if not use or not path.exists():
        return BuildCache(folder), found
    try:
        if not path.is_file():
            raise CacheDamaged("it is not a file")
        database = _connect(path)
        meta = dict(database.execute("SELECT name, value FROM meta").fetchall())
        if meta != {"format": str(_FORMAT), "version": __version__, "code": code_fingerprint()}:
            database.close()
            return BuildCache(folder), found  # another version of failsite: nothing in it is valid
        return BuildCache(folder, database), found
    except (CacheDamaged, sqlite3.DatabaseError, OSError) as exc:
        return BuildCache(folder), found + [warning(f"{CACHE_DIR}/{DATABASE}", 1, f"the build cache was discarded: {exc}",
                                                    "nothing to do: this build renders everything and writes a new cache")]


def store_tree(folder: Path) -> dict[str, bytes]:
    """Every file below a folder with its bytes, to keep in the cache (copied, never linked)."""
    return {os.path.relpath(os.path.join(root, name), folder): Path(root, name).read_bytes()
            for root, _, names in os.walk(folder) for name in sorted(names)}
