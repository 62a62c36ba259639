"""Import promises or events from a CSV or JSON file, row by row.

Each row is mapped onto a record's fields, written out as a record file and
checked by validate exactly as `tracker check` would check it; a row that
fails is refused (with its row number) and the rest go on.

Identity: every imported record keeps the row's `source_id` (the key columns
joined, else a mapped column such as an ID, else the row's title). Importing
again matches rows to records by it, within the same country and kind only, so
nothing is duplicated, and a later version of the file changes an existing
record in one way only: where a promise's mapped status differs from its latest
rating as of the rating date, a new dated rating is appended (never one the
promise already has), so running an import again changes nothing. A rating is
never attached to a promise that the row did not create (another official or
date), unless the key columns were named, nor dated before the promise was made.

Values are taken as people have them (any encoding, common date and country
forms); where a value must change to fit a record (a line break in a title, a
source that is no web address), the change is listed by row and field, or, when
strict, the row is refused.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import errno
import functools
import io
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import atomic, countries, layout, schema, store
from .dates import DateError, PartialDate, parse_date
from .errors import TrackerError, Wording, option, python_wording, worded
from .fields import LIST_TARGETS, ONE_LINE_TARGETS, TARGETS
from .load import MAX_BYTES, RawFile, discover, parse_file
from .model import Problem
from .validate import (
    check_country,
    check_slug,
    check_url,
    event_from,
    load_config,
    load_records,
    promise_from,
)
from .vocabulary import COUNTS, STANCES, VERDICTS

_DATE_TIME = re.compile(r"(\d{4}-\d{1,2}-\d{1,2})[T ]\d{1,2}:\d{2}")
_ISO = re.compile(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?")
# Spreadsheet and ACLED forms whose day and month order is plain (5-Aug-24, 05 August 2024, Aug 5, 2024).
# Forms such as 21/09/2019 are not here: 01/02/2019 reads either way, so they need a date format.
DATE_FORMS = ("%d-%b-%y", "%d-%b-%Y", "%d-%B-%Y", "%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y", "%d %b %y")
_LINE_BREAK = re.compile(r"\s*(?:\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029])\s*")


class SourceError(TrackerError):
    """The input file cannot be read as rows; nothing was written."""


class RowError(ValueError):
    """One row cannot be mapped (a preset says why); the row is refused and the rest go on."""


class MappingError(TrackerError, ValueError):
    """The options do not say how to map the file (a usage error); nothing was written. Its field is the
    option at fault, where there is one."""


@dataclass(frozen=True)
class Mapping:
    """How rows become records: the command's options, checked."""

    kind: str  # "promise" or "event"
    fields: tuple[tuple[str, str], ...] = ()  # (target field, source column or dotted path)
    fixed: tuple[tuple[str, str], ...] = ()  # (target field, value for every row)
    status_field: str | None = None
    statuses: tuple[tuple[str, str], ...] = ()  # (source status, verdict)
    rating_date: PartialDate | None = None
    where: tuple[tuple[str, str], ...] = ()  # (column, value): rows must match
    links: tuple[tuple[str, str], ...] = ()  # (stance, promise ID) for every imported event
    preset: Callable[[dict[str, Any], str | None], dict[str, Any]] | None = None
    keys: tuple[str, ...] = ()  # columns whose values, joined, match a row to a record
    maps: tuple[tuple[str, str, str], ...] = ()  # (field, value, replacement)
    separator: str = ";"  # between the items of a list field given as text
    date_format: str | None = None  # a strptime pattern tried before the forms known
    strict: bool = False  # refuse a row rather than change a value to fit


@dataclass(frozen=True)
class Outcome:
    row: int  # 1 for the first row of data
    action: str  # "created", "updated", "skipped" or "refused"
    ident: str | None = None
    message: str = ""
    path: Path | None = None  # the file created (the record's, or a rating's added to it)
    changes: tuple[str, ...] = ()  # "field: what was changed" for each value changed to fit
    also: tuple[Path, ...] = ()  # further files created with it: a new event's links, a new promise's rating


ACTIONS = ("created", "updated", "skipped", "refused")


@dataclass
class Result:
    outcomes: list[Outcome] = field(default_factory=list)
    filtered: int = 0  # rows left out by the where option
    gone: list[str] = field(default_factory=list)  # IDs of earlier imports whose rows are no longer in the file
    written: bool = False
    stopped: str = ""  # why the writing stopped before the last row (a full disk, an interrupt)
    interrupted: bool = False
    merged: int = 0  # rows that repeat an earlier row's event and were merged into it

    def counts(self) -> dict[str, int]:
        return {action: sum(1 for o in self.outcomes if o.action == action) for action in ACTIONS}

    def written_paths(self) -> list[Path]:
        return [path for o in self.outcomes if o.action in ("created", "updated") and o.path
                for path in (o.path, *o.also)]


@dataclass(frozen=True)
class Existing:
    ident: str
    path: Path
    ratings: tuple[tuple[PartialDate, str], ...] = ()  # (date, verdict) of each rating, in file order
    official: str | None = None  # a promise's official and the date it was made: a row that says
    made: PartialDate | None = None  # otherwise did not create it


