"""Writing records: new files are created atomically and exclusively; additions are appended.

Nothing a person wrote is ever rewritten. A new record goes to a temporary
file in the same folder, is synced, and is then linked into place with a call
that fails if the name is taken. An addition to an existing record (a
restatement, a rating) is appended to the file's own text, checked by parsing
the result, and swapped in whole under a lock, so it lands entirely or not at all.
"""

from __future__ import annotations

import fcntl
import glob
import os
import re
import stat
import tempfile
import unicodedata
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import tomli
import tomli_w

from . import schema
from .dates import PartialDate
from .fields import RECORDS
from .load import MAX_BYTES, RawFile, kind_of_place, parse_file, parse_text, require_records_dir
from .model import Problem
from .validate import check_slug, check_text, event_from, promise_from

TABLE_LISTS = ("statements", "ratings", "links")
MAX_DERIVED = 48


class StoreError(Exception):
    """A write that was refused; nothing was written."""


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def derive_id(country: str, date: PartialDate, title: str) -> str:
    """country-date-title-words, cut at a word boundary to stay readable."""
    words = slugify(title)
    base = f"{country.lower()}-{date}"
    ident = f"{base}-{words}" if words else base
    if len(ident) > MAX_DERIVED:
        ident = ident[:MAX_DERIVED].rsplit("-", 1)[0]
    return ident


def promise_path(root: Path, country: str, ident: str) -> Path:
    return root / country.lower() / "promises" / f"{ident}.toml"


def event_path(root: Path, country: str, date: PartialDate, ident: str) -> Path:
    return root / country.lower() / "events" / f"{date.year:04d}" / f"{ident}.toml"


def find_record(root: Path, ident: str) -> tuple[Path, str] | None:
    """Where the record with this ID lives, and its kind, without reading any record."""
    if check_slug(ident):
        return None  # never build a path from an ID that is not a slug
    for pattern, kind in ((f"*/promises/{ident}.toml", "promise"), (f"*/events/[0-9][0-9][0-9][0-9]/{ident}.toml", "event")):
        hits = glob.glob(pattern, root_dir=root)
        if hits:
            return root / sorted(hits)[0], kind
    return None


def require_promise(root: Path, ident: str) -> Path:
    """The file of the promise with this ID; a refusal, before anything is written, if there is none."""
    found = find_record(root, ident)
    if found is None or found[1] != "promise":
        raise StoreError(f"no promise has the ID {ident!r} in {root}; nothing was written")
    return found[0]


def render_document(fields: dict[str, Any], header: str = "") -> str:
    """TOML text in a stable field order: plain fields first, then [tables], then [[table lists]]."""
    plain = {k: _toml_value(v) for k, v in fields.items() if not isinstance(v, dict) and k not in TABLE_LISTS}
    parts = [header + tomli_w.dumps(plain, multiline_strings=True)]
    for key, value in fields.items():
        if isinstance(value, dict) and value:
            parts.append(f"\n[{key}]\n" + tomli_w.dumps(value))
    for key in TABLE_LISTS:
        for entry in fields.get(key, []):
            parts.append(table_entry(key, entry))
    return "".join(parts)


def table_entry(key: str, entry: dict[str, Any]) -> str:
    values = {k: _toml_value(v) for k, v in entry.items() if v not in (None, (), [])}
    return f"\n[[{key}]]\n" + tomli_w.dumps(values, multiline_strings=True)


def _toml_value(value: Any) -> Any:
    if isinstance(value, PartialDate):
        return value.to_toml()
    if isinstance(value, tuple):
        return list(value)
    return value


def clean(fields: dict[str, Any]) -> dict[str, Any]:
    """Drop fields left unset, so files carry only what was said."""
    return {k: v for k, v in fields.items() if v not in (None, (), [], {})}


