"""Writing output outside the records: the site, exports and charts, by one set of rules.

- Never through a link: a name under the output folder that is a symbolic link is refused, not
  followed, and a link someone left there is never written through.
- Never in the records: an output inside the records directory, or one that holds it, is refused.
- Never deletes what it did not write: a folder of output (the site) keeps a manifest of each file's
  SHA-256; a file is removed only if its bytes still hash to what was written. Anything else there
  (a person's file, a file they edited, a link) is carried over as it is.
- All or nothing: a folder of output is built in a temporary sibling folder and swapped into place
  in one step; a single file is written beside its name and renamed over it. A full disk or a crash
  leaves the previous output whole, and the next run starts clean.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import hashlib
import os
import shutil
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path

from .atomic import NEW_FILE, default_mode
from .errors import StoreError, option
from .parallel import map_ordered

MANIFEST = ".tracker-site"  # "sha256  name" per file the last build wrote


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Start:
    """The opening text that many files of a folder share (the frame of a page up to its own parts): encoded
    and hashed once, so that each file pays only for the text that follows it."""

    def __init__(self, text: str) -> None:
        self.data = text.encode("utf-8")
        self.hashed = hashlib.sha256(self.data)


class Framed:
    """A file's text as a shared Start and the text that follows it: the same bytes as start.text + rest."""

    __slots__ = ("start", "rest")

    def __init__(self, start: Start, rest: str) -> None:
        self.start, self.rest = start, rest


Drawn = str | Framed  # what a folder of output holds under each name


# ---------------------------------------------------------------------------
# Where output may go.

def refuse_records(target: Path, records: Path) -> None:
    """Refuse an output inside the records directory, or one that holds it."""
    real_target, real_records = os.path.realpath(target), os.path.realpath(records)
    if _inside(real_target, real_records):
        raise StoreError(f"{target} is inside the records directory {records}; nothing was written. "
                         "Give a path outside it")
    if _inside(real_records, real_target):
        raise StoreError(f"{target} holds the records directory {records}; nothing was written. "
                         "Give a folder of its own")


def refuse_link(path: Path) -> None:
    if path.is_symlink():
        raise StoreError(f"{path} is a symbolic link; nothing was written through it. Remove the link or "
                         "give another name")


def _inside(path: str, root: str) -> bool:
    return os.path.commonpath([path, root]) == root


# ---------------------------------------------------------------------------
# One file (a chart, an export file, a database built beside its name).

def write_file(path: Path, data: bytes, records: Path, force: bool) -> None:
    """Write data to path atomically; over an existing file only with force; never through a link."""
    refuse_records(path, records)
    refuse_link(path)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as file:
            os.fchmod(file.fileno(), default_mode())
            file.write(data)
        place(Path(temp), path, force)
    except OSError as error:
        raise StoreError(f"{path}: {error.strerror or error}; nothing was written, and any file there is "
                         "as it was") from None
    finally:
        Path(temp).unlink(missing_ok=True)


def place(temp: Path, path: Path, force: bool) -> None:
    """Move a finished temporary file to path: os.replace and os.link act on the name, never a link's target."""
    if not force and path.is_symlink():
        refuse_link(path)
    try:
        (os.replace if force else os.link)(temp, path)
    except FileExistsError:
        raise StoreError(f"{path} already exists; nothing was written. Give another name, or {option('force')} "
                         "to replace it", "force") from None


# ---------------------------------------------------------------------------
# A folder of output (the site).

def write_tree(outdir: Path, files: Mapping[str, Drawn], records: Path) -> list[str]:
    """Make outdir hold files (relative name -> text); return the stale files of the last build removed.

    Each file's text is read from files once, when it is written, so a mapping that draws its values when
    asked (the site's pages) is never held in memory whole. Many files are drawn and written by forked
    worker processes (tracker.parallel), in the mapping's order; TRACKER_JOBS=1 keeps them in this one.

    outdir must be new, empty, or made by an earlier build (it has the manifest).
    """
    refuse_records(outdir, records)
    refuse_link(outdir)
    old = read_manifest(outdir)
    owned = {name for name, sha in old.items() if _holds(outdir / name, sha)}
    foreign = [name for name in _leaves(outdir) if name not in owned and name != MANIFEST]
    _refuse_conflicts(outdir, files, foreign)
    temp = _build(outdir, files, old, owned, foreign)
    backup = _swap(temp, outdir)
    if backup is not None:
        _clear(backup, outdir, old)
    return sorted(name for name in owned if name not in files)