@dataclass(frozen=True)
class _Plan:
    outcome: Outcome
    path: Path | None = None
    text: str = ""  # a new file: a record's, or a rating's of a known promise
    extra: tuple[tuple[Path, str], ...] = ()  # files written with it: (path, text)


def make_mapping(kind: str, fields: tuple[tuple[str, str], ...] = (), fixed: tuple[tuple[str, str], ...] = (),
                 **options: Any) -> Mapping:
    """The command's options as a Mapping, once they are known to make sense (else a MappingError)."""
    mapping = Mapping(kind, fields, fixed, **options)
    for source, verdict in mapping.statuses:
        if verdict not in VERDICTS:
            raise MappingError(f"{verdict!r} in {source}={verdict} is not a verdict; use one of: "
                               f"{', '.join(VERDICTS)}", "statuses")
    if mapping.status_field and not mapping.rating_date:
        raise MappingError(f"{option('status_field')} needs {option('rating_date')}: the date of the ratings it makes")
    for stance, _ in mapping.links:
        if stance not in STANCES:
            raise MappingError(f"{stance!r} is not a stance; use one of: {', '.join(STANCES)}", "links")
    if mapping.date_format and not re.search(r"%[YyGbBmjU]", mapping.date_format):
        raise MappingError(f"{mapping.date_format!r} has no year or month; use strptime codes such as "
                           "%d/%m/%Y", "date_format")
    maps = tuple((target, source) for target, source, _ in mapping.maps)
    for name, pairs in (("fields", fields), ("fixed", fixed), ("maps", maps)):
        for target, _ in pairs:
            if target not in TARGETS[kind]:
                raise MappingError(f"{target!r} is not a field of an imported {kind}; use one of: "
                                   f"{', '.join(TARGETS[kind])}", name)
    return mapping


# ---------------------------------------------------------------------------
# Reading the input.

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def check_encoding(name: str) -> None:
    try:
        codecs.lookup(name)
    except LookupError:
        raise MappingError(f"{name!r} is not an encoding Python knows, such as utf-8, utf-16, cp1252, "
                           "mac_roman or latin-1", "encoding") from None


def decode(path: Path, data: bytes, encoding: str | None) -> str:
    """The file's text: in the encoding named, else as its byte-order mark says, else UTF-8.

    A byte that does not decode is named by its row (as the CSV reader counts them) and offset.
    """
    name = encoding or next((codec for bom, codec in _BOMS if data.startswith(bom)), None)
    if name is None and 0 in data:  # no text file in an 8-bit encoding holds zero bytes
        raise SourceError(f"{path}: has zero bytes (at offset {data.index(0)}), as UTF-16 text without a "
                          f"byte-order mark does; name its encoding with {option('encoding', 'utf-16-le')} "
                          "or utf-16-be")
    name = name or "utf-8"
    try:
        text = data.decode(name)
    except UnicodeDecodeError as error:
        before = data[:error.start].decode(name, "replace")
        row = max(len(list(csv.reader(io.StringIO(before, newline="")))) - 1, 0) \
            if path.suffix.lower() == ".csv" else None
        line = before.count("\n") + 1
        where = f"row {row} (line {line})" if row is not None else f"line {line}"
        hint = f"name the file's encoding with {option('encoding')}, such as cp1252, mac_roman or latin-1" \
            if encoding is None else "check the file's encoding"
        raise SourceError(f"{path}:{line}: {where} is not {name.upper() if name.startswith('utf') else name}: "
                          f"byte {data[error.start]:#04x} at offset {error.start}; {hint}") from None
    return text


