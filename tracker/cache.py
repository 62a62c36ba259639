"""The parse cache: each record file's validated result, reused while the file is unchanged.

Parsing TOML is most of the cost of reading a large records directory, so each
file's outcome (its record and the problems found in it alone) is kept in one
file, RECORDS/.tracker-cache/records.pickle, which git ignores. Rules across
files (unique IDs, links that resolve, future dates) are no part of a file's
entry: they run again whenever any file changed (Snapshot, below, keeps their
outcome for one set of files). With no cache to start from, the files are read
as the folders are listed, and the new cache written as they are (FileCache.fill).

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
unpickler that can build only tracker's own record types.

What it trusts, exactly: (1) a file whose stamps are as they were holds the bytes
it held then; (2) a cache that carries a valid keyed hash (BLAKE2b, keyed with a
random secret kept outside the records, in the user's cache folder) was written
by this user's tracker. Each entry holds the keyed hash of the bytes its result
was parsed from, and the whole body is hashed with the key, so a cache edited
without the records (in a tampered working copy, or arriving with one) fails the
check and is rebuilt. A file whose stamps changed but whose bytes hash as before
(a checkout that rewrote it unchanged) keeps its entry. The cache is never read
or written through a symbolic link. Nothing in a cache file is unpickled before
its keyed hash is checked. (3) A cache file that is a regular file of the
user's, with one name and writable by no one else, is not written into while it
is read: tracker never writes into one, it renames a new one into place. The
body is hashed, then read again from the same open file, and this is what lets
it go unheld in memory. It does not defend against someone who can read the
user's key, or write as the user: such a person can change the records themselves.
"""

from __future__ import annotations

import array
import gc
import hashlib
import hmac
import os
import pickle
import stat as stat_module
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext, suppress
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO

from . import __version__
from .load import read_bytes
from .model import Event, Link, Part, Problem, Promise, Rating, Statement, Term
from .parallel import map_chunks, map_ordered

FOLDER = ".tracker-cache"
FILE = "records.pickle"
SNAPSHOT = "records.snapshot"
SCORING = "scoring.snapshot"
FORMAT = 6  # bump when what is stored changes shape
KEY_SIZE = 32
DIGEST_SIZE = 16  # per file: ample against an edit, small beside the record it vouches for
MARGIN_NS = 2_000_000_000
SLOW_FILES = 5000  # parsing this many files takes about a second: worth a progress bar
NEVER = (-1, -1, -1, -1)  # the stamp of a file too fresh to cache: matches no real file

RECORD_TYPES = (Promise, Event, Statement, Rating, Link, Part, Problem, Term)

# The only things the cache may build: tracker's records, dates, and the stamp array.
ALLOWED = {
    *((kind.__module__, kind.__name__) for kind in RECORD_TYPES),
    ("tracker.dates", "PartialDate"), ("tracker.validate", "Checked"),
    ("datetime", "date"), ("array", "array"), ("array", "_array_reconstructor"),
}

# The fields of each record type, in the order they are pickled (tracker.model.Slotted): a cache from
# records of another shape is never read, even if FORMAT was not bumped.
SHAPES = tuple((kind.__name__, kind.__slots__) for kind in RECORD_TYPES)


class _RecordsUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cache")
        return super().find_class(module, name)


def stamp(stat: os.stat_result) -> tuple[int, int, int, int]:
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)