def create(path: Path, text: str, sync_folder: bool = True, mode: int | None = None) -> None:
    """Write a new file atomically; FileExistsError if the name is taken (even by a racing writer).

    A caller writing many files may leave sync_folder off and call sync_folders once at the end.
    mode: the file's permissions; by default what the umask gives a new file, as an editor's would get.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = _temp_with(path.parent, text, mode)
    try:
        os.link(temp, path)
    finally:
        os.unlink(temp)
    if sync_folder:
        _sync_dir(path.parent)


def sync_folders(paths: Iterable[Path]) -> None:
    """Make the new names of these files durable: one sync per folder, however many files it holds."""
    for folder in sorted({path.parent for path in paths}):
        _sync_dir(folder)


def create_unique(root: Path, ident: str, place: Callable[[str], Path], text_for: Callable[[str], str], derived: bool) -> tuple[str, Path]:
    """Create the record under ident, or, for a derived ID, the first free ident-2, ident-3, …"""
    _refuse_invalid(root, place(ident), text_for(ident))
    for attempt in range(1, 1000):
        candidate = ident if attempt == 1 else f"{ident}-{attempt}"
        if find_record(root, candidate) is None:
            path = within(root, place(candidate))
            try:
                create(path, text_for(candidate))
                return candidate, path
            except FileExistsError:
                pass
        if not derived:
            raise StoreError(f"a record with the ID {ident!r} already exists; choose another --id")
    raise StoreError(f"no free ID near {ident!r}; give one with --id")


def _refuse_invalid(root: Path, path: Path, text: str) -> None:
    """check's own rules, before anything is written: a write never makes a record that check rejects."""
    _fits(text)
    kind = kind_of_place(list(path.relative_to(root).parts))
    parsed = parse_text(str(path), kind, text)
    problems = [parsed] if isinstance(parsed, Problem) else (promise_from if kind == "promise" else event_from)(parsed)[1]
    errors = [problem.message for problem in problems if problem.is_error]
    if errors:
        raise StoreError(f"{errors[0]}; nothing was written")


def _fits(text: str) -> None:
    """Within the loader's size limit, or the record written could never be read back."""
    if len(text.encode("utf-8", "replace")) > MAX_BYTES:
        raise StoreError(f"the record would be over the {MAX_BYTES:,}-byte limit for a record; nothing was written")


def replace(path: Path, text: str, mode: int | None = None, sync: bool = True) -> None:
    """Write a file atomically over any file of that name: a reader sees the old text or the new, never part.

    sync=False skips making the write durable (two syncs per file), for files that can be made again.
    The file keeps its permissions unless mode is given.
    """
    if mode is None and path.exists():
        mode = stat.S_IMODE(path.stat().st_mode)
    temp = _temp_with(path.parent, text, mode, sync)
    try:
        os.replace(temp, path)
    except OSError:
        os.unlink(temp)
        raise
    if sync:
        _sync_dir(path.parent)


def append(path: Path, key: str, entry: dict[str, Any]) -> None:
    """Add one [[key]] table at the end of a record, keeping every byte already there."""
    for name, value in entry.items():  # check's own rule for text, before anything is read or written
        for text in value if isinstance(value, (list, tuple)) else [value]:
            if isinstance(text, str) and (why := check_text(text)) is not None:
                raise StoreError(f"{name}: {why}; nothing was written")
    with _locked(path.parent):
        record = _read_record(path)
        old = record.text
        new = old + ("" if old.endswith("\n") else "\n") + table_entry(key, entry)
        _fits(new)
        _check_append(path, record.data, new, key)
        replace(path, new)


def _read_record(path: Path) -> RawFile:
    """The record as the loader reads it (size, encoding, TOML), or a refusal."""
    parsed = parse_file(str(path), "promise")
    if isinstance(parsed, Problem):
        where = f"{path}:{parsed.line}" if parsed.line else str(path)
        raise StoreError(f"{where}: cannot add to this file: it {parsed.message}; run `tracker check`")
    return parsed


def within(root: Path, path: Path) -> Path:
    """path, unless it is a link or lies under one that leads out of the records directory."""
    real_root = os.path.realpath(root)
    if path.is_symlink() or os.path.commonpath([os.path.realpath(path), real_root]) != real_root:
        raise StoreError(f"{path} leads outside the records directory through a link; nothing was written")
    return path


def _check_append(path: Path, before: dict[str, Any], new: str, key: str) -> None:
    """The appended text must parse and add exactly one entry, or nothing is written."""
    try:
        after = tomli.loads(new)
    except (tomli.TOMLDecodeError, RecursionError):
        after = {}
    had = before.get(key, [])
    if not isinstance(had, list) or not isinstance(after.get(key), list) or len(after[key]) != len(had) + 1:
        raise StoreError(f"{path}: cannot add a [[{key}]] table: the file writes {key} another way; "
                         f"write it as [[{key}]] tables")


def default_mode() -> int:
    """What a new file gets from the umask (0644 with the usual one)."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def _temp_with(folder: Path, text: str, mode: int | None = None, sync: bool = True) -> str:
    """A temporary file in folder (hidden, so no reader takes it for a record), synced if sync.

    mkstemp makes it owner-only; it gets mode, or else what the umask gives a new file, before it is moved into place.
    """
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        # Command-line text in another encoding arrives as lone surrogates; writing it would corrupt the file.
        raise StoreError("the text given is not valid UTF-8 (check the terminal's encoding); nothing was written") from None
    handle, name = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".toml")
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


def _sync_dir(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Serialise read-modify-write of files in one folder between processes."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


# ---------------------------------------------------------------------------
# The write commands' core.

CONFIG_TEXT = schema.header("config") + """\
# Settings for this records directory. The README's "Scoring method" explains each one.