def read_rows(path: Path, json_path: str | None, encoding: str | None = None) -> list[dict[str, Any]]:
    """The file's rows as dictionaries: CSV with a header row, or JSON (an array, or the list at json_path)."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".json"):
        raise SourceError(f"{path}: cannot tell its format from the name; name it .csv or .json")
    # Bytes decoded as they are: a CSV cell may hold line breaks of any kind, kept as written.
    text = decode(path, path.read_bytes(), encoding).removeprefix("\ufeff")
    if suffix == ".csv":
        if json_path:
            raise MappingError(f"{option('json_path')} is for JSON files; a CSV file's rows are its lines")
        return csv_rows(path, text)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise SourceError(f"{path}:{error.lineno}: is not valid JSON: {error.msg}") from None
    except ValueError as error:  # a number of more digits than Python converts
        raise SourceError(f"{path}: holds a value too large to read: {str(error).split(':')[0]}") from None
    except RecursionError:
        raise SourceError(f"{path}: is not valid JSON: it is nested too deeply") from None
    for key in json_path.split(".") if json_path else ():
        if isinstance(data, list) and key.isdigit() and int(key) < len(data):
            data = data[int(key)]
            continue
        if not isinstance(data, dict) or key not in data:
            raise SourceError(f"{path}: has no {key!r} key for {option('json_path', json_path or '')}")
        data = data[key]
    if isinstance(data, dict):
        raise SourceError(f"{path}: holds an object, not a list; name the list with {option('json_path')} "
                          f"(its keys: {', '.join(map(str, data))})")
    if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
        where = f" at {option('json_path', json_path)}" if json_path else ""
        raise SourceError(f"{path}: expected a list of objects{where}")
    return data


def csv_rows(path: Path, text: str) -> list[dict[str, Any]]:
    """A CSV file's rows; a cell may be as large as a record may be (csv's own limit is 128 KiB)."""
    csv.field_size_limit(max(csv.field_size_limit(), MAX_BYTES))
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        return list(reader)
    except csv.Error as error:
        raise SourceError(f"{path}:{reader.reader.line_num}: row {max(reader.reader.line_num - 1, 1)} "
                          f"cannot be read: {error}") from None


def check_columns(rows: list[dict[str, Any]], mapping: Mapping, file_name: str) -> None:
    """Every column the options name must be in the file; a misspelt one would otherwise refuse every row."""
    columns = list(dict.fromkeys(key for row in rows for key in row))
    named = [(option("fields", f"{target}={source}"), source) for target, source in mapping.fields]
    named += [(option("where", f"{column}={value}"), column) for column, value in mapping.where]
    named += [(option("status_field", mapping.status_field), mapping.status_field)] if mapping.status_field else []
    named += [(option("keys", column), column) for column in mapping.keys]
    for given, source in named:
        if rows and source not in columns and source.split(".")[0] not in columns:
            raise MappingError(f"{given}: {file_name} has no column {source!r}; its columns: "
                               f"{', '.join(map(str, columns))}")


def check_preset_columns(rows: list[dict[str, Any]], path: Path) -> None:
    """An ACLED file must have the columns the preset reads; said once, not once a row."""
    from .presets import ACLED_REQUIRED

    columns = list(dict.fromkeys(str(key) for row in rows for key in row))
    missing = [column for column in ACLED_REQUIRED if column not in columns]
    if rows and missing:
        hint = "; it looks saved with ';' between columns: save it as CSV with commas" \
            if len(columns) == 1 and ";" in columns[0] else ""
        raise SourceError(f"{path}: is not an ACLED export: it has no {', '.join(missing)} column; "
                          f"its columns: {', '.join(columns)[:300]}{hint}")


def value_at(row: dict[str, Any], source: str) -> Any:
    """A column, or a dotted path into nested objects; a number picks a list's item (timelines.0.from),
    and any other key maps over a list's items (sources.url)."""
    if source in row:
        return row[source]
    value: Any = row
    for key in source.split("."):
        if isinstance(value, list) and key.isdigit():
            value = value[int(key)] if int(key) < len(value) else None
        elif isinstance(value, list):
            value = [item.get(key) if isinstance(item, dict) else None for item in value]
        elif isinstance(value, dict):
            value = value.get(key)
        else:
            return None
    return value


def _present(value: Any) -> bool:
    return value not in (None, "", [], {})


# ---------------------------------------------------------------------------
# A row's fields.

def row_values(row: dict[str, Any], mapping: Mapping) -> tuple[dict[str, Any], RowError | None]:
    """Target field -> value: the preset's, then the fields mapped (a repeated list target gathers every
    source), then the fixed ones.

    Where the preset refuses the row, its fields are left out, and its RowError comes second.
    """
    refusal = None
    try:
        values = dict(mapping.preset(row, mapping.date_format)) if mapping.preset else {}
    except RowError as error:
        values, refusal = {}, error
    mapped: dict[str, Any] = {}
    for target, source in (*same_named(row, mapping, values), *mapping.fields):
        value = value_at(row, source)
        if target in LIST_TARGETS:
            mapped[target] = mapped.get(target, []) + as_list(value, mapping.separator)
        elif _present(value):
            mapped[target] = value
    values.update({k: v for k, v in mapped.items() if _present(v)})
    for target, value in mapping.fixed:
        if not _present(values.get(target)):
            values[target] = as_list(value, mapping.separator) if target in LIST_TARGETS else value
    if mapping.keys:
        values["source_id"] = " | ".join(text_value(value_at(row, column) or "") for column in mapping.keys)
    return map_values(values, mapping.maps), refusal


def same_named(row: dict[str, Any], mapping: Mapping, preset: dict[str, Any]) -> list[tuple[str, str]]:
    """A column named as a field (in any case) fills it, unless a mapped field or the preset fills that field."""
    return _same_named(tuple(row), mapping.kind, frozenset({target for target, _ in mapping.fields} | set(preset)))


@functools.lru_cache(maxsize=64)  # every row of a CSV file has the same columns
def _same_named(columns: tuple[Any, ...], kind: str, named: frozenset[str]) -> list[tuple[str, str]]:
    by_name = {str(column).casefold(): column for column in reversed(columns)}
    return [(target, by_name[target]) for target in TARGETS[kind] if target not in named and target in by_name]