def stamps_of(found: list[tuple[str, str]]) -> array.array[int]:
    """The stamps of every file found, four numbers a file; NEVER for one that cannot be read (its check
    says why)."""
    stamps = array.array("q")
    for path, _ in found:
        try:
            info = os.stat(path)
            stamps.extend((info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino))
        except OSError:
            stamps.extend(NEVER)
    return stamps


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
        self.digests = bytearray()
        self.results: list[Any] = []
        self.key = user_key()

    def _read(self) -> None:
        """Take the stored entries if the file is ours, for this directory and hashed with our key; else start empty.

        Its body is the results in parts (lists, as pickled one after another), None, then the paths, their stamps
        and the keyed hashes of their bytes."""
        handle = _open_signed(self.path, self._header(), self.key)
        if handle is None:
            return
        results: list[Any] = []
        with handle:
            try:
                while (part := _RecordsUnpickler(handle).load()) is not None:
                    results.extend(part)
                paths, stamps, digests = _RecordsUnpickler(handle).load()
            except MemoryError:
                raise
            except Exception:  # verified, yet unreadable: simply rebuilt
                return
        if isinstance(stamps, array.array) and isinstance(digests, bytes) \
                and len(paths) == len(results) == len(stamps) // 4 == len(digests) // DIGEST_SIZE:
            self.paths, self.stamps, self.digests, self.results = paths, stamps, bytearray(digests), results

    def exists(self) -> bool:
        """Whether there is a cache of ours for this directory to start from (only its header is read)."""
        handle = _open_ours(self.path, self._header(), self.key)
        if handle is None:
            return False
        handle.close()
        return True

    def fill(self, found: Iterable[tuple[str, str]], check: Callable[[str, str, bytes | Problem], Any],
             progress: Callable[[int], Any] | None = None) -> tuple[list[tuple[str, str]], array.array[int], list[Any]]:
        """check(path, kind, its bytes) for every file found, each as it comes, and all kept in a new cache: for a
        directory with no cache to start from (see exists). found may be load.records_in, which hands out the files
        as their folders are listed. The files found, their stamps (as stamps_of has them) and their results.

        Each file is read once, in a worker (tracker.parallel): its stamp is taken, then its bytes are hashed
        and checked, and each part of the files comes back pickled, as the cache keeps it."""
        started = time.time_ns()
        listed: list[tuple[str, str]] = []

        def walked() -> Iterator[tuple[str, str]]:
            for item in found:
                listed.append(item)
                yield item

        stamps, digests, results = array.array("q"), bytearray(), []
        with _Writer(self.path, self._header(), self.key) as out:
            for part_stamps, part_digests, pickled in map_chunks(partial(self._fresh, check), walked(),
                                                                 _slow(progress)):
                stamps.frombytes(part_stamps)
                digests += part_digests
                out.write(pickled)
                results.extend(pickle.loads(pickled))  # from this user's own worker, made by _fresh
            out.dump(None)
            out.dump(([path for path, _ in listed], _aged(stamps, started), bytes(digests)))
            out.done()
        return listed, stamps, results

    def _fresh(self, check: Callable[[str, str, bytes | Problem], Any], part: list[tuple[str, str]]) \
            -> tuple[bytes, bytes, bytes]:
        """The stamps of a part of the files, the keyed hashes of their bytes and their results, pickled."""
        stamps, digests, results = array.array("q"), bytearray(), []
        for path, kind in part:
            info, data = read_bytes(path)
            stamps.extend(NEVER if info is None else stamp(info))
            digests += _UNREAD if isinstance(data, Problem) else self._digest(data)
            results.append(check(path, kind, data))
        return stamps.tobytes(), bytes(digests), pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL)

    def _digest(self, data: bytes) -> bytes:
        return hashlib.blake2b(data, key=self.key or b"", digest_size=DIGEST_SIZE).digest()

    def _header(self) -> dict[str, Any]:
        return {"format": FORMAT, "tracker": __version__, "shapes": SHAPES, "root": self.root_key}

    def checked(self, found: list[tuple[str, str]], check: Callable[[str, str, bytes | Problem], Any],
                progress: Callable[[int], Any] | None = None, stamps: array.array[int] | None = None) -> list[Any]:
        """check(path, kind, its bytes) for every file found, reusing stored results of unchanged files.

        stamps: stamps_of(found), if the caller has them already."""
        started = time.time_ns()
        stamps = stamps_of(found) if stamps is None else stamps
        self._read()
        paths = [path for path, _ in found]
        if paths == self.paths and stamps == self.stamps:
            return self.results  # nothing changed: the common case, decided in one comparison
        known = {path: index for index, path in enumerate(self.paths)}
        changed = [i for i, path in enumerate(paths) if not self._same(known.get(path), stamps, i)]
        results = [self.results[known[path]] if path in known else None for path in paths]
        digests = bytearray(b"".join(self._digest_at(known.get(path)) for path in paths))

        def digest_and_check(task: tuple[str, str, bytes | None]) -> tuple[bytes, Any]:
            """The keyed hash of the file's bytes, and their result if they are new or changed (else None: kept).
            Both are of the same bytes, read once: a file changed between two reads cannot be kept with the hash
            of one and the result of the other."""
            path, kind, old = task
            data = read_bytes(path)[1]
            digest = _UNREAD if isinstance(data, Problem) else self._digest(data)
            return digest, None if digest == old and digest != _UNREAD else check(path, kind, data)

        tasks = [(*found[i], self._digest_at(known[paths[i]]) if paths[i] in known else None) for i in changed]
        for i, (digest, result) in zip(changed, map_ordered(digest_and_check, tasks, _slow(progress)),
                                       strict=True):
            digests[DIGEST_SIZE * i: DIGEST_SIZE * (i + 1)] = digest
            if result is not None:
                results[i] = result
        stamps = _aged(stamps, started, changed)
        if paths != self.paths or stamps != self.stamps:  # else only fresh files were parsed: nothing to keep
            with _Writer(self.path, self._header(), self.key) as out:
                for value in (results, None, (paths, stamps, bytes(digests))):
                    out.dump(value)
                out.done()
        return results

    def _digest_at(self, index: int | None) -> bytes:
        return _UNREAD if index is None else bytes(self.digests[DIGEST_SIZE * index: DIGEST_SIZE * (index + 1)])

    def _same(self, index: int | None, stamps: array.array[int], i: int) -> bool:
        if index is None:
            return False
        old = self.stamps[4 * index: 4 * index + 4]
        return old == stamps[4 * i: 4 * i + 4] and old[0] != -1


