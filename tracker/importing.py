"""Import promises or events from a CSV or JSON file, row by row.

Each row is mapped onto a record's fields, written out as a record file and
checked by validate exactly as `tracker check` would check it; a row that
fails is refused (with its row number) and the rest go on.

Identity: every imported record keeps the row's `source_id` (a mapped column,
such as an ID; by default the row's title). Importing again matches rows to
records by it, so nothing is duplicated, and a later version of the file
changes an existing record in one way only: where a promise's mapped status
differs from its latest rating as of the rating date, a new dated rating is
appended (never one the promise already has), so running an import again
changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from iso3166 import countries

from . import schema, store
from .dates import DateError, PartialDate, parse_date
from .fields import LIST_TARGETS, TARGETS
from .load import RawFile, discover, parse_file
from .model import COUNTS, STANCES, VERDICTS, Problem
from .validate import check_country, check_slug, event_from, load_config, load_records, promise_from

_DATE_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}")


class SourceError(Exception):
    """The input file cannot be read as rows; nothing was written."""


class RowError(ValueError):
    """One row cannot be mapped (a preset says why); the row is refused and the rest go on."""


class MappingError(ValueError):
    """The options do not say how to map the file (a usage error); nothing was written."""

    def __init__(self, message: str, option: str | None = None) -> None:
        super().__init__(message)
        self.option = option  # the option at fault, where one is


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
    preset: Callable[[dict[str, Any]], dict[str, Any]] | None = None


@dataclass(frozen=True)
class Outcome:
    row: int  # 1 for the first row of data
    action: str  # "created", "updated", "skipped" or "refused"
    ident: str | None = None
    message: str = ""
    path: Path | None = None  # the file created or added to


ACTIONS = ("created", "updated", "skipped", "refused")


@dataclass
class Result:
    outcomes: list[Outcome] = field(default_factory=list)
    filtered: int = 0  # rows left out by --where
    gone: list[str] = field(default_factory=list)  # IDs of earlier imports whose rows are no longer in the file
    written: bool = False

    def counts(self) -> dict[str, int]:
        return {action: sum(1 for o in self.outcomes if o.action == action) for action in ACTIONS}

    def written_paths(self) -> list[Path]:
        return [o.path for o in self.outcomes if o.action in ("created", "updated") and o.path]


@dataclass(frozen=True)
class Existing:
    ident: str
    path: Path
    ratings: tuple[tuple[PartialDate, str], ...] = ()  # (date, verdict) of each rating, in file order


@dataclass(frozen=True)
class _Plan:
    outcome: Outcome
    path: Path | None = None
    text: str = ""  # a new record's file
    rating: dict[str, Any] | None = None  # a rating to append


def make_mapping(kind: str, fields: tuple[tuple[str, str], ...] = (), fixed: tuple[tuple[str, str], ...] = (),
                 **options: Any) -> Mapping:
    """The command's options as a Mapping, once they are known to make sense (else a MappingError)."""
    mapping = Mapping(kind, fields, fixed, **options)
    for source, verdict in mapping.statuses:
        if verdict not in VERDICTS:
            raise MappingError(f"{verdict!r} in {source}={verdict} is not a verdict; use one of: "
                               f"{', '.join(VERDICTS)}", "--status")
    if mapping.status_field and not mapping.rating_date:
        raise MappingError("--status-field needs --rating-date: the date of the ratings it makes")
    for stance, _ in mapping.links:
        if stance not in STANCES:
            raise MappingError(f"{stance!r} is not a stance; use one of: {', '.join(STANCES)}", "--link")
    for option, pairs in (("--field", fields), ("--set", fixed)):
        for target, _ in pairs:
            if target not in TARGETS[kind]:
                raise MappingError(f"{target!r} is not a field of an imported {kind}; use one of: "
                                   f"{', '.join(TARGETS[kind])}", option)
    return mapping


# ---------------------------------------------------------------------------
# Reading the input.

