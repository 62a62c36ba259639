"""Convert a records directory from the layout of one file per promise or event to one file per fact.

Before, a restatement or a rating was appended to its promise's file, an event's links
were tables in the event's file, and events sat in year folders. Now each of those is a
file of its own (tracker.layout). Conversion keeps every byte a person wrote in the
promise and event files, less the tables that move out (a file whose tables cannot be
cut out cleanly is written again from its values), and writes each moved table exactly
as `restate`, `rate` and `link` would have. A file with errors is left as it is, to be
fixed first. Running it again finds nothing to do.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import tomli

from . import layout, schema
from .atomic import create, replace, sync_folders
from .errors import StoreError
from .fields import LINK, RATING, STATEMENT, names
from .load import RawFile, discover, parse_file, require_records_dir
from .model import Config, Event, Problem, Promise
from .store import find_record, part_text, refresh_schemas, render_document
from .validate import _HEADER, Checked, check_raw
from .vocabulary import WEIGHED

ORDER = {"statements": names(STATEMENT), "ratings": names(RATING), "links": names(LINK)}


def migrate(root: Path) -> list[Path]:
    """Convert every promise and event file under root, give tracker.toml a line for each stance added
    since, and bring the schema files up to date; the files written, moved or removed."""
    require_records_dir(root)
    found, _ = discover(root)
    changed: list[Path] = [*_settings(root / "tracker.toml"), *refresh_schemas(root)]
    for path, kind in found:
        if kind not in layout.TOP_KINDS:
            continue
        raw = parse_file(path, kind)
        if isinstance(raw, Problem):
            continue  # check reports it; there is nothing safe to move
        result = check_raw(raw)
        record = result.record if isinstance(result, Checked) else result
        if isinstance(result, Checked) and any(p.is_error for p in result.problems):
            continue  # warnings alone do not stop it; errors do: check says what to fix
        if isinstance(record, Promise):
            changed += _promise(Path(path), raw, record)
        elif isinstance(record, Event):
            changed += _event(root, Path(path), raw, record)
    sync_folders(path for path in changed if path.exists())  # once a folder, not once a file
    return changed


def _settings(path: Path) -> list[Path]:
    """A line in [scoring.multipliers] for each weighed stance it does not name, at its default: the weight
    it had already, now written where a person sees it. Every other byte stays, line endings included; a
    table written another way (inline, dotted keys, a quoted name) is left as it is, as is a file that
    does not read (check says why)."""
    try:
        text = path.read_bytes().decode("utf-8")
        data = tomli.loads(text)
    except (OSError, UnicodeDecodeError, tomli.TOMLDecodeError):
        return []
    table = data.get("scoring", {}).get("multipliers") if isinstance(data.get("scoring"), dict) else None
    missing = [name for name in WEIGHED if name not in table] if isinstance(table, dict) else []
    lines = re.findall(r"[^\n]*\n|[^\n]+$", text)  # only \n ends a TOML line (\r\n too, with its \r)
    start = next((n for n, line in enumerate(lines) if _table_header(line) == "scoring.multipliers"), None)
    if not missing or start is None or not isinstance(table, dict):  # the last test tells mypy table's type
        return []
    defaults, ending = Config().multipliers, "\r\n" if "\r\n" in text else "\n"
    for name in missing:
        lines = _with_line(lines, start, name, f"{name} = {defaults[name]:g}{ending}", ending)
    result = "".join(lines)
    wanted = data | {"scoring": data["scoring"] | {"multipliers": table | {name: defaults[name] for name in missing}}}
    try:
        if tomli.loads(result) != wanted:
            return []
    except tomli.TOMLDecodeError:
        return []
    replace(path, result)
    return [path]


def _table_header(line: str) -> str | None:
    """The name of the [table] a line opens, spaces left out; None for any other line."""
    match = _HEADER.match(line)
    return match.group(2).replace(" ", "") if match and not match.group(1) else None


def _with_line(lines: list[str], start: int, name: str, line: str, ending: str) -> list[str]:
    """lines with line put in the table whose header is at start: before the next stance's key, else after
    the table's last key."""
    end = next((n for n in range(start + 1, len(lines)) if lines[n].lstrip().startswith("[")), len(lines))
    keys = {lines[n].split("=")[0].strip(): n for n in range(start + 1, end) if "=" in lines[n]
            and not lines[n].lstrip().startswith("#")}
    later = [keys[k] for k in WEIGHED[WEIGHED.index(name) + 1:] if k in keys]
    at = min(later) if later else max(keys.values(), default=start) + 1
    if not lines[at - 1].endswith("\n"):
        lines = [*lines[:at - 1], lines[at - 1] + ending, *lines[at:]]
    return [*lines[:at], line, *lines[at:]]