def map_values(values: dict[str, Any], maps: tuple[tuple[str, str, str], ...]) -> dict[str, Any]:
    """Each map (field, FROM, TO): a field's value (or a list's item) that is FROM becomes TO."""
    for target, old, new in maps:
        value = values.get(target)
        if isinstance(value, list):
            values[target] = [new if text_value(item) == old else item for item in value]
        elif value is not None and text_value(value) == old:
            values[target] = new
    return values


def as_list(value: Any, separator: str = ";") -> list[str]:
    """A list field from a list, or from text split at the separator (`;`, as `tracker export --format csv`
    joins lists)."""
    if not _present(value):
        return []
    items = value if isinstance(value, list) else str(value).split(separator)
    return [text for item in items if _present(item) and (text := str(item).strip())]


def parse_day(text: str, date_format: str | None = None) -> str | None:
    """A date in one of the forms people and spreadsheets write, as YYYY-MM-DD (or YYYY-MM, YYYY where the
    format has no day or month); None when it is in none of them."""
    if date_format:
        try:
            day = dt.datetime.strptime(text, date_format).date()
        except ValueError:
            pass
        else:
            cut = 10 if re.search(r"%[dj]", date_format) else 7 if re.search(r"%[mbB]", date_format) else 4
            return day.isoformat()[:cut]
    iso = _ISO.fullmatch(text)
    if iso:
        return "-".join(part.zfill(2) for part in iso.groups() if part)
    for form in DATE_FORMS:
        try:
            return dt.datetime.strptime(text, form).date().isoformat()
        except ValueError:
            continue
    return None


def toml_date(value: Any, date_format: str | None = None) -> Any:
    """A date as the file writes it; text that is no date is left for validate to name."""
    text = str(value).strip()
    moment = _DATE_TIME.match(text)
    text = moment.group(1) if moment else text
    try:
        return parse_date(parse_day(text, date_format) or text).to_toml()
    except (DateError, OverflowError):
        return text


def whole(value: Any) -> Any:
    """A count or severity as a number ("12" from CSV), or as given for validate to refuse."""
    if isinstance(value, str) and re.fullmatch(r"\s*\d{1,18}\s*", value):  # longer: left for validate to refuse
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def country_code(value: Any) -> str:
    """ISO alpha-2 from an alpha-2, alpha-3 or numeric code or a name in common use (see countries.py);
    else as given, for validate to name."""
    text = str(value).strip()
    return countries.resolve(text) or text


def text_value(value: Any) -> str:
    return "; ".join(map(str, value)) if isinstance(value, list) else str(value).strip()


# ---------------------------------------------------------------------------
# What is there already.

Key = tuple[str, str]  # (country, source_id): a row matches a record only within its own country


def existing_records(root: Path, kind: str, cache: bool = True) -> tuple[dict[Key, Existing], set[str]]:
    """Records of this kind by country and source_id, and the ID of every record file (of either kind).

    Records are loaded as `tracker report` loads them (through the parse cache); a file that fails
    validation is read on its own, so that a row imported before still finds it and is not duplicated.
    """
    records = load_records(root, dt.date.today(), cache=cache)
    by_source = {(p.country, p.source_id): Existing(p.id, Path(p.path), tuple((r.date, r.verdict) for r in p.ratings),
                                                    p.official, p.made)
                 for p in records.promises if kind == "promise" and p.source_id}
    by_source |= {(e.country, e.source_id): Existing(e.id, Path(e.path))
                  for e in records.events if kind == "event" and e.source_id}
    loaded = {p.path for p in records.promises} | {e.path for e in records.events}
    found, _ = discover(root)
    for path, file_kind in found:
        if file_kind == kind and path not in loaded:
            raw = parse_file(path, file_kind)
            if isinstance(raw, RawFile) and isinstance(raw.data.get("source_id"), str):
                key = (str(raw.data.get("country", "")).upper(), raw.data["source_id"])
                by_source[key] = Existing(Path(path).stem, Path(path), raw_ratings(raw.data))
    return by_source, {Path(path).stem for path, file_kind in found if file_kind in layout.TOP_KINDS}


def raw_ratings(data: dict[str, Any]) -> tuple[tuple[PartialDate, str], ...]:
    """(date, verdict) of each rating that has both, from a file that validate refuses."""
    ratings = []
    for rating in data.get("ratings", []) if isinstance(data.get("ratings"), list) else []:
        try:
            ratings.append((parse_date(rating.get("date")), str(rating.get("verdict"))))
        except (DateError, AttributeError):
            continue
    return tuple(ratings)


def rating_due(known: tuple[tuple[PartialDate, str], ...], date: PartialDate, verdict: str) -> bool:
    """Whether a rating (date, verdict) is news: the latest rating as of its date (as scoring reads it: by
    date, the later in the file on the same date) says otherwise, and the promise has no such rating yet.
    Comparing as of the date, not with the very latest rating, keeps a re-run from rating anything again."""
    by_then = sorted(((d, v) for d, v in known if d.last <= date.last), key=lambda pair: pair[0].sort_key())
    return (by_then[-1][1] if by_then else None) != verdict and (date, verdict) not in known