class Snapshot:
    """The records as the last load assembled them (after the rules across files), reused while no file
    changed: a warm load is then a listing, a stat of every file and one unpickling, with no per-file
    result to read and no rule to run again.

    It is kept for one set of inputs beside the files (the as-of date and the problems found before
    reading any file), in RECORDS/.tracker-cache/NAME, signed like the parse cache: records.snapshot holds
    the records whole, scoring.snapshot only what a report's rows and check read (see scoring_events). It is
    checked against one digest of every path and stamp, so a warm load holds no second list of them.
    It is written only when no file is fresher than MARGIN_NS, for the reason given at the top of this module.
    """

    def __init__(self, root: Path, name: str = SNAPSHOT) -> None:
        self.path = root / FOLDER / name
        self.parse_cache = root / FOLDER / FILE
        self.header = {"format": FORMAT, "tracker": __version__, "shapes": SHAPES, "name": name,
                       "root": (str(root), *_identity(root))}
        self.key = user_key()

    def get(self, files: bytes, inputs: Any) -> Callable[[], Any] | None:
        """A function that reads what put() kept for exactly these files (files_digest) and inputs, beside
        the same parse cache; else None. Of the body, only the small key is unpickled here: the caller can let
        go of its listing before the records themselves are read. The function returns None if they cannot be."""
        handle = _open_signed(self.path, self.header, self.key)
        if handle is None:
            return None
        try:
            same = _RecordsUnpickler(handle).load() == (files, inputs, self._parse_cache_stamp())
        except Exception:  # written by this user's tracker, yet unreadable: simply rebuilt
            same = False
        if not same:
            handle.close()
            return None

        return partial(_load, handle)

    def put(self, files: bytes, stamps: array.array[int], inputs: Any, value: Any, started: int) -> None:
        """Keep value for these files (files_digest of them and their stamps) and inputs, unless a file changed
        since MARGIN_NS before started (time.time_ns() when the stamps were taken)."""
        fresh = started - MARGIN_NS
        if any(max(stamps[i + 1], stamps[i + 2]) >= fresh or stamps[i] == -1 for i in range(0, len(stamps), 4)):
            return
        with _Writer(self.path, self.header, self.key) as out:
            out.dump((files, inputs, self._parse_cache_stamp()))
            out.dump(value)
            out.done()

    def _parse_cache_stamp(self) -> tuple[int, int, int, int]:
        """The parse cache's own stamp: a snapshot goes with the parse cache it was built beside, so that a
        parse cache that is damaged or deleted is rebuilt at the next load, not left until a file changes."""
        try:
            return stamp(os.lstat(self.parse_cache))
        except OSError:
            return NEVER


def files_digest(found: list[tuple[str, str]], stamps: array.array[int]) -> bytes:
    """One digest of every file's path, in order, and of its stamps: a snapshot is kept for exactly these."""
    digest = hashlib.blake2b(digest_size=KEY_SIZE)
    for start in range(0, len(found), 10_000):  # joined a slice at a time: one call per file costs a second a million
        joined = "\0".join(path for path, _ in found[start: start + 10_000])  # no path holds a NUL
        digest.update(joined.encode("utf-8", "surrogateescape") + b"\0")  # the bytes of the names, as listed
    digest.update(stamps.tobytes())
    return digest.digest()