def _promise(path: Path, raw: RawFile, promise: Promise) -> list[Path]:
    statements, ratings = raw.data.get("statements", []), raw.data.get("ratings", [])
    if len(statements) < 2 and not ratings:
        return []
    written = [_part(path, "statement", promise.statements[n].date, entry.get("venue") or "",
                     _entry("statements", entry))
               for n, entry in enumerate(statements) if n > 0]
    written += [_part(path, "rating", rating.date, rating.verdict, _entry("ratings", entry))
                for rating, entry in zip(promise.ratings, ratings, strict=False)]
    kept = {key: value for key, value in raw.data.items() if key != "ratings"} | {"statements": statements[:1]}
    replace(path, _without(raw.text, kept, {"statements": 1, "ratings": 0}))
    return [*written, path]


def _event(root: Path, path: Path, raw: RawFile, event: Event) -> list[Path]:
    links = raw.data.get("links", [])
    target = layout.event_path(root, event.country, event.date, event.id)
    moves = target.parent != path.parent
    if not links and not moves:
        return []
    written = [_link(root, event.id, entry) for entry in links]
    text = _without(raw.text, {k: v for k, v in raw.data.items() if k != "links"}, {"links": 0})
    if moves:
        text = _schema_line(text, layout.depth(path.relative_to(root).parts),
                            layout.depth(target.relative_to(root).parts))
        _create_same(target, text)
        os.unlink(path)
        return [*written, target, path]
    replace(path, text)
    return [*written, path]


def _entry(key: str, entry: dict[str, Any]) -> dict[str, Any]:
    """A table's fields in the order the write commands give them; unknown ones after, kept."""
    known = [name for name in ORDER[key] if name in entry]
    ordered = {name: entry[name] for name in known} | {k: v for k, v in entry.items() if k not in ORDER[key]}
    return {k: v for k, v in ordered.items() if key != "links" or k != "promise"}  # a link file's is its folder


def _part(promise_file: Path, kind: str, date: Any, slug: str, entry: dict[str, Any]) -> Path:
    text = part_text(entry)
    path = layout.part_path(promise_file, kind, date, slug, text)
    _create_same(path, text)
    return path


def _link(root: Path, event: str, entry: dict[str, Any]) -> Path:
    promise = str(entry.get("promise", ""))
    found = find_record(root, promise)
    if found is None or found[1] != "promise":
        raise StoreError(f"{event} links {promise!r}, which has no promise file; fix it (`tracker check`) and "
                         "run migrate again; the files converted so far are in the new layout")
    text = part_text(_entry("links", entry))
    path = layout.link_path(found[0], event)
    _create_same(path, text)
    return path


def _create_same(path: Path, text: str) -> None:
    """Create path with text; a file there already with the same text is one an earlier run wrote."""
    try:
        create(path, text, sync_folder=False)
    except FileExistsError:
        if path.read_text(encoding="utf-8") != text:
            raise StoreError(f"{path} exists already with other content; nothing more was converted. "
                             "Compare it with the record it comes from, keep one, and run migrate again") from None


def _without(text: str, kept: dict[str, Any], keep: dict[str, int]) -> str:
    """text less the [[key]] tables after the first keep[key] of them, as long as what is left reads as kept;
    else the kept values written out again (a file that writes its tables another way)."""
    lines, out, skipping, seen = text.splitlines(keepends=True), [], False, dict.fromkeys(keep, 0)
    for line in lines:
        header = _HEADER.match(line)
        if header:
            name = header.group(2).strip("\"'")
            skipping = False
            if header.group(1) and name in keep:
                seen[name] += 1
                skipping = seen[name] > keep[name]
        if not skipping:
            out.append(line)
    result = "".join(out).rstrip("\n") + "\n"
    try:
        if tomli.loads(result) == kept:
            return result
    except tomli.TOMLDecodeError:
        pass
    first = text.splitlines(keepends=True)[0] if text.startswith("#:schema") else ""
    return render_document(kept, first)


def _schema_line(text: str, old_depth: int, new_depth: int) -> str:
    """The event's `#:schema` line, pointed at the schema from its new folder."""
    old, new = schema.header("event", old_depth), schema.header("event", new_depth)
    return new + text[len(old):] if text.startswith(old) else text
