"""Find the record files under a records directory and parse their TOML.

Nothing here judges a record's fields; that is validate's job. Load only says
which files there are, what kind each one is by its place, and whether its
bytes are readable TOML.
"""

from __future__ import annotations

import functools
import operator
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomli

from . import layout
from .errors import TrackerError, option
from .layout import CONFIG_NAME, kind_of_folder, name_shape
from .model import Problem

MAX_BYTES = 1_048_576  # 1 MiB: far above any real record, far below a hang
MAX_DEPTH = 8  # folders below the root that are walked: records sit at most five down (a link file)
LAYOUT_HINT = layout.HINT


class RecordsError(TrackerError):
    """The records directory as a whole cannot be used."""


def require_records_dir(root: Path) -> None:
    """Refuse a directory without tracker.toml, with the likely fix."""
    if (root / CONFIG_NAME).is_file():
        return
    if Path(CONFIG_NAME).is_file() and root.resolve() != Path.cwd().resolve():
        fix = f"this folder is one: run from its parent folder, or pass {option('records', '.')}"
    else:
        fix = f"create one with `tracker init {root}`, or name one with {option('records', 'DIR')}"
    raise RecordsError(f"{root}: not a records directory (no {CONFIG_NAME}); {fix}")


@dataclass(frozen=True)
class RawFile:
    """One record file: where it is, what its place says it is, and its parsed TOML."""

    path: str
    kind: str  # a kind of layout.PLACES
    text: str
    data: dict[str, Any]


def discover(root: Path) -> tuple[list[tuple[str, str]], list[Problem]]:
    """Every record file under root as (path, kind), in the order of their paths, plus problems with the layout."""
    problems: list[Problem] = []
    return list(records_in(root, problems)), problems


def records_in(root: Path, problems: list[Problem]) -> Iterator[tuple[str, str]]:
    """Every record file under root as (path, kind), in the order of their paths (as sorted() has them), each
    as soon as its folder is listed: a cold load parses the first files while the rest are still being found.
    Problems with the layout are added to problems as the folders are listed.

    Hidden folders such as .git and the cache, and hidden files, are skipped. A folder nested deeper than
    MAX_DEPTH (records sit at most five levels down), or one that cannot be listed, is one problem; the walk
    goes on with the rest."""
    if not root.is_dir():
        raise RecordsError(f"{root}: no records directory here; create one with `tracker init {root}`")
    real_root = os.path.realpath(root)
    # What is still to be visited, the next last: a record file as (path, its kind, ()), a folder as (path, None,
    # the shapes of its parts below the root (layout.name_shape)). A folder's entries go on in the order of
    # the paths below them: a folder named x sorts as "x/", among its files, as a path through it does.
    pending: list[tuple[str, str | None, tuple[str, ...]]] = [(str(root), None, ())]
    while pending:
        path, kind, parts = pending.pop()
        if kind is not None:
            yield path, kind
        elif len(parts) > MAX_DEPTH:
            problems.append(Problem(path, f"is nested {len(parts)} folders deep; nothing in it was read",
                                    hint=LAYOUT_HINT))
        else:
            pending.extend(_listed(path, parts, real_root, problems))


def _listed(folder: str, parts: tuple[str, ...], real_root: str,
            problems: list[Problem]) -> list[tuple[str, str | None, tuple[str, ...]]]:
    """The record files and the folders in a folder, as entries to visit, last first; problems with its files."""
    # A file's kind depends on its folder alone (its name need only end in .toml): asked once a folder.
    kind = kind_of_folder(parts)
    entries: list[tuple[str, tuple[str, str | None, tuple[str, ...]]]] = []
    found: list[Problem] = []  # the files' problems, kept only if the whole folder could be listed
    try:
        with os.scandir(folder) as listing:
            for entry in listing:  # one pass; the listing itself says which entries are links: no call per file
                name = entry.name
                if name.startswith("."):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    entries.append((name + os.sep, (entry.path, None, (*parts, name_shape(name)))))
                elif not name.endswith(".toml") or (not parts and name == CONFIG_NAME):
                    continue
                elif entry.is_symlink() and (outside := link_outside(entry.path, real_root)):
                    found.append(outside)
                elif kind is None:
                    found.append(Problem(entry.path, "is in an unexpected place; it was not read", hint=LAYOUT_HINT))
                else:
                    entries.append((name, (entry.path, kind, ())))
    except OSError as error:
        problems.append(Problem(folder, f"cannot be listed: {error.strerror}; nothing in it was read"))
        return []
    problems.extend(found)
    entries.sort(key=_first, reverse=True)
    return [entry for _, entry in entries]


_first = operator.itemgetter(0)


def link_outside(path: str, real_root: str) -> Problem | None:
    """A Problem if path is a link leading out of the records (it could expose any file on the machine)."""
    if os.path.islink(path) and not _inside(os.path.realpath(path), real_root):
        return Problem(path, "is a link to a file outside the records directory; it was not read",
                       hint="replace the link with the file itself")
    return None


def _inside(path: str, root: str) -> bool:
    return os.path.commonpath([path, root]) == root


def parse_file(path: str, kind: str) -> RawFile | Problem:
    """Read and parse one file, or say in one Problem why it cannot be read."""
    data = read_bytes(path)[1]
    return data if isinstance(data, Problem) else parse_bytes(path, kind, data)