def read_rows(path: Path, json_path: str | None) -> list[dict[str, Any]]:
    """The file's rows as dictionaries: CSV with a header row, or JSON (an array, or the list at --path)."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".json"):
        raise SourceError(f"{path}: cannot tell its format from the name; name it .csv or .json")
    try:
        # Bytes decoded as they are: a CSV cell may hold line breaks of any kind, kept as written.
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SourceError(f"{path}: is not UTF-8 (byte {error.object[error.start]:#04x}); save it as UTF-8") from None
    if suffix == ".csv":
        if json_path:
            raise MappingError("--path is for JSON files; a CSV file's rows are its lines")
        return list(csv.DictReader(io.StringIO(text, newline="")))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise SourceError(f"{path}:{error.lineno}: is not valid JSON: {error.msg}") from None
    except RecursionError:
        raise SourceError(f"{path}: is not valid JSON: it is nested too deeply") from None
    for key in json_path.split(".") if json_path else ():
        if not isinstance(data, dict) or key not in data:
            raise SourceError(f"{path}: has no {key!r} key for --path {json_path}")
        data = data[key]
    if isinstance(data, dict):
        raise SourceError(f"{path}: holds an object, not a list; name the list with --path "
                          f"(its keys: {', '.join(map(str, data))})")
    if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
        raise SourceError(f"{path}: expected a list of objects" + (f" at --path {json_path}" if json_path else ""))
    return data


def check_columns(rows: list[dict[str, Any]], mapping: Mapping, file_name: str) -> None:
    """Every column the options name must be in the file; a misspelt one would otherwise refuse every row."""
    columns = list(dict.fromkeys(key for row in rows for key in row))
    named = [(f"--field {target}={source}", source) for target, source in mapping.fields]
    named += [(f"--where {column}={value}", column) for column, value in mapping.where]
    named += [(f"--status-field {mapping.status_field}", mapping.status_field)] if mapping.status_field else []
    for option, source in named:
        if rows and source not in columns and source.split(".")[0] not in columns:
            raise MappingError(f"{option}: {file_name} has no column {source!r}; its columns: "
                               f"{', '.join(map(str, columns))}")


def value_at(row: dict[str, Any], source: str) -> Any:
    """A column, or a dotted path into nested objects; a path through a list maps over its items."""
    if source in row:
        return row[source]
    value: Any = row
    for key in source.split("."):
        if isinstance(value, list):
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
    """Target field -> value: the preset's, then --field (a repeated list target gathers every source), then --set.

    Where the preset refuses the row, its fields are left out, and its RowError comes second.
    """
    refusal = None
    try:
        values = dict(mapping.preset(row)) if mapping.preset else {}
    except RowError as error:
        values, refusal = {}, error
    mapped: dict[str, Any] = {}
    for target, source in mapping.fields:
        value = value_at(row, source)
        if target in LIST_TARGETS:
            mapped[target] = mapped.get(target, []) + as_list(value)
        elif _present(value):
            mapped[target] = value
    values.update({k: v for k, v in mapped.items() if _present(v)})
    for target, value in mapping.fixed:
        if not _present(values.get(target)):
            values[target] = as_list(value) if target in LIST_TARGETS else value
    return values, refusal


def as_list(value: Any) -> list[str]:
    """A list field from a list, or from text split at semicolons (as `tracker export --format csv` joins lists)."""
    if not _present(value):
        return []
    items = value if isinstance(value, list) else str(value).split(";")
    return [text for item in items if _present(item) and (text := str(item).strip())]


def toml_date(value: Any) -> Any:
    """A date as the file writes it; text that is no date is left for validate to name."""
    text = str(value).strip()
    moment = _DATE_TIME.match(text)
    try:
        return parse_date(moment.group(1) if moment else text).to_toml()
    except DateError:
        return text


def whole(value: Any) -> Any:
    """A count or severity as a number ("12" from CSV), or as given for validate to refuse."""
    if isinstance(value, str) and re.fullmatch(r"\s*\d{1,18}\s*", value):  # longer: left for validate to refuse
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def country_code(value: Any) -> str:
    """ISO alpha-2 from an alpha-2, alpha-3 or numeric code or an English short name; else as given."""
    text = str(value).strip()
    try:
        return countries.get(text.zfill(3) if text.isdigit() else text).alpha2
    except KeyError:
        return text


def text_value(value: Any) -> str:
    return "; ".join(map(str, value)) if isinstance(value, list) else str(value).strip()


# ---------------------------------------------------------------------------
# What is there already.

def existing_records(root: Path, kind: str, cache: bool = True) -> tuple[dict[str, Existing], set[str]]:
    """Records of this kind by source_id, and the ID of every record file (of either kind).

    Records are loaded as `tracker report` loads them (through the parse cache); a file that fails
    validation is read on its own, so that a row imported before still finds it and is not duplicated.
    """
    records = load_records(root, dt.date.today(), cache=cache)
    by_source = {p.source_id: Existing(p.id, Path(p.path), tuple((r.date, r.verdict) for r in p.ratings))
                 for p in records.promises if kind == "promise" and p.source_id}
    by_source |= {e.source_id: Existing(e.id, Path(e.path)) for e in records.events if kind == "event" and e.source_id}
    loaded = {r.path for r in (*records.promises, *records.events)}
    found, _ = discover(root)
    for path, file_kind in found:
        if file_kind == kind and path not in loaded:
            raw = parse_file(path, file_kind)
            if isinstance(raw, RawFile) and isinstance(raw.data.get("source_id"), str):
                by_source[raw.data["source_id"]] = Existing(Path(path).stem, Path(path), raw_ratings(raw.data))
    return by_source, {Path(path).stem for path, _ in found}


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
    """Every status in the file must have a --status mapping, before anything is written."""
    if not mapping.status_field:
        return
    known = dict(mapping.statuses)
    unmapped = Counter(text_value(v) for row in rows
                       if _present(v := value_at(row, mapping.status_field)) and text_value(v) not in known)
    if unmapped:
        listed = ", ".join(f"{value!r} ({count} row{'s' if count > 1 else ''})" for value, count in unmapped.items())
        first = next(iter(unmapped))
        raise MappingError(f"status value(s) with no --status mapping: {listed}; "
                           f"add --status \"{first}=VERDICT\" for each")


def check_links(root: Path, mapping: Mapping) -> None:
    """Every --link names a promise that is there, before anything is written."""
    for _, promise in mapping.links:
        try:
            store.require_promise(root, promise)
        except store.StoreError as error:
            raise store.StoreError(f"--link: {error}") from None


def import_file(root: Path, path: Path, mapping: Mapping, json_path: str | None = None, dry_run: bool = False,
                strict: bool = False, track: Callable[[Iterable[Any]], Iterator[Any]] = iter,
                cache: bool = True) -> Result:
    """Import every row of path into root; see the module's docstring for what happens to each."""
    load_config(root)  # refuses a directory that is not a records directory
    rows = read_rows(path, json_path)
    check_columns(rows, mapping, path.name)
    values = [row_values(row, mapping) for row in rows]
    chosen = [number for number, row in enumerate(rows, start=1) if matches(row, mapping.where)]
    check_statuses([rows[number - 1] for number in chosen], mapping)
    check_links(root, mapping)
    existing, idents = existing_records(root, mapping.kind, cache)
    seen: dict[str, int] = {}
    plans = [plan_row(root, number, rows[number - 1], values[number - 1], mapping, path.name, existing, idents, seen)
             for number in chosen]
    result = Result(filtered=len(rows) - len(chosen))
    in_file = {source_of(row_fields) for row_fields, _ in values}
    result.gone = sorted(e.ident for source, e in existing.items() if source not in in_file)
    if dry_run or (strict and any(p.outcome.action == "refused" for p in plans)):
        result.outcomes = [p.outcome for p in plans]
        return result
    if any(p.path for p in plans):
        store.ensure_schemas(root)
    result.outcomes = [apply(plan) for plan in track(plans)]
    store.sync_folders(o.path for o in result.outcomes if o.action == "created" and o.path)
    result.written = True
    return result