_NO_COUNTS: dict[str, int] = {}


def scoring_events() -> Callable[[Event, tuple[Link, ...]], Event]:
    """A function that makes an event, given its links, cut to what scoring, a report's rows and check read: its
    title, place, counts, sources, notes, actors, file and its links' notes are left out (they are shown only by
    its own page and in full exports, which load the records whole). tracker.validate.assemble makes each event
    so as it attaches its links, for a load that need not hold the records whole.

    Equal values are made one object (dates, country codes, stances, promise IDs), so that the snapshot of
    a million events, once read, takes a fraction of the memory of the records themselves."""
    shared: dict[Any, Any] = {}
    one = shared.setdefault
    cut_links: dict[tuple[str, str, int | None], Link] = {}  # and equal cut links one Link

    def cut_link(link: Link) -> Link:
        key = (link.promise, link.stance, link.severity)
        made = cut_links.get(key)
        if made is None:
            made = cut_links[key] = Link(one(link.promise, link.promise), one(link.stance, link.stance), None,
                                         link.severity)
        return made

    def cut(event: Event, links: tuple[Link, ...]) -> Event:
        return Event(event.id, one(event.country, event.country), one(event.date, event.date), "", counts=_NO_COUNTS,
                     severity=event.severity, links=tuple(map(cut_link, links)))

    return cut


def _load(handle: BinaryIO) -> Any:
    """The next value of a verified cache file (open at it), closing the file; None if it cannot be read."""
    with handle:
        try:
            return _RecordsUnpickler(handle).load()
        except MemoryError:
            raise
        except Exception:  # verified, yet unreadable: simply rebuilt
            return None


def _open_signed(path: Path, header: dict[str, Any], key: bytes | None) -> BinaryIO | None:
    """The cache file, open at its body, if it is ours: for this header (format, version, shapes, directory)
    and hashed with our key; else None. Nothing is unpickled before the body's keyed hash is checked: the
    header is compared as bytes. The body is hashed a piece at a time, then read again from the same open
    file, so that it is never held in memory beside what it unpickles to; the file must therefore be one
    that nobody else can write into meanwhile (see _private)."""
    handle = _open_ours(path, header, key)
    if handle is None or key is None:
        return None
    try:
        mac, start = handle.read(KEY_SIZE), handle.tell()
        digest = hashlib.blake2b(key=key, digest_size=KEY_SIZE)
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
        if hmac.compare_digest(mac, digest.digest()):
            handle.seek(start)
            return handle
    except OSError:  # a cache that cannot be read is simply rebuilt
        pass
    handle.close()
    return None


def _open_ours(path: Path, header: dict[str, Any], key: bytes | None) -> BinaryIO | None:
    """The cache file, open after its header, if that is this header and the file is a private one of ours
    (see _private); else None. Its body is not yet checked (see _open_signed)."""
    if key is None or not _real_folder(path.parent):
        return None
    try:
        # Non-blocking: a pipe of that name must not hang the command (_private refuses it).
        handle = open(os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK), "rb")
    except OSError:
        return None
    try:
        expected = pickle.dumps(header, protocol=pickle.HIGHEST_PROTOCOL)
        if _private(os.fstat(handle.fileno())) and hmac.compare_digest(handle.read(len(expected)), expected):
            return handle
    except OSError:
        pass
    handle.close()
    return None


def _private(info: os.stat_result) -> bool:
    """A regular file of this user's, with one name, that no one else may write to: tracker never writes into a
    cache file (it renames a new one into place), so its bytes stay as hashed while it is read again."""
    owner = os.geteuid() if hasattr(os, "geteuid") else info.st_uid  # Windows has no owner by number
    return (stat_module.S_ISREG(info.st_mode) and info.st_uid == owner and info.st_nlink == 1
            and not info.st_mode & 0o022)


