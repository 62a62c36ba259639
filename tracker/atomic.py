"""Atomic file writing, for the records and for every file tracker writes beside them.

A new file is written to a hidden temporary file in its folder, synced, then linked (create) or renamed
(replace) into place: a reader sees the old file or the new one, never part of one, and a crash leaves
no half-written file under a record's name.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from .errors import StoreError


def create(path: Path, text: str, sync_folder: bool = True, mode: int | None = None) -> None:
    """Write a new file atomically; FileExistsError if the name is taken (even by a racing writer).

    A caller writing many files may leave sync_folder off and call sync_folders once at the end.
    mode: the file's permissions; by default what the umask gives a new file, as an editor's would get.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = temp_with(path.parent, text, mode)
    try:
        os.link(temp, path)
    finally:
        os.unlink(temp)
    if sync_folder:
        sync_dir(path.parent)


def sync_folders(paths: Iterable[Path]) -> None:
    """Make the new names of these files durable: one sync per folder, however many files it holds."""
    for folder in sorted({path.parent for path in paths}):
        sync_dir(folder)


def replace(path: Path, text: str, mode: int | None = None, sync: bool = True) -> None:
    """Write a file atomically over any file of that name: a reader sees the old text or the new, never part.

    sync=False skips making the write durable (two syncs per file), for files that can be made again.
    The file keeps its permissions unless mode is given.
    """
    if mode is None and path.exists():
        mode = stat.S_IMODE(path.stat().st_mode)
    temp = temp_with(path.parent, text, mode, sync)
    try:
        os.replace(temp, path)
    except OSError:
        os.unlink(temp)
        raise
    if sync:
        sync_dir(path.parent)


def default_mode() -> int:
    """What a new file gets from the umask (0644 with the usual one)."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def temp_with(folder: Path, text: str, mode: int | None = None, sync: bool = True) -> str:
    """A temporary file in folder (hidden, so no reader takes it for a record), synced if sync.

    It is made owner-only; it gets mode, or else what the umask gives a new file, before it is moved into place.
    """
    data = encode_utf8(text)
    handle, name = _new_temp(folder)
    try:
        with os.fdopen(handle, "wb") as file:
            os.fchmod(file.fileno(), default_mode() if mode is None else mode)
            file.write(data)
            if sync:
                file.flush()
                os.fsync(file.fileno())
    except BaseException:
        os.unlink(name)
        raise
    return name


# As tempfile.mkstemp opens a file: new (never an existing file or a link), not inherited by a child.
NEW_FILE = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0) \
    | getattr(os, "O_BINARY", 0)


def _new_temp(folder: Path) -> tuple[int, str]:
    """A new hidden file .tmp-RANDOM.toml in folder, open, as tempfile.mkstemp makes one: without importing
    tempfile (and the archive modules it brings), which cost a write command several milliseconds of start-up."""
    for _ in range(100):
        name = os.path.join(folder, f".tmp-{os.urandom(8).hex()}.toml")
        try:
            return os.open(name, NEW_FILE, 0o600), name
        except FileExistsError:
            continue  # 64 random bits: only a folder full of such names gets here
    raise FileExistsError(f"no free temporary name in {folder}")


def encode_utf8(text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        # Command-line text in another encoding arrives as lone surrogates; writing it would corrupt the file.
        raise StoreError("the text given is not valid UTF-8 (check the terminal's encoding); "
                         "nothing was written") from None


def sync_dir(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