def matches(row: dict[str, Any], where: tuple[tuple[str, str], ...]) -> bool:
    """Every --where column must hold one of the values given for it."""
    wanted: dict[str, set[str]] = {}
    for column, value in where:
        wanted.setdefault(column, set()).add(value)
    return all(text_value(value_at(row, column) or "") in values for column, values in wanted.items())


def source_of(values: dict[str, Any]) -> str:
    """What matches a row to an earlier import: its source_id, or else its title."""
    return text_value(values.get("source_id") or values.get("title") or "")


def status_of(row: dict[str, Any], mapping: Mapping) -> str | None:
    value = value_at(row, mapping.status_field) if mapping.status_field else None
    return text_value(value) if _present(value) else None


def plan_row(root: Path, number: int, row: dict[str, Any], mapped: tuple[dict[str, Any], RowError | None],
             mapping: Mapping, file_name: str, existing: dict[str, Existing], idents: set[str],
             seen: dict[str, int]) -> _Plan:
    values, refusal = mapped
    if refusal:
        return _Plan(Outcome(number, "refused", message=str(refusal)))
    source_id = source_of(values)
    if not source_id:
        return _Plan(Outcome(number, "refused", message="no source_id and no title to match it by"))
    if source_id in seen:
        return _Plan(Outcome(number, "refused", message=f"source_id {source_id!r} repeats row {seen[source_id]}"))
    seen[source_id] = number
    rating = _rating(status_of(row, mapping), mapping, file_name)
    if source_id in existing:
        known = existing[source_id]
        if rating and rating_due(known.ratings, rating["date"], rating["verdict"]):
            if why := outside(root, known.path):
                return _Plan(Outcome(number, "refused", known.ident, why))
            return _Plan(Outcome(number, "updated", known.ident, f"rated {rating['verdict']}", known.path),
                         known.path, rating=rating)
        return _Plan(Outcome(number, "skipped", known.ident))
    return plan_new(root, number, values | {"source_id": source_id}, mapping, rating, idents)


