"""Writing records: every record, and every addition to one, is a new file, created atomically and exclusively.

Nothing a person wrote is ever rewritten. A new record goes to a temporary
file in the same folder, is synced, and is then linked into place with a call
that fails if the name is taken. An addition to an existing promise or event (a
restatement, a rating, a link) is a file of its own below the promise, named by
tracker.layout, so writers on two branches never touch the same file.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import tomli_w

from . import layout, schema
from .atomic import create, encode_utf8, replace
from .dates import PartialDate
from .errors import StoreError as StoreError, option  # StoreError: re-exported, as store.StoreError
from .fields import RECORDS
from .layout import event_path, promise_path, slugify, term_path
from .load import MAX_BYTES, RawFile, parse_file, parse_text, require_records_dir
from .lookup import least
from .model import Config, Problem
from .validate import check_raw, check_slug

TABLE_LISTS = ("statements", "ratings", "links")
MAX_DERIVED = 48


def derive_id(country: str, date: PartialDate, title: str) -> str:
    """country-date-title-words, cut at a word boundary to stay readable.

    A title with no letters or digits in any script (only symbols) gives a short hash of
    itself instead, so that the ID is stable and still tells such titles apart.
    """
    words = slugify(title) or (layout.sha256(title.encode()).hexdigest()[:8] if title.strip() else "")
    base = f"{country.lower()}-{date}"
    ident = f"{base}-{words}" if words else base
    if len(ident) > MAX_DERIVED:
        cut = ident[:MAX_DERIVED]
        # At a word boundary, unless that would leave no word of the title (one long word is cut short).
        ident = cut.rsplit("-", 1)[0] if len(cut.rsplit("-", 1)[0]) > len(base) else cut.rstrip("-")
    return ident


def find_record(root: Path, ident: str) -> tuple[Path, str] | None:
    """Where the record with this ID lives, and its kind, without reading any record."""
    if check_slug(ident):
        return None  # never build a path from an ID that is not a slug
    for kind in layout.TOP_KINDS:
        # Literal names: an ID is a slug, so it holds no glob characters.
        hit = least(str(root), layout.globs(kind, ident))
        if hit is not None:
            return root / hit, kind
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


def create_unique(root: Path, ident: str, place: Callable[[str], Path], text_for: Callable[[str], str],
                  derived: bool) -> tuple[str, Path]:
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
            raise StoreError(f"a record with the ID {ident!r} already exists; choose another {option('ident')}",
                             "ident")
    raise StoreError(f"no free ID near {ident!r}; give one with {option('ident')}", "ident")


def _refuse_invalid(root: Path, path: Path, text: str) -> None:
    """check's own rules, before anything is written: a write never makes a record that check rejects."""
    _fits(text)
    kind = layout.kind_of_place(list(path.relative_to(root).parts))
    if kind is None:
        raise StoreError(f"{path} is not a place for a record; nothing was written")
    parsed = parse_text(str(path), kind, text)
    result = parsed if isinstance(parsed, Problem) else check_raw(parsed)
    problems = [result] if isinstance(result, Problem) else list(getattr(result, "problems", ()))
    errors = [problem.message for problem in problems if problem.is_error]
    if errors:
        raise StoreError(f"{errors[0]}; nothing was written")


def _fits(text: str) -> None:
    """Within the loader's size limit, or the record written could never be read back."""
    if len(text.encode("utf-8", "replace")) > MAX_BYTES:
        raise StoreError(f"the record would be over the {MAX_BYTES:,}-byte limit for a record; nothing was written")


def part_text(entry: dict[str, Any]) -> str:
    """The text of a statement, rating or link file: its fields, as a [[table]] of them would hold them."""
    text = tomli_w.dumps({k: _toml_value(v) for k, v in entry.items() if v not in (None, (), [])},
                         multiline_strings=True)
    encode_utf8(text)  # before its hash names the file
    return text