def read_bytes(path: str) -> tuple[os.stat_result | None, bytes | Problem]:
    """A record file's status, taken before it was read (None if it could not be taken), and its bytes, or
    one Problem saying why they cannot be read."""
    info = None
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            # A pipe or device would block or never end; git cannot hold one, so it is never a record.
            return info, Problem(path, "is not a regular file; it was not read", hint="records are plain text files")
        if info.st_size > MAX_BYTES:
            return info, _too_big(path, info.st_size)
        # A bare descriptor, not a buffered file object: a third cheaper, at 100,000 files.
        handle = os.open(path, _READ_ONLY)
        try:
            # What stat saw, and a byte more to notice growth; reading MAX_BYTES + 1 would set aside
            # a whole MiB for every file, which costs more than parsing it.
            data = _read(handle, info.st_size + 1)
            if len(data) > info.st_size:  # it grew since stat: read on, up to the limit
                data += _read(handle, MAX_BYTES + 1 - len(data))
        finally:
            os.close(handle)
    except OSError as error:
        return info, Problem(path, f"cannot be read: {error.strerror}")
    if len(data) > MAX_BYTES:
        return info, _too_big(path, len(data))
    return info, data


_READ_ONLY = os.O_RDONLY | getattr(os, "O_BINARY", 0)  # no newline translation on Windows either


def _read(handle: int, size: int) -> bytes:
    """Up to size bytes; fewer only at the end of the file (one read may return less, as on a network disk)."""
    data = b""
    while len(data) < size:
        part = os.read(handle, size - len(data))
        if not part:
            break
        data += part
    return data


def _too_big(path: str, size: int) -> Problem:
    return Problem(path, f"is {size:,} bytes, over the {MAX_BYTES:,}-byte limit for a record; it was not read",
                   hint="a record is a few hundred bytes; split long notes into their own files")


def parse_bytes(path: str, kind: str, data: bytes) -> RawFile | Problem:
    """Decode and parse a record's bytes (from disk, or from git)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return Problem(path, "starts with a byte-order mark", line=1,
                       hint="save the file as UTF-8 without a BOM")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return Problem(path, f"is not valid UTF-8 (byte {data[error.start]:#04x})", line=line,
                       hint="save the file as UTF-8")
    if not text.strip():
        return Problem(path, "is empty", line=1, hint="delete it, or write the record's fields")
    return parse_text(path, kind, text)


def parse_text(path: str, kind: str, text: str) -> RawFile | Problem:
    if len(text) <= SHORT_TEXT and (known := _PARSED.get(text)) is not None:
        return RawFile(path, kind, text, dict(known))  # a table of its own: the caller may change it
    try:
        data = tomli.loads(text)
        if len(text) <= SHORT_TEXT and all(type(value) in _SCALARS for value in data.values()):
            if len(_PARSED) >= SHORT_TEXTS:
                _PARSED.clear()
            _PARSED[text] = dict(data)
        return RawFile(path, kind, text, data)
    except tomli.TOMLDecodeError as error:
        line = excerpt(text, error.lineno)
        return Problem(path, f"is not valid TOML: {error.msg}", line=error.lineno, excerpt=line,
                       hint=_syntax_hint(error.msg, line or ""))
    except RecursionError:
        return Problem(path, "is not valid TOML: it is nested too deeply",
                       hint="records need at most two levels of tables")
    except ValueError:  # Python refuses to read an integer of over 4,300 digits
        found = _HUGE_NUMBER.search(text)
        number = text.count("\n", 0, found.start()) + 1 if found else None
        return Problem(path, "holds a number too long to read", line=number, excerpt=_short(excerpt(text, number)),
                       hint="a count is at most 1,000,000,000,000; check the number at that line")


_HUGE_NUMBER = re.compile(r"[0-9_]{1000,}")
# Most link files are one short line (stance = "contradicts"): thousands of files, a few texts. Each short text
# of plain values is parsed once (a copy of its table, which holds nothing that can change, for each file).
SHORT_TEXT = 200
SHORT_TEXTS = 1000
_SCALARS = frozenset({str, int, float, bool})
_PARSED: dict[str, dict[str, Any]] = {}


def _short(line: str | None) -> str | None:
    return line if line is None or len(line) <= 120 else line[:117] + "..."


def _syntax_hint(message: str, line: str) -> str:
    """How to fix the commonest slips in hand-written records."""
    if message.startswith(("Cannot overwrite", "Cannot declare", "Cannot mutate")):
        return "this key or table is already given above; keep one of them"
    value = line.partition("=")[2].split("#")[0].strip()
    if re.fullmatch(r"\d{4}(-\d{1,2})?", value):
        return f'a partial date is written in quotes: "{value}"'
    if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", value):
        return f"{value} is not a real date: check the month and the day"
    return "fix the TOML syntax at that line (https://toml.io)"


def excerpt(text: str, line: int | None) -> str | None:
    """The line itself, for a message (None when there is no such line)."""
    if not line:
        return None
    lines = _lines(text)
    return lines[line - 1] if 0 < line <= len(lines) else None


def find_records(start: Path, default: Path) -> Path:
    """The records directory for a command run in `start` with none named: ./records if there is one, else
    the nearest folder at or above `start` with a tracker.toml (as git finds its repository), else default.

    A found one is given relative to `start`, so that paths in messages stay short and usable."""
    if (start / "records").is_dir():
        return Path("records")
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file():
            return Path(os.path.relpath(folder, start))
    return default
@functools.lru_cache(maxsize=8)
def _lines(text: str) -> list[str]:
    """A file's lines, split once however many problems quote it."""
    return text.splitlines()