def read_manifest(outdir: Path) -> dict[str, str]:
    """What the last build wrote, by name; a refusal if outdir holds anything but a build."""
    manifest = outdir / MANIFEST
    if not outdir.is_dir():
        return {}
    if manifest.is_symlink() or (not manifest.is_file() and any(outdir.iterdir())):
        raise StoreError(f"{outdir} is not empty and was not made by `tracker site`; nothing was written. "
                         "Give a new or empty directory")
    if not manifest.is_file():
        return {}
    entries: dict[str, str] = {}
    for line in manifest.read_text(encoding="utf-8", errors="replace").splitlines():
        sha, _, name = line.partition("  ")
        if len(sha) == 64 and _plain_name(name):  # other lines (an older manifest) vouch for nothing
            entries[name] = sha
    return entries


def _plain_name(name: str) -> bool:
    """A relative name below the folder, so that no manifest line can point outside it."""
    parts = name.split("/")
    return bool(name) and not name.startswith("/") and all(part not in ("", ".", "..") for part in parts)


def _holds(path: Path, sha: str) -> bool:
    """Is path a regular file (not a link) whose bytes hash to sha?"""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return False
        return digest(path.read_bytes()) == sha
    except OSError:
        return False


def _leaves(folder: Path) -> list[str]:
    """Every file, link and empty folder below folder, by relative name; links are listed, never followed."""
    if not folder.is_dir():
        return []
    found: list[str] = []
    for top, dirs, names in os.walk(folder):
        rel = os.path.relpath(top, folder)
        prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        links = [d for d in dirs if os.path.islink(os.path.join(top, d))]
        dirs[:] = [d for d in dirs if d not in links]
        found.extend(prefix + name for name in [*names, *links])
        if not dirs and not names and not links and prefix:
            found.append(prefix.rstrip("/"))
    return found


def _refuse_conflicts(outdir: Path, files: Mapping[str, Drawn], foreign: list[str]) -> None:
    """A file we did not write (or that was changed since) where this build needs the name: refuse."""
    needed = set(files) | {name.rsplit("/", 1)[0] for name in files if "/" in name}
    for name in sorted(foreign):
        if name in needed:
            raise StoreError(f"{outdir / name} was not written by `tracker site` (or was changed since); nothing "
                             "was written. Move it away, or give another directory")


def _build(outdir: Path, files: Mapping[str, Drawn], old: dict[str, str], owned: set[str],
           foreign: list[str]) -> Path:
    """The new output in a temporary sibling folder; on any failure it is removed and outdir is untouched."""
    outdir.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(dir=outdir.parent, prefix=f".{outdir.name}.tmp-"))
    try:
        os.chmod(temp, 0o777 & ~_umask())
        writer = _Writer(str(temp), default_mode())
        names = list(files)  # in the order given: a caller lists its largest files first, so they go first
        writer.folders_of(names)  # made before the work is shared out, so no two processes race to make one

        def put(name: str) -> str:
            parts, sha = _encoded(files[name])
            # An unchanged file is linked, not copied: it keeps its times and takes no space.
            writer.put(name, parts, outdir / name if name in owned and old[name] == sha else None)
            return sha

        # Drawn, hashed and written on every core for a large site (parallel.map_ordered: forked workers
        # writing into this same folder). Each file's bytes depend on nothing else, and the manifest lists
        # them by name: the same output as a build in one process, in any order of work.
        shas = dict(zip(names, map_ordered(put, names), strict=True))
        manifest = [f"{shas[name]}  {name}\n" for name in sorted(names)]
        for name in foreign:  # a person's files stay: the same file, under the new folder
            (temp / name).parent.mkdir(parents=True, exist_ok=True)
            if (outdir / name).is_dir() and not (outdir / name).is_symlink():
                (temp / name).mkdir()
            else:
                os.link(outdir / name, temp / name, follow_symlinks=False)
        listing = "".join(manifest).encode("utf-8")
        writer.put(MANIFEST, [listing], outdir / MANIFEST if _holds(outdir / MANIFEST, digest(listing)) else None)
    except OSError as error:
        shutil.rmtree(temp, ignore_errors=True)  # our own folder: new files, and second names of kept ones
        raise StoreError(f"{outdir}: {error.strerror or error} while building the new output; nothing was "
                         "changed, the previous output is whole") from None
    except BaseException:  # files are drawn while they are written: a failure or Ctrl-C there leaves no folder
        shutil.rmtree(temp, ignore_errors=True)
        raise
    return temp