def _read_record(path: Path, kind: str) -> RawFile:
    """The record as the loader reads it (size, encoding, TOML), or a refusal."""
    parsed = parse_file(str(path), kind)
    if isinstance(parsed, Problem):
        where = f"{path}:{parsed.line}" if parsed.line else str(path)
        raise StoreError(f"{where}: cannot add to this record: it {parsed.message}; run `tracker check`")
    return parsed


def within(root: Path, path: Path) -> Path:
    """path, unless it is a link or lies under one that leads out of the records directory."""
    real_root = os.path.realpath(root)
    if path.is_symlink() or os.path.commonpath([os.path.realpath(path), real_root]) != real_root:
        raise StoreError(f"{path} leads outside the records directory through a link; nothing was written")
    return path


# ---------------------------------------------------------------------------
# The write commands' core.

def config_text() -> str:
    """tracker.toml as `init` writes it: the default settings, each with what it does."""
    defaults = Config()
    multipliers = "".join(f"{name} = {value:g}\n" for name, value in defaults.multipliers.items())
    return schema.header("config") + f"""\
# Settings for this records directory. docs/method.md explains each one.

[scoring]
# An `advances` link dated within this many days before the as-of date makes a promise
# in-progress; a promise made longer ago than this, with nothing else decided, is stalled.
stall_days = {defaults.stall_days}
# A promise with no deadline falls due at the end of the term of office it was made for.
term_due = {str(defaults.term_due).lower()}

# The weight of a link is its severity (or else its event's severity) times its stance's multiplier.
[scoring.multipliers]
""" + multipliers


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
    create(config, config_text())
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


def refresh_schemas(root: Path) -> list[Path]:
    """Bring the schema files in root/schema/ up to this version's; the files replaced.

    Only a file exactly as some version of tracker wrote it (schema.is_ours) is replaced: a new stance
    or field must not read as a mistake in an editor. Anything else there is left as it is.
    """
    replaced = []
    for kind in RECORDS:
        path = root / schema.SCHEMA_FOLDER / schema.file_name(kind)
        text = schema.text(kind)
        written = path.read_bytes() if path.is_file() else None
        if written is not None and written != text.encode("utf-8") and schema.is_ours(written, kind):
            replace(path, text)
            replaced.append(path)
    return replaced


def _require_records(root: Path) -> None:
    require_records_dir(root)


def add_promise(root: Path, *, country: str, official: str, title: str, date: PartialDate, ident: str | None,
                office: str | None, text: str | None, quote: str | None, venue: str | None,
                sources: tuple[str, ...], deadline: PartialDate | None, topics: tuple[str, ...]) -> tuple[str, Path]:
    _require_records(root)
    _one_line(title, "title")
    statement = {"date": date, "sources": sources, "quote": quote, "venue": venue}

    def text_for(candidate: str) -> str:
        return render_document(clean({
            "id": candidate, "country": country, "official": official, "office": office, "title": title,
            "text": text, "topics": topics, "deadline": deadline, "statements": [statement]}), schema.header("promise"))

    ensure_schemas(root)

    return create_unique(root, ident or derive_id(country, date, title),
                         lambda candidate: promise_path(root, country, candidate), text_for, derived=ident is None)


def add_term(root: Path, *, country: str, official: str, start: PartialDate, end: PartialDate | None,
             office: str | None, sources: tuple[str, ...], ident: str | None) -> tuple[str, Path]:
    _require_records(root)
    _one_line(official, "official")

    def text_for(candidate: str) -> str:
        return render_document(clean({
            "id": candidate, "country": country, "official": official, "office": office, "start": start,
            "end": end, "sources": sources}), schema.header("term"))

    ensure_schemas(root)
    return create_unique(root, ident or derive_id(country, start, official),
                         lambda candidate: term_path(root, country, candidate), text_for, derived=ident is None)