[scoring]
# An `advances` link dated within this many days before the as-of date makes a promise
# in-progress; a promise made longer ago than this, with nothing else decided, is stalled.
stall_days = 365

# The weight of a link is its severity (or else its event's severity) times its stance's multiplier.
[scoring.multipliers]
fulfills = 4
partly-fulfills = 2
advances = 1
consistent = 1
contradicts = 1
breaks = 4
"""


def gitignore_text() -> str:
    """What a new records directory keeps out of git: the parse cache, and a write's temporary files
    (a write cut short by a crash can leave one; no command reads it)."""
    from .cache import FOLDER

    return f"# Made by tracker: its parse cache and the temporary files of writes stay out of git.\n{FOLDER}/\n.tmp-*\n"


def init_records(root: Path) -> list[Path]:
    """Create tracker.toml, the schemas and a .gitignore; the settings files it made."""
    config = root / "tracker.toml"
    if config.exists():
        raise StoreError(f"{config} already exists; it was left as it is")
    root.mkdir(parents=True, exist_ok=True)
    create(config, CONFIG_TEXT)
    ensure_schemas(root)
    if (root / ".gitignore").exists():  # a .gitignore someone wrote is theirs: left alone
        return [config]
    create(root / ".gitignore", gitignore_text())
    return [config, root / ".gitignore"]


def schema_files(root: Path) -> list[Path]:
    """The schema files in root/schema/ that are there."""
    return [path for kind in RECORDS if (path := root / schema.SCHEMA_FOLDER / schema.file_name(kind)).is_file()]


def ensure_schemas(root: Path) -> None:
    """Put the JSON Schemas that record files name in their first line into root/schema/, if missing.

    An existing schema file is left as it is, like everything else in the records.
    """
    for kind in RECORDS:
        path = root / schema.SCHEMA_FOLDER / schema.file_name(kind)
        if not path.exists():
            try:
                create(path, schema.text(kind))
            except FileExistsError:
                pass  # another writer made it a moment ago


def _require_records(root: Path) -> None:
    require_records_dir(root)


def add_promise(root: Path, *, country: str, official: str, title: str, date: PartialDate, ident: str | None,
                office: str | None, text: str | None, quote: str | None, venue: str | None,
                sources: tuple[str, ...], deadline: PartialDate | None, topics: tuple[str, ...]) -> tuple[str, Path]:
    _require_records(root)
    _one_line(title, "--title")
    statement = {"date": date, "sources": sources, "quote": quote, "venue": venue}

    def text_for(candidate: str) -> str:
        return render_document(clean({
            "id": candidate, "country": country, "official": official, "office": office, "title": title,
            "text": text, "topics": topics, "deadline": deadline, "statements": [statement]}), schema.header("promise"))

    ensure_schemas(root)

    return create_unique(root, ident or derive_id(country, date, title),
                         lambda candidate: promise_path(root, country, candidate), text_for, derived=ident is None)


def add_event(root: Path, *, country: str, date: PartialDate, title: str, ident: str | None, kind: str | None,
              location: str | None, severity: int | None, sources: tuple[str, ...], notes: str | None,
              counts: dict[str, int], links: list[tuple[str, str]]) -> tuple[str, Path]:
    _require_records(root)
    _one_line(title, "--title")
    _check_links(root, [promise for _, promise in links])

    def text_for(candidate: str) -> str:
        return render_document(clean({
            "id": candidate, "country": country, "date": date, "title": title, "kind": kind, "location": location,
            "severity": severity, "sources": sources, "notes": notes, "counts": counts,
            "links": [{"promise": promise, "stance": stance} for stance, promise in links]}), schema.header("event"))

    ensure_schemas(root)
    return create_unique(root, ident or derive_id(country, date, title),
                         lambda candidate: event_path(root, country, date, candidate), text_for,
                         derived=ident is None)


def _check_links(root: Path, promises: list[str]) -> None:
    """Every linked promise must exist; found by file name, so no record is parsed."""
    for promise in promises:
        require_promise(root, promise)
        if promises.count(promise) > 1:
            raise StoreError(f"{promise!r} is linked more than once; give one stance per promise")


def append_to_promise(root: Path, ident: str, key: str, entry: dict[str, Any]) -> Path:
    _require_records(root)
    path = require_promise(root, ident)
    append(within(root, path), key, entry)
    return path


def _one_line(value: str, option: str) -> None:
    if "\n" in value or "\r" in value:
        raise StoreError(f"{option} must be one line")