# ---------------------------------------------------------------------------
# Planning and writing.

def check_statuses(rows: list[dict[str, Any]], mapping: Mapping) -> None:
    """Every status in the file must have a verdict in statuses, before anything is written."""
    if not mapping.status_field:
        return
    known = dict(mapping.statuses)
    unmapped = Counter(text_value(v) for row in rows
                       if _present(v := value_at(row, mapping.status_field)) and text_value(v) not in known)
    if unmapped:
        listed = ", ".join(f"{value!r} ({count} row{'s' if count > 1 else ''})" for value, count in unmapped.items())
        quoted = f'"{next(iter(unmapped))}=VERDICT"'
        raise MappingError(f"status value(s) with no {option('statuses')} mapping: {listed}; "
                           f"add {option('statuses', quoted)} for each")


def check_links(root: Path, mapping: Mapping) -> None:
    """Every link names a promise that is there, before anything is written."""
    for _, promise in mapping.links:
        try:
            store.require_promise(root, promise)
        except store.StoreError as error:
            raise store.StoreError(f"{option('links')}: {error.message}", "links") from None


def import_file(root: Path, path: Path, mapping: Mapping, json_path: str | None = None, dry_run: bool = False,
                strict: bool = False, track: Callable[[list[Any]], Iterator[Any]] = iter,
                cache: bool = True, encoding: str | None = None) -> Result:
    """Import every row of path into root; see the module's docstring for what happens to each."""
    load_config(root)  # refuses a directory that is not a records directory
    if encoding:
        check_encoding(encoding)
    rows = read_rows(path, json_path, encoding)
    check_columns(rows, mapping, path.name)
    if mapping.preset is not None:
        check_preset_columns(rows, path)
    values = [tidy(*row_values(row, mapping), mapping.kind) for row in rows]
    chosen = [number for number, row in enumerate(rows, start=1) if matches(row, mapping.where)]
    check_statuses([rows[number - 1] for number in chosen], mapping)
    check_links(root, mapping)
    existing, idents = existing_records(root, mapping.kind, cache)
    merged = merge_repeats([(number, values[number - 1]) for number in chosen])
    seen: dict[Key, int] = {}
    plans = [_Plan(Outcome(number, "skipped", message=merged[number])) if number in merged else
             plan_row(root, number, rows[number - 1], values[number - 1], mapping, path.name, existing, idents, seen)
             for number in chosen]
    result = Result(filtered=len(rows) - len(chosen), merged=len(merged))
    # Only the countries the file speaks of: a record of another country came from another file.
    in_file = {key_of(row_fields) for row_fields, _, _ in values}
    countries_in_file = {country for country, _ in in_file}
    result.gone = sorted(e.ident for key, e in existing.items() if key not in in_file and key[0] in countries_in_file)
    if dry_run or (strict and any(p.outcome.action == "refused" for p in plans)):
        result.outcomes = [p.outcome for p in plans]
        return result
    if any(p.path for p in plans):
        store.ensure_schemas(root)
    write_all(plans, result, track)
    atomic.sync_folders(result.written_paths())
    result.written = True
    return result


def write_all(plans: list[_Plan], result: Result, track: Callable[[list[Any]], Iterator[Any]]) -> None:
    """Write each plan in turn; a full disk (or any failure to write) or an interrupt stops the run, and
    the result says which rows were written before it stopped."""
    try:
        for plan in track(plans):
            result.outcomes.append(apply(plan))
    except KeyboardInterrupt:
        result.stopped, result.interrupted = "interrupted", True
    except OSError as error:
        reason = "the disk is full" if error.errno in (errno.ENOSPC, errno.EDQUOT) else \
            (error.strerror or str(error)).lower()
        result.stopped = f"stopped at row {plans[len(result.outcomes)].outcome.row}: {reason}"


def tidy(values: dict[str, Any], refusal: RowError | None, kind: str) -> tuple[dict[str, Any], RowError | None,
                                                                                tuple[str, ...]]:
    """A row's values made to fit a record, with a note of each change: a line break in a one-line field
    becomes a space; a source that is not an http or https address is left out."""
    changes = []
    for target in ONE_LINE_TARGETS[kind]:
        value = values.get(target)
        if _present(value) and not isinstance(value, list) and _LINE_BREAK.search(text := str(value).strip()):
            values[target] = _LINE_BREAK.sub(" ", text)
            changes.append(f"{target}: a line break was folded to a space")
    sources = as_list(values.get("sources"))
    kept = [url for url in sources if not check_url(url)]
    for url in sources:
        if url not in kept:
            changes.append(f"sources: {url[:80]!r} is not an http or https address; it was left out")
    if len(kept) < len(sources):
        values["sources"] = kept
    return values, refusal, tuple(changes)