def add_event(root: Path, *, country: str, date: PartialDate, title: str, ident: str | None, kind: str | None,
              location: str | None, severity: int | None, sources: tuple[str, ...], notes: str | None,
              counts: dict[str, int], links: list[tuple[str, str]],
              promise_files: Mapping[str, Path] | None = None) -> tuple[str, Path, list[Path]]:
    """A new event file, and a link file below each promise it bears on.

    promise_files: the files of linked promises that the caller has just found (require_promise), so that
    they are not looked for again."""
    _require_records(root)
    _one_line(title, "title")
    files = _check_links(root, [promise for _, promise in links], promise_files or {})
    depth = layout.depth(event_path(root, country, date, "x").relative_to(root).parts)

    def text_for(candidate: str) -> str:
        return render_document(clean({
            "id": candidate, "country": country, "date": date, "title": title, "kind": kind, "location": location,
            "severity": severity, "sources": sources, "notes": notes, "counts": counts}),
            schema.header("event", depth))

    ensure_schemas(root)
    ident, path = create_unique(root, ident or derive_id(country, date, title),
                                lambda candidate: event_path(root, country, date, candidate), text_for,
                                derived=ident is None)
    return ident, path, [write_link(root, ident, promise, stance, promise_file=files[promise])
                         for stance, promise in links]


def _check_links(root: Path, promises: list[str], found: Mapping[str, Path]) -> dict[str, Path]:
    """Every linked promise must exist; found by file name, so no record is parsed. The file of each."""
    files = {}
    for promise in promises:
        files[promise] = found.get(promise) or require_promise(root, promise)
        if promises.count(promise) > 1:
            raise StoreError(f"{promise!r} is linked more than once; give one stance per promise")
    return files


def add_part(root: Path, ident: str, kind: str, entry: dict[str, Any], slug: str,
             promise_file: Path | None = None) -> Path:
    """A restatement or a rating of the promise ident, as a new file below it. promise_file: the promise's
    file, when the caller has just found it (require_promise)."""
    _require_records(root)
    promise = within(root, promise_file or require_promise(root, ident))
    text = part_text(entry)
    path = layout.part_path(promise, kind, entry["date"], slug, text)
    return _create_new(root, path, text, f"this {kind} of {ident} is already recorded, in {path}")


def add_link(root: Path, event: str, promise: str, stance: str, severity: int | None, note: str | None) -> Path:
    """Link an existing event to a promise: a new file below the promise, named after the event."""
    _require_records(root)
    found = find_record(root, event)
    if found is None or found[1] != "event":
        raise StoreError(f"no event has the ID {event!r} in {root}; nothing was written")
    promise_file = require_promise(root, promise)
    linked = _read_record(within(root, found[0]), "event").data.get("links", [])
    if isinstance(linked, list) and any(isinstance(link, dict) and link.get("promise") == promise for link in linked):
        raise StoreError(f"{found[0]} already links {promise} in its own [[links]]; nothing was written")
    return write_link(root, event, promise, stance, severity, note, promise_file)


def write_link(root: Path, event: str, promise: str, stance: str, severity: int | None = None,
               note: str | None = None, promise_file: Path | None = None) -> Path:
    """The link file of event to promise; promise_file: the promise's file, when the caller has found it."""
    path = layout.link_path(within(root, promise_file or require_promise(root, promise)), event)
    text = part_text({"stance": stance, "severity": severity, "note": note})
    return _create_new(root, path, text, f"{event} has a stance on {promise} already, in {path}; "
                                         "edit or delete that file to change it")


def _create_new(root: Path, path: Path, text: str, taken: str) -> Path:
    _refuse_invalid(root, path, text)
    try:
        create(within(root, path), text)
    except FileExistsError:
        raise StoreError(f"{taken}; nothing was written") from None
    return path


def _one_line(value: str, name: str) -> None:
    if "\n" in value or "\r" in value:
        raise StoreError(f"{option(name)} must be one line", name)