def _encoded(drawn: Drawn) -> tuple[list[bytes], str]:
    """A file's bytes, in parts, and their SHA-256."""
    if isinstance(drawn, str):
        data = drawn.encode("utf-8")
        return [data], digest(data)
    rest = drawn.rest.encode("utf-8")
    hashed = drawn.start.hashed.copy()
    hashed.update(rest)
    return [drawn.start.data, rest], hashed.hexdigest()


class _Writer:
    """New files in our own new temporary folder, by relative name: each folder made once, each file created
    (never opened over another), given the mode the umask gives, and written, in a few system calls. Not
    synced one by one: the folder is swapped in whole, and until then the old output stands."""

    def __init__(self, root: str, mode: int) -> None:
        self.root, self.mode = root, mode
        self.folders: set[str] = {""}

    def folders_of(self, names: list[str]) -> None:
        for folder in sorted({name.rpartition("/")[0] for name in names}):
            self.make(folder)

    def make(self, folder: str) -> None:
        if folder not in self.folders:
            os.makedirs(os.path.join(self.root, folder), exist_ok=True)
            self.folders.add(folder)

    def put(self, name: str, parts: list[bytes], same: Path | None) -> None:
        self.make(name.rpartition("/")[0])
        path = os.path.join(self.root, name)
        if same is not None:
            try:
                os.link(same, path, follow_symlinks=False)
                return
            except OSError:
                pass  # a file system without hard links: write a copy
        handle = os.open(path, NEW_FILE, self.mode)
        try:
            os.fchmod(handle, self.mode)
            written = os.writev(handle, parts)
            if written < sum(map(len, parts)):  # a short write: the rest, as one piece
                view = memoryview(b"".join(parts))[written:]
                while view:
                    view = view[os.write(handle, view):]
        finally:
            os.close(handle)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _swap(temp: Path, outdir: Path) -> Path | None:
    """Put temp at outdir; the old folder (if any) ends at the returned name. Atomic where the system allows."""
    if not outdir.exists():
        os.rename(temp, outdir)
        return None
    if _exchange(temp, outdir):
        return temp
    backup = Path(tempfile.mkdtemp(dir=outdir.parent, prefix=f".{outdir.name}.old-"))
    os.rename(outdir, backup)  # onto an empty folder: allowed, and replaces it
    os.rename(temp, outdir)
    return backup


def _exchange(a: Path, b: Path) -> bool:
    """Swap two names in one step (Linux renameat2 with RENAME_EXCHANGE); False where that is not available."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError, TypeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    if ctypes.get_errno() in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), str(b))


def _clear(backup: Path, outdir: Path, old: dict[str, str]) -> None:
    """Empty the old folder: our own files (verified by hash again) and second names of what was carried
    over. Anything else is left where it is, and the folder with it."""
    for name in _leaves(backup):
        path = backup / name
        try:
            if name in old and _holds(path, old[name]) or name == MANIFEST:
                path.unlink()
            elif _same_file(path, outdir / name):
                path.rmdir() if path.is_dir() and not path.is_symlink() else path.unlink()
        except OSError:
            pass
    for top, _, _ in sorted(os.walk(backup), key=lambda entry: -len(entry[0])):
        try:
            os.rmdir(top)
        except OSError:
            pass


def _same_file(a: Path, b: Path) -> bool:
    try:
        first, second = os.lstat(a), os.lstat(b)
    except OSError:
        return False
    if stat.S_ISDIR(first.st_mode) and stat.S_ISDIR(second.st_mode):
        return True  # an empty folder carried over as a new empty folder
    return (first.st_dev, first.st_ino) == (second.st_dev, second.st_ino)