def merge_repeats(prepared: list[tuple[int, tuple[dict[str, Any], RowError | None, tuple[str, ...]]]]) \
        -> dict[int, str]:
    """Rows that repeat an earlier row's key with the same event (ACLED's two rows for one event, one for
    each side) add their actors to the earlier row; the row numbers merged, and into which row."""
    first: dict[Key, tuple[int, dict[str, Any]]] = {}
    merged = {}
    for number, (values, refusal, _) in prepared:
        if refusal or "actors" not in values:
            continue
        key = key_of(values)
        if key not in first:
            first[key] = (number, values)
            continue
        earlier_number, earlier = first[key]
        rest = ({k: v for k, v in d.items() if k != "actors"} for d in (earlier, values))
        if next(rest) == next(rest):
            earlier["actors"] = list(dict.fromkeys([*as_list(earlier["actors"]), *as_list(values["actors"])]))
            merged[number] = f"the same event as row {earlier_number}; its actors were added there"
    return merged


def matches(row: dict[str, Any], where: tuple[tuple[str, str], ...]) -> bool:
    """Every where column must hold one of the values given for it."""
    wanted: dict[str, set[str]] = {}
    for column, value in where:
        wanted.setdefault(column, set()).add(value)
    return all(text_value(value_at(row, column) or "") in values for column, values in wanted.items())


def source_of(values: dict[str, Any]) -> str:
    """What matches a row to an earlier import: its source_id (the key columns), or else its title."""
    return text_value(values.get("source_id") or values.get("title") or "")


def key_of(values: dict[str, Any]) -> Key:
    return country_code(text_value(values.get("country") or "")), source_of(values)


def status_of(row: dict[str, Any], mapping: Mapping) -> str | None:
    value = value_at(row, mapping.status_field) if mapping.status_field else None
    return text_value(value) if _present(value) else None


def plan_row(root: Path, number: int, row: dict[str, Any],
             mapped: tuple[dict[str, Any], RowError | None, tuple[str, ...]], mapping: Mapping, file_name: str,
             existing: dict[Key, Existing], idents: set[str], seen: dict[Key, int]) -> _Plan:
    values, refusal, changes = mapped
    if refusal:
        return _Plan(Outcome(number, "refused", message=str(refusal)))
    if changes and mapping.strict:
        return _Plan(Outcome(number, "refused", message="; ".join(changes).replace(" was ", " would be ")
                             .replace("it was left", "it would be left") + " (strict: nothing is changed to fit)"))
    key = key_of(values)
    source_id = key[1]
    if not source_id:
        return _Plan(Outcome(number, "refused", message="no source_id and no title to match it by"))
    if key in seen:
        return _Plan(Outcome(number, "refused", message=f"source_id {source_id!r} repeats row {seen[key]}"))
    seen[key] = number
    rating = _rating(status_of(row, mapping), mapping, file_name)
    if key in existing:
        known = existing[key]
        if rating and rating_due(known.ratings, rating["date"], rating["verdict"]):
            why = outside(root, known.path) or (not mapping.keys and not_from(known, values, mapping)) \
                or too_early(rating["date"], known.made)
            if why:
                return _Plan(Outcome(number, "refused", known.ident, why))
            path, text = _rating_file(known.path, rating)
            return _Plan(Outcome(number, "updated", known.ident, f"rated {rating['verdict']}", path, changes),
                         path, text)
        return _Plan(Outcome(number, "skipped", known.ident))
    plan = plan_new(root, number, values | {"source_id": source_id}, mapping, rating, idents)
    return replace(plan, outcome=replace(plan.outcome, changes=changes)) if plan.path else plan


def not_from(known: Existing, values: dict[str, Any], mapping: Mapping) -> str:
    """Why a row matched by its source_id or title did not create this promise (it names another
    official or date), or nothing; a rating is then not attached unless the key columns are named."""
    official = text_value(values.get("official") or "")
    made = toml_date(values.get("date"), mapping.date_format) if _present(values.get("date")) else None
    said = []
    if official and known.official and official != known.official:
        said.append(f"official {official!r}")
    if made and known.made and str(made) != str(known.made):
        said.append(f"date {made}")
    if not said:
        return ""
    return (f"matches {known.ident} by {source_of(values)[:60]!r} only, but that promise was not made from "
            f"this row ({' and '.join(said)}); no rating was attached (name the match with {option('keys')} "
            "if they are the same promise)")


def too_early(rating: PartialDate, made: PartialDate | None) -> str:
    """Why a rating may not be attached: it is dated before the promise was made (or nothing)."""
    if made is not None and rating.last < made.first:
        return f"the rating date {rating} is before the promise was made ({made}); no rating was attached"
    return ""


def _rating(status: str | None, mapping: Mapping, file_name: str) -> dict[str, Any] | None:
    if status is None:
        return None
    return {"date": mapping.rating_date, "verdict": dict(mapping.statuses)[status],
            "rationale": f"Imported: the status was {status!r} in {file_name}."}