def _rating(status: str | None, mapping: Mapping, file_name: str) -> dict[str, Any] | None:
    if status is None:
        return None
    return {"date": mapping.rating_date, "verdict": dict(mapping.statuses)[status],
            "rationale": f"Imported: the status was {status!r} in {file_name}."}


def plan_new(root: Path, number: int, values: dict[str, Any], mapping: Mapping, rating: dict[str, Any] | None,
             idents: set[str]) -> _Plan:
    """A new record's file, checked by validate as `tracker check` would; refused with the reasons if it fails."""
    fields = document(values, mapping, rating)
    country = str(fields.get("country", ""))
    ident = str(fields.get("id") or _free(_derived_id(values) or f"row-{number}", idents))
    # Never build a path from a country or an ID that validate would refuse.
    why = (check_country(country) if country else _missing("country", mapping.kind)) or check_slug(ident)
    if why:
        return _Plan(Outcome(number, "refused", None, why))
    if ident in idents:
        return _Plan(Outcome(number, "refused", ident, f"a record with the ID {ident!r} already exists"))
    fields = {"id": ident, **fields}
    try:
        date = parse_date(fields.get("date"))
    except DateError:
        date = PartialDate(0)  # validate names the bad date; the file is never written
    path = store.promise_path(root, country, ident) if mapping.kind == "promise" \
        else store.event_path(root, country, date, ident)
    text = store.render_document(fields, schema.header(mapping.kind))
    why = problems_in(path, mapping.kind, text) or outside(root, path)
    if why:
        return _Plan(Outcome(number, "refused", ident, why))
    idents.add(ident)
    return _Plan(Outcome(number, "created", ident, path=path), path, text)


