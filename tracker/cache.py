"""The parse cache: each record file's validated result, reused while the file is unchanged.

Parsing TOML is most of the cost of reading a large records directory, so each
file's outcome (its record and the problems found in it alone) is kept in one
file, RECORDS/.tracker-cache/records.pickle, which git ignores. Rules across
files (unique IDs, links that resolve, future dates) are never cached: they run
on every load.

When is a file unchanged? When its size, modification time, change time and
inode are all as they were. The change time cannot be set by any tool, and the
inode changes when an editor saves by writing a new file and renaming it. Time
stamps have a granularity (up to 2 s on some file systems), so a file changed
twice within one tick could keep its stamps while its bytes changed. A file is
therefore only cached once its times are more than MARGIN_NS older than the
moment it was read; until then it is parsed on every load.

The cache is never trusted blindly. A file written by another version of
tracker, for another spelling of the records path, for another directory (a
copy), or that cannot be read for any reason is ignored and rebuilt without a
word. The cache is a pickle, and pickles can run code, so it is read with an
unpickler that can build only tracker's own record types; a cache file that
arrived from elsewhere (committed to git despite the ignore rule) can at worst
hold entries whose stamps never match.
"""

from __future__ import annotations

import array
import gc
import os
import pickle
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

from . import __version__

FOLDER = ".tracker-cache"
FILE = "records.pickle"
FORMAT = 2  # bump when what is stored changes shape
MARGIN_NS = 2_000_000_000
SLOW_FILES = 5000  # parsing this many files takes about a second: worth a progress bar
NEVER = (-1, -1, -1, -1)  # the stamp of a file too fresh to cache: matches no real file

# The only things the cache may build: tracker's records, dates, and the stamp array.
ALLOWED = {
    ("tracker.model", "Promise"), ("tracker.model", "Event"), ("tracker.model", "Statement"),
    ("tracker.model", "Rating"), ("tracker.model", "Link"), ("tracker.model", "Part"), ("tracker.model", "Problem"),
    ("tracker.model", "Term"),
    ("tracker.dates", "PartialDate"), ("tracker.validate", "Checked"),
    ("datetime", "date"), ("array", "array"), ("array", "_array_reconstructor"),
}


class _RecordsUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cache")
        return super().find_class(module, name)


def stamp(stat: os.stat_result) -> tuple[int, int, int, int]:
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)


@contextmanager
def few_collections() -> Iterator[None]:
    """Loading builds millions of small objects that live until the process ends; scanning them
    for cycles again and again costs more than the load itself, so the collector waits, then
    sets them aside for good (gc.freeze)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


class FileCache:
    """The cache of one records directory, as read at the start of a load."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.path = root / FOLDER / FILE
        self.root_key = (str(root), *_identity(root))
        self.paths: list[str] = []
        self.stamps = array.array("q")
        self.results: list[Any] = []
        self._read()

    def _read(self) -> None:
        """Take the stored entries if the file is ours and for this directory; else start empty."""
        try:
            with open(self.path, "rb") as handle:
                # Two pickles: the small header is checked before the body is read at all.
                if _RecordsUnpickler(handle).load() != self._header():
                    return
                paths, stamps, results = _RecordsUnpickler(handle).load()
        except Exception:  # a missing, partial, corrupt or foreign cache is simply rebuilt
            return
        if isinstance(stamps, array.array) and len(paths) == len(results) == len(stamps) // 4:
            self.paths, self.stamps, self.results = paths, stamps, results

    def _header(self) -> dict[str, Any]:
        return {"format": FORMAT, "tracker": __version__, "root": self.root_key}

    def checked(self, found: list[tuple[str, str]], check: Callable[[str, str], Any],
                progress: Callable[[int], Any] | None = None) -> list[Any]:
        """check(path, kind) for every file found, reusing stored results of unchanged files."""
        started = time.time_ns()
        stamps = array.array("q")
        for path, _ in found:
            try:
                stamps.extend(stamp(os.stat(path)))
            except OSError:
                stamps.extend(NEVER)  # let check() say why it cannot be read
        paths = [path for path, _ in found]
        if paths == self.paths and stamps == self.stamps:
            return self.results  # nothing changed: the common case, decided in one comparison
        known = {path: index for index, path in enumerate(self.paths)}
        misses = [i for i, path in enumerate(paths) if not self._same(known.get(path), stamps, i)]
        results = [self.results[known[path]] if path in known else None for path in paths]
        for i, result in zip(misses, check_each([found[i] for i in misses], check, progress)):
            results[i] = result
        fresh = started - MARGIN_NS
        for i in misses:
            if max(stamps[4 * i + 1], stamps[4 * i + 2]) >= fresh:
                stamps[4 * i: 4 * i + 4] = array.array("q", NEVER)
        if paths != self.paths or stamps != self.stamps:  # else only fresh files were parsed: nothing to keep
            self._write(paths, stamps, results)
        return results

    def _same(self, index: int | None, stamps: array.array, i: int) -> bool:
        if index is None:
            return False
        old = self.stamps[4 * index: 4 * index + 4]
        return old == stamps[4 * i: 4 * i + 4] and old[0] != -1

    def _write(self, paths: list[str], stamps: array.array, results: list[Any]) -> None:
        """Replace the cache file whole (temporary file, then rename); a records directory
        that cannot be written to simply goes without a cache."""
        try:
            folder = self.path.parent
            folder.mkdir(exist_ok=True)
            handle, temp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
            try:
                with os.fdopen(handle, "wb") as file:
                    pickle.dump(self._header(), file, protocol=pickle.HIGHEST_PROTOCOL)
                    pickle.dump((paths, stamps, results), file, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(temp, self.path)
            except BaseException:
                os.unlink(temp)
                raise
        except OSError:
            pass


def _identity(root: Path) -> tuple[int, int]:
    stat = os.stat(root)
    return stat.st_dev, stat.st_ino


def check_each(found: list[tuple[str, str]], check: Callable[[str, str], Any],
               progress: Callable[[int], Any] | None = None) -> list[Any]:
    """check(path, kind) for each file, with a progress bar when there are enough to take a while."""
    if progress is None or len(found) < SLOW_FILES:
        return [check(path, kind) for path, kind in found]
    results = []
    with progress(len(found)) as advance:
        for path, kind in found:
            results.append(check(path, kind))
            advance()
    return results