def plan_new(root: Path, number: int, values: dict[str, Any], mapping: Mapping, rating: dict[str, Any] | None,
             idents: set[str]) -> _Plan:
    """A new record's file, checked by validate as `tracker check` would; refused with the reasons if it fails."""
    fields = document(values, mapping)
    country = str(fields.get("country", ""))
    if rating and (early := made_after(fields, rating["date"])):
        return _Plan(Outcome(number, "refused", None, early))
    ident = str(fields.get("id") or _free(_derived_id(values, mapping) or f"row-{number}", idents))
    # Never build a path from a country or an ID that validate would refuse.
    why = (_country_problem(country) if country else _missing("country", mapping.kind)) or check_slug(ident)
    if why:
        return _Plan(Outcome(number, "refused", None, why))
    if ident in idents:
        return _Plan(Outcome(number, "refused", ident, f"a record with the ID {ident!r} already exists"))
    fields = {"id": ident, **fields}
    try:
        date = parse_date(fields.get("date"))
    except DateError:
        date = PartialDate(0)  # validate names the bad date; the file is never written
    path = layout.promise_path(root, country, ident) if mapping.kind == "promise" \
        else layout.event_path(root, country, date, ident)
    text = store.render_document(fields, schema.header(mapping.kind, layout.depth(path.relative_to(root).parts)))
    why = too_big(fields, text) or problems_in(path, mapping.kind, text) or outside(root, path)
    if why:
        return _Plan(Outcome(number, "refused", ident, why))
    idents.add(ident)
    extra = [_rating_file(path, rating)] if rating and mapping.kind == "promise" else []
    extra += [(layout.link_path(store.require_promise(root, promise), ident), store.part_text({"stance": stance}))
              for stance, promise in (mapping.links if mapping.kind == "event" else ())]
    return _Plan(Outcome(number, "created", ident, path=path, also=tuple(p for p, _ in extra)), path, text,
                 tuple(extra))


def made_after(fields: dict[str, Any], rating: PartialDate) -> str:
    """too_early, for a new promise: its first statement's date, where it is one."""
    try:
        return too_early(rating, parse_date(fields.get("statements", [{}])[0].get("date")))
    except (DateError, OverflowError):
        return ""  # validate names the bad date


def _country_problem(country: str) -> str | None:
    why = check_country(country)
    close = countries.suggestion(country) if why else None
    return f"{why}; did you mean {close}?" if why and close else why


def _rating_file(promise_file: Path, rating: dict[str, Any]) -> tuple[Path, str]:
    """A rating of a promise: its own file below the promise, as `tracker rate` writes it."""
    text = store.part_text(rating)
    return layout.part_path(promise_file, "rating", rating["date"], rating["verdict"], text), text


def document(values: dict[str, Any], mapping: Mapping) -> dict[str, Any]:
    """The record's fields in file order, as `add-promise` and `add-event` write them."""
    one = {k: (text_value(v) if k not in LIST_TARGETS else as_list(v, mapping.separator))
           for k, v in values.items() if _present(v)}
    if "country" in one:
        one["country"] = country_code(one["country"])
    for key in ("date", "deadline"):
        if key in one:
            one[key] = toml_date(one[key], mapping.date_format)
    head = {"source_id": one.get("source_id"), "country": one.get("country")}
    if "id" in one:
        head = {"id": one["id"], **head}
    if mapping.kind == "promise":
        statement = {"date": one.get("date"), "sources": one.get("sources"), "quote": one.get("quote"),
                     "venue": one.get("venue")}
        body: dict[str, Any] = {k: one.get(k) for k in ("official", "office", "title", "text", "topics", "deadline")}
        tables = {"statements": [store.clean(statement)]}
        return store.clean(head | body | tables)
    counts = {name: whole(values[name]) for name in COUNTS if _present(values.get(name))}
    body = {k: one.get(k) for k in ("date", "title", "kind", "location", "actors")}
    body |= {"severity": whole(values["severity"]) if _present(values.get("severity")) else None,
             "sources": one.get("sources"), "notes": one.get("notes"), "counts": counts}
    return store.clean(head | body)


def _derived_id(values: dict[str, Any], mapping: Mapping) -> str | None:
    """country-date-title, as `add-promise` and `add-event` derive it; None while any of them is missing."""
    if not all(_present(values.get(key)) for key in ("country", "date", "title")):
        return None
    try:
        date = parse_date(toml_date(values["date"], mapping.date_format))
    except (DateError, OverflowError):
        return None
    return store.derive_id(country_code(values["country"]), date, text_value(values["title"]))


def _free(base: str, idents: set[str]) -> str:
    """The first of base, base-2, base-3, … that no record (nor an earlier row) uses."""
    attempt = 1
    while (candidate := base if attempt == 1 else f"{base}-{attempt}") in idents:
        attempt += 1
    return candidate


def outside(root: Path, path: Path) -> str:
    """Why path may not be written (a link out of the records directory), or nothing."""
    try:
        store.within(root, path)
    except store.StoreError as error:
        return error.message
    return ""


TOML_MAX_INT = 2**63 - 1