class _Writer:
    """A cache file being written whole: the header, room for the keyed hash of the body, then the body, a
    value (dump) or bytes already pickled (write) at a time, every byte hashed with the key. done() puts it
    in place (a temporary file, renamed: it replaces a link of that name, never writes through it); leaving
    the block without done() drops it. With no key, a records directory that cannot be written to, a cache
    folder that is a link, or a failed write, it drops what it is given, and the records go without a cache."""

    def __init__(self, path: Path, header: dict[str, Any], key: bytes | None) -> None:
        self.path = path
        self.file: BinaryIO | None = None
        self.temp = ""
        self.where = 0
        self.hash = hashlib.blake2b(key=key or b"", digest_size=KEY_SIZE)
        if key is None:
            return
        try:
            path.parent.mkdir(exist_ok=True)
            if not _real_folder(path.parent):
                return
            handle, self.temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            self.file = os.fdopen(handle, "wb")
            pickle.dump(header, self.file, protocol=pickle.HIGHEST_PROTOCOL)
            self.where = self.file.tell()
            self.file.write(bytes(KEY_SIZE))  # the hash, once the body is written
        except BaseException as error:  # Ctrl-C too: no block is entered to drop it later
            self._drop()
            if not isinstance(error, OSError):
                raise

    def __enter__(self) -> _Writer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._drop()  # unless done() put it in place

    def write(self, data: bytes) -> int:
        """Bytes of the body (pickle.dump writes through this too)."""
        if self.file is not None:
            self.hash.update(data)
            try:
                self.file.write(data)
            except OSError:
                self._drop()
        return len(data)

    def dump(self, value: Any) -> None:
        pickle.dump(value, self, protocol=pickle.HIGHEST_PROTOCOL)

    def done(self) -> None:
        if self.file is None:
            return
        try:
            self.file.seek(self.where)
            self.file.write(self.hash.digest())
            self.file.close()
            os.replace(self.temp, self.path)
            self.file = None
        except OSError:
            self._drop()

    def _drop(self) -> None:
        if self.file is None:
            return
        file, self.file = self.file, None
        with suppress(OSError):
            file.close()
        with suppress(OSError):
            os.unlink(self.temp)


def _aged(stamps: array.array[int], started: int, which: Iterable[int] | None = None) -> array.array[int]:
    """The stamps as the cache keeps them: NEVER for a file changed within MARGIN_NS of started (time.time_ns()
    before they were taken), which is checked again at every load until it is older. which: the files to look
    at, by their place in the list (else all)."""
    fresh, kept = started - MARGIN_NS, array.array("q", stamps)
    for i in range(len(stamps) // 4) if which is None else which:
        if kept[4 * i + 1] >= fresh or kept[4 * i + 2] >= fresh:
            kept[4 * i: 4 * i + 4] = _NEVER
    return kept


_NEVER = array.array("q", NEVER)
_UNREAD = bytes(DIGEST_SIZE)


def _real_folder(folder: Path) -> bool:
    """A folder itself, not a link to one (nor a file)."""
    try:
        return stat_module.S_ISDIR(os.lstat(folder).st_mode)
    except OSError:
        return False


def user_key() -> bytes | None:
    """This user's secret for the cache's keyed hashes, made on first use; None if it cannot be kept.

    It lives outside every records directory ($XDG_CACHE_HOME/tracker/cache.key, else
    ~/.cache/tracker/cache.key), so a records directory copied or handed over never carries it.
    """
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    path = os.path.join(base, "tracker", "cache.key")
    for _ in range(2):
        try:
            descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
            with open(descriptor, "rb") as handle:
                key = handle.read(KEY_SIZE + 1)
            return key if len(key) == KEY_SIZE else None
        except FileNotFoundError:
            _make_key(path)
        except OSError:
            return None
    return None


def _make_key(path: str) -> None:
    try:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with open(descriptor, "wb") as handle:
            handle.write(os.urandom(KEY_SIZE))
    except OSError:
        pass  # another process made it a moment ago, or there is nowhere to keep it: read again, or no cache


def _identity(root: Path) -> tuple[int, int]:
    stat = os.stat(root)
    return stat.st_dev, stat.st_ino


def check_each(found: Iterable[tuple[str, str]], check: Callable[[str, str], Any],
               progress: Callable[[int], Any] | None = None) -> list[Any]:
    """check(path, kind) for each file (on every core, for many files; see tracker.parallel), with a
    progress bar when there are enough to take a while. found may be a generator (load.records_in)."""
    return map_ordered(lambda item: check(*item), found, _slow(progress))


def _slow(progress: Callable[[int], Any] | None) -> Callable[[int], Any] | None:
    """The progress bar, for enough files to take a while: decided once their number is known."""
    if progress is None:
        return None
    return lambda total: progress(total) if total >= SLOW_FILES else nullcontext(_no_bar)


def _no_bar() -> None:
    """A bar's advance(), where there is no bar."""