def document(values: dict[str, Any], mapping: Mapping, rating: dict[str, Any] | None) -> dict[str, Any]:
    """The record's fields in file order, as `add-promise` and `add-event` write them."""
    one = {k: (text_value(v) if k not in LIST_TARGETS else as_list(v)) for k, v in values.items() if _present(v)}
    if "country" in one:
        one["country"] = country_code(one["country"])
    for key in ("date", "deadline"):
        if key in one:
            one[key] = toml_date(one[key])
    head = {"source_id": one.get("source_id"), "country": one.get("country")}
    if "id" in one:
        head = {"id": one["id"], **head}
    if mapping.kind == "promise":
        statement = {"date": one.get("date"), "sources": one.get("sources"), "quote": one.get("quote"),
                     "venue": one.get("venue")}
        body = {k: one.get(k) for k in ("official", "office", "title", "text", "topics", "deadline")}
        tables = {"statements": [store.clean(statement)], "ratings": [rating] if rating else []}
        return store.clean(head | body | tables)
    counts = {name: whole(values[name]) for name in COUNTS if _present(values.get(name))}
    body = {k: one.get(k) for k in ("date", "title", "kind", "location")}
    body |= {"severity": whole(values["severity"]) if _present(values.get("severity")) else None,
             "sources": one.get("sources"), "notes": one.get("notes"), "counts": counts,
             "links": [{"promise": promise, "stance": stance} for stance, promise in mapping.links]}
    return store.clean(head | body)


def _derived_id(values: dict[str, Any]) -> str | None:
    """country-date-title, as `add-promise` and `add-event` derive it; None while any of them is missing."""
    if not all(_present(values.get(key)) for key in ("country", "date", "title")):
        return None
    try:
        date = parse_date(toml_date(values["date"]))
    except DateError:
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
        return str(error)
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
    return (f"missing required field {target!r} (map a column with --field {target}=COLUMN, "
            f"or give every row one with --set {target}={example})")


def apply(plan: _Plan) -> Outcome:
    """Write one planned row: a new file (created atomically, never over another) or an appended rating."""
    outcome = plan.outcome
    try:
        if outcome.action == "created":
            store.create(plan.path, plan.text, sync_folder=False)  # import_file syncs each folder once
        elif outcome.action == "updated":
            store.append(plan.path, "ratings", plan.rating)
    except FileExistsError:
        return Outcome(outcome.row, "refused", outcome.ident, f"{plan.path} appeared meanwhile; it was left alone")
    except store.StoreError as error:
        return Outcome(outcome.row, "refused", outcome.ident, str(error))
    return outcome


# ---------------------------------------------------------------------------
# Telling what happened.

def messages(result: Result, file: Path, dry_run: bool) -> list[str]:
    """What stderr says: each refused row with its reason, the earlier imports gone from the file, the counts."""
    lines = [f"{file}: row {o.row}: refused: {o.message}" for o in result.outcomes if o.action == "refused"]
    if result.gone:
        lines.append(f"{len(result.gone)} record(s) imported before are not in {file}; "
                     f"they were left as they are: {', '.join(result.gone)}")
    summary = ", ".join(f"{n} {action}" for action, n in result.counts().items())
    if result.filtered:
        summary += f", {result.filtered} left out by --where"
    if not result.written:
        summary += "; nothing was written" + (" (dry run)" if dry_run else " (--strict, and rows were refused)")
    return [*lines, summary]


def commit_message(kind: str, file: Path, result: Result) -> str:
    return f"Import {kind}s from {file.name}: " + ", ".join(
        f"{n} {action}" for action, n in result.counts().items() if n and action in ("created", "updated"))


def as_json(result: Result, file: Path, dry_run: bool) -> dict[str, Any]:
    """Every row's outcome, for --format json."""
    return {"file": str(file), "dry_run": dry_run, "written": result.written, "counts": result.counts(),
            "filtered": result.filtered, "gone": result.gone,
            "rows": [{"row": o.row, "action": o.action, "id": o.ident, "message": o.message or None}
                     for o in result.outcomes]}