def too_big(fields: dict[str, Any], text: str) -> str:
    """Why a record cannot be written as a file the loader reads back: a whole number beyond TOML's
    64 bits, or a file over the size limit; or nothing."""
    for name, value in [*fields.get("counts", {}).items(), ("severity", fields.get("severity"))]:
        digits = str(value).strip() if isinstance(value, (int, str)) and not isinstance(value, bool) else ""
        if re.fullmatch(r"-?\d{19,}", digits) and abs(int(digits[:40])) > TOML_MAX_INT:
            return f"{name}: {digits[:30]}{'…' if len(digits) > 30 else ''} is too large for a whole number"
    size = len(text.encode("utf-8", "replace"))
    if size > MAX_BYTES:
        return f"the record would be {size:,} bytes, over the {MAX_BYTES:,}-byte limit for a record"
    return ""


def problems_in(path: Path, kind: str, text: str) -> str:
    """What validate finds wrong with a record file's text, in one line; empty when nothing is."""
    import tomli

    raw = RawFile(str(path), kind, text, tomli.loads(text))
    _, problems = (promise_from if kind == "promise" else event_from)(raw)
    return "; ".join(_said(p, kind) for p in problems if p.is_error)


_MISSING = re.compile(r"missing required field '(\w+)'")


def _said(problem: Problem, kind: str) -> str:
    """validate's words, where a missing field is told how the command (not a file) supplies it."""
    missing = _MISSING.search(problem.message)
    if missing and missing.group(1) in TARGETS[kind]:
        return problem.message[:missing.start()] + _missing(missing.group(1), kind)
    return problem.message + (f" ({problem.hint})" if problem.hint and "missing" in problem.message else "")


def _missing(target: str, kind: str) -> str:
    example = "XX" if target == "country" else "VALUE"
    return (f"missing required field {target!r} (map a column with {option('fields', f'{target}=COLUMN')}, "
            f"or give every row one with {option('fixed', f'{target}={example}')})")


def apply(plan: _Plan) -> Outcome:
    """Write one planned row: new files (created atomically, never over another): a record and its links or
    rating, or a rating of a known promise."""
    outcome = plan.outcome
    try:
        if outcome.action in ("created", "updated") and plan.path:
            for path, text in ((plan.path, plan.text), *plan.extra):
                try:
                    atomic.create(path, text, sync_folder=False)  # import_file syncs each folder once
                except FileExistsError:
                    return Outcome(outcome.row, "refused", outcome.ident,
                                   f"{path} appeared meanwhile; it was left alone")
    except store.StoreError as error:
        return Outcome(outcome.row, "refused", outcome.ident, error.message)
    return outcome


# ---------------------------------------------------------------------------
# Telling what happened.

def messages(result: Result, file: Path, dry_run: bool, wording: Wording = python_wording) -> list[str]:
    """What stderr says: each value changed to fit and each refused row, by row; the earlier imports gone
    from the file; the counts (what would be done, where nothing was written); where a run stopped short,
    what it wrote. Options are named by wording."""
    written = result.written
    lines = [f"{file}: row {o.row}: {change}" for o in result.outcomes for change in o.changes]
    lines += [f"{file}: row {o.row}: refused: {o.message}" for o in result.outcomes if o.action == "refused"]
    if result.gone:
        lines.append(f"{len(result.gone)} record(s) imported before are not in {file}; "
                     f"they were left as they are: {', '.join(result.gone)}")
    counts = result.counts().items()
    summary = ", ".join(f"{n} {action}" for action, n in counts) if written else \
        "would create {}, update {}, skip {}, refuse {}".format(*(n for _, n in counts))
    if result.merged:
        summary += f" ({result.merged} merged into an earlier row's event)"
    if result.filtered:
        summary += f", {result.filtered} left out by {option('where')}"
    if not written:
        why = "dry run" if dry_run else f"{option('strict')}, and rows were refused"
        summary += f"; nothing was written ({why})"
    if result.stopped:
        done = [o.ident or f"row {o.row}" for o in result.outcomes if o.action in ("created", "updated")]
        lines.append(f"{file}: {result.stopped}; {len(done)} record(s) written before it: "
                     f"{', '.join(done) or 'none'}; the rows after it were not imported")
    return [worded(line, wording) for line in [*lines, summary]]


def commit_message(kind: str, file: Path, result: Result) -> str:
    return f"Import {kind}s from {file.name}: " + ", ".join(
        f"{n} {action}" for action, n in result.counts().items() if n and action in ("created", "updated"))


def as_json(result: Result, file: Path, dry_run: bool, wording: Wording = python_wording) -> dict[str, Any]:
    """Every row's outcome, as JSON data; options are named by wording."""
    return {"file": str(file), "dry_run": dry_run, "written": result.written, "counts": result.counts(),
            "filtered": result.filtered, "merged": result.merged, "gone": result.gone,
            "stopped": result.stopped or None,
            "rows": [{"row": o.row, "action": o.action, "id": o.ident, "message": worded(o.message, wording) or None,
                      "changes": list(o.changes)} for o in result.outcomes]}
