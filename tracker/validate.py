"""Turn parsed TOML into model records, collecting every problem with its file and line.

Each rule is a small function that returns or records Problems; nothing here
raises on bad data, so `check` can print every problem at once.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import operator
import os
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from . import layout
from .dates import SHARED_LIMIT, DateError, PartialDate, parse_date, type_name
from .fields import CONFIG, EVENT, LINK, MAX_MULTIPLIER, MAX_STALL_DAYS, PROMISE, RATING, STATEMENT, TERM, names
from .layout import CONFIG_NAME
from .load import (
    LAYOUT_HINT,
    RawFile,
    RecordsError,
    discover,
    excerpt,
    link_outside,
    parse_bytes,
    parse_file,
    read_bytes,
    records_in,
    require_records_dir,
)
from .model import Config, Event, Link, Part, Problem, Promise, Rating, Records, Statement, Term
from .vocabulary import COUNTS, MAX_COUNT, STANCES, VERDICTS, WEIGHED

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_ID = 100
# Names Windows gives to devices, with any extension: a record named so could not be checked out there.
WINDOWS_RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"{p}{n}" for p in ("com", "lpt") for n in range(1, 10))})
CONTROL_HINT = "delete the character; it may be invisible in an editor (search for it by its code)"
SEVERITY_HINT = "severity ranks how grave an event is, from 1 (least) to 5 (gravest)"

# The allowed field names come from the one field table, which the JSON Schema is also built from.
PROMISE_FIELDS, STATEMENT_FIELDS, RATING_FIELDS = names(PROMISE), names(STATEMENT), names(RATING)
EVENT_FIELDS, LINK_FIELDS, CONFIG_FIELDS, TERM_FIELDS = names(EVENT), names(LINK), names(CONFIG), names(TERM)
# A link in a file of its own takes its promise from its folder and its event from its name.
LINK_FILE_FIELDS = tuple(name for name in LINK_FIELDS if name != "promise")


# ---------------------------------------------------------------------------
# Single values, usable from the CLI as well as from files.

def check_slug(value: str) -> str | None:
    """Why value is not a usable ID, or None when it is."""
    if not SLUG.fullmatch(value):
        return f"{value!r} is not a valid ID: use lowercase letters, digits and single hyphens, as kz-assembly-law"
    if len(value) > MAX_ID:
        return f"ID is {len(value)} characters; the limit is {MAX_ID}"
    if value in WINDOWS_RESERVED:
        return f"{value!r} is not a valid ID: Windows reserves the name for a device, so the file cannot exist there"
    return None


def check_country(value: str) -> str | None:
    from iso3166 import countries_by_alpha2  # here, not above: writing a restatement or a link checks no country

    if value.upper() not in countries_by_alpha2:
        return f"{value!r} is not an ISO 3166-1 alpha-2 country code (such as KZ or US)"
    return None


# C0 controls but tab and line feed, DEL, and C1 controls. A carriage return is allowed only before a line feed
# (a file saved with Windows line endings). Such characters can hide or rewrite text on a terminal, and
# no record needs them. One character class, with the carriage return before a line feed taken back by a
# look behind: the engine skips to a candidate character at once, where an alternative (a class, or a carriage
# return not before a line feed) is tried at every character, at twice the cost over 100,000 files.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f](?<!\r(?=\n))")


def check_text(value: str) -> str | None:
    """Why value may not be record text (a control character other than tab and line breaks), or None."""
    found = _CONTROL.search(value)
    if found:
        return (f"holds the control character U+{ord(found.group()):04X} at character {found.start() + 1}; "
                "only tab and line breaks are allowed")
    return None


_URL = re.compile(r"https?://[^\s/?#]+[^\s]*", flags=re.IGNORECASE)


def check_url(value: str) -> str | None:
    """Only http and https: a record's link must never run script or read local files."""
    if not _URL.fullmatch(value):
        return f"{value!r} is not an http or https URL"
    return None


# ---------------------------------------------------------------------------
# Locating a field in the file's text, for file:line messages.

_HEADER = re.compile(r"\s*\[(\[)?\s*([A-Za-z0-9_.\"' -]+?)\s*\]")
_KEY = re.compile(r"\s*[\"']?([A-Za-z0-9_-]+)[\"']?\s*=")


def find_line(text: str, table: str | None, index: int | None, key: str | None) -> int | None:
    """The line of `key` in `[table]` (or the index-th `[[table]]`); the table's header if key is absent.

    The positions of a file's keys are found in one pass and kept, so a file with thousands of
    problems costs one pass, not one per problem.
    """
    keys, headers = _positions(text)
    found = keys.get((table, index, key))
    return found if found is not None else headers.get((table, index))


Place = tuple[str | None, int | None]


@functools.lru_cache(maxsize=8)
def _positions(text: str) -> tuple[dict[tuple[str | None, int | None, str | None], int], dict[Place, int]]:
    """Each key's first line by (table, index, key), (table, index, None) for a table's first key,
    and each table's header line."""
    keys: dict[tuple[str | None, int | None, str | None], int] = {}
    headers: dict[Place, int] = {}
    current: Place = (None, None)
    seen: Counter[str] = Counter()
    in_multiline = False
    for number, line in enumerate(text.splitlines(), start=1):
        opens_or_closes = line.count('"""') % 2 == 1 or line.count("'''") % 2 == 1
        if in_multiline:
            in_multiline = not opens_or_closes
            continue
        in_multiline = opens_or_closes
        header = _HEADER.match(line)
        if header:
            name = header.group(2).strip("\"'")
            current = (name, seen[name] if header.group(1) else None)
            seen[name] += 1 if header.group(1) else 0
            headers[current] = number
            continue
        found = _KEY.match(line)
        if found:
            keys.setdefault((*current, found.group(1)), number)
            keys.setdefault((*current, None), number)
    return keys, headers


# ---------------------------------------------------------------------------
# Reading fields of one table.

@dataclass
class Fields:
    """A table in a record file being read, and the problems found in it."""

    raw: RawFile
    data: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)
    table: str | None = None
    index: int | None = None

    def child(self, table: str, index: int | None, data: dict[str, Any]) -> Fields:
        return Fields(self.raw, data, self.problems, table, index)

    def report(self, key: str | None, message: str, hint: str | None = None, level: str = "error") -> None:
        # A missing top-level field has no line of its own; one in a [[table]] points at its header.
        line = None if key is None and self.table is None else find_line(self.raw.text, self.table, self.index, key)
        if line is None and self.table is not None:
            # An inline table (links = [{...}]) has no header: point at the key that holds it.
            line = find_line(self.raw.text, None, None, self.table.split(".")[0])
        where = f"{key}" if self.table is None else f"{self.table}[{self.index}].{key}" if self.index is not None \
            else f"{self.table}.{key}"
        prefix = f"{where}: " if key else ""
        self.problems.append(Problem(self.raw.path, prefix + message, line, hint,
                                     excerpt(self.raw.text, line), level))

    def unknown(self, allowed: Iterable[str]) -> None:
        allowed = tuple(allowed)
        for key in self.data:
            if key not in allowed:
                import difflib  # only a record with a stray field pays for it

                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f"did you mean {close[0]!r}?" if close else f"known fields: {', '.join(allowed)}"
                self.report(key, "unknown field, ignored", hint, level="warning")

    def text(self, key: str, required: bool = True, one_line: bool = False) -> str | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.report(None, f"missing required field {key!r}", f"add a line: {key} = \"...\"")
            return None
        if not isinstance(value, str):
            self.report(key, f"expected a string, got {type_name(value)}", f'write it in quotes: {key} = "..."')
            return None
        if required and not value.strip():
            self.report(key, "is empty", "write a value, or remove the field")
            return None
        if (why := check_text(value)) is not None:
            self.report(key, why, CONTROL_HINT)
            return None
        if one_line and "\n" in value:
            self.report(key, "must be one line", "move the detail to `text` or `notes`")
        return value

    def texts(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.report(key, f"expected a list of strings, got {type_name(value)}", f'write {key} = ["..."]')
            return ()
        for item in value:
            if (why := check_text(item)) is not None:
                self.report(key, why, CONTROL_HINT)
                return ()
        return tuple(value)

    def urls(self, key: str) -> tuple[str, ...]:
        values = self.texts(key)
        for value in values:
            why = check_url(value)
            if why:
                self.report(key, why, "sources must be web addresses starting with https:// or http://")
        return values

    def date(self, key: str, required: bool = True) -> PartialDate | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.report(None, f"missing required field {key!r}", f"add a line: {key} = 2019-09-21")
            return None
        try:
            return parse_date(value)
        except DateError as error:
            self.report(key, str(error), "full dates are written bare (2019-09-21); partial ones quoted (\"2019-06\")")
            return None

    def whole(self, key: str, low: int, high: int | None, hint: str | None = None) -> int | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
            span = f"from {low} to {high}" if high is not None else f"of at least {low}"
            self.report(key, f"must be a whole number {span}, got {shown(value)}", hint)
            return None
        return value

    def table_list(self, key: str) -> list[tuple[int, dict[str, Any]]]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            self.report(key, f"expected tables written as [[{key}]], got {type_name(value)}")
            return []
        return list(enumerate(value))

    def id_and_country(self) -> tuple[str, str | None]:
        parts = _parts(self.raw.path)
        stem = parts[-1][:-len(".toml")]
        why = check_slug(stem)
        if why:
            self.report(None, f"file name: {why}", "rename the file to <id>.toml with a valid ID")
        given = self.text("id", required=False)
        if given is not None and given != stem:
            self.report("id", f"is {given!r} but the file is named {stem}.toml",
                        "the ID is the file name: rename the file or fix the id")
        country = self.text("country")
        if country is not None:
            why = check_country(country)
            if why:
                self.report("country", why)
                country = None
            else:
                country = sys.intern(country.upper())  # shared by thousands of records
                folder = parts[_country_index(self.raw)]
                if folder.upper() != country:
                    self.report("country", f"is {country} but the file is in the {folder}/ folder",
                                f"move the file under {country.lower()}/ or fix the country")
        return stem, country


def _country_index(raw: RawFile) -> int:
    """Where the country folder is among a record file's path parts, counted from the end."""
    if raw.kind != "event":
        return -3
    return -5 if _month_folder(raw.path) is not None else -4


def _month_folder(path: str) -> str | None:
    """The month folder of an event file in CC/events/YYYY/MM/, or None for one in CC/events/YYYY/."""
    parts = _parts(path)
    return parts[-2] if len(parts) >= 5 and parts[-4] == "events" else None
def shown(value: Any) -> str:
    """A value for a message; an integer of any size is shown by its size (Python refuses to print one of
    over 4,300 digits, and nobody reads one of 30)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**18:
        return f"a number of about {len(hex(abs(value))) - 2} hex digits ({value.bit_length()} bits)"
    return repr(value)


def _parts(path: str) -> list[str]:
    """The folders and name of a record file (every record's name ends in .toml). A plain split:
    building a Path for each of 100,000 files costs more than validating them."""
    return path.split(os.sep)


# ---------------------------------------------------------------------------
# Records.

def promise_from(raw: RawFile) -> tuple[Promise | None, list[Problem]]:
    fields = Fields(raw, raw.data)
    fields.unknown(PROMISE_FIELDS)
    kind = fields.data.get("kind", "promise")
    if kind != "promise":
        fields.report("kind", f"is {kind!r} but the file is in a promises/ folder", 'write kind = "promise" or move it')
    ident, country = fields.id_and_country()
    source_id = fields.text("source_id", required=False)
    official, title = fields.text("official"), fields.text("title", one_line=True)
    office, text = fields.text("office", required=False), fields.text("text", required=False)
    topics, deadline = fields.texts("topics"), fields.date("deadline", required=False)
    statements = tuple(filter(None, (_statement(fields.child("statements", i, d))
                                     for i, d in fields.table_list("statements"))))
    ratings = tuple(filter(None, (_rating(fields.child("ratings", i, d)) for i, d in fields.table_list("ratings"))))
    if "statements" in raw.data and not statements and not fields.problems:
        fields.report("statements", "is empty")
    if "statements" not in raw.data:
        fields.report(None, "has no [[statements]]: a promise needs at least the statement that made it",
                      "add [[statements]] with date = ... and sources = [\"https://...\"]")
    if any(p.is_error for p in fields.problems) or country is None or official is None or title is None:
        return None, fields.problems  # a required field that is missing has been reported
    return Promise(ident, country, official, title, statements, office, text, topics, deadline, ratings,
                   raw.path, source_id), fields.problems


def _statement(fields: Fields) -> Statement | None:
    fields.unknown(STATEMENT_FIELDS)
    date = fields.date("date")
    sources = fields.urls("sources")
    quote, venue = fields.text("quote", required=False), fields.text("venue", required=False)
    return Statement(date, sources, quote, venue) if date else None


def _rating(fields: Fields) -> Rating | None:
    fields.unknown(RATING_FIELDS)
    date, rationale, by = fields.date("date"), fields.text("rationale"), fields.text("by", required=False)
    verdict = fields.text("verdict")
    if verdict is not None and verdict not in VERDICTS:
        fields.report("verdict", f"{verdict!r} is not a verdict", f"use one of: {', '.join(VERDICTS)}")
        verdict = None
    sources = fields.urls("sources")
    return Rating(date, verdict, rationale, by, sources) if date and verdict and rationale is not None else None


def event_from(raw: RawFile) -> tuple[Event | None, list[Problem]]:
    fields = Fields(raw, raw.data)
    fields.unknown(EVENT_FIELDS)
    ident, country = fields.id_and_country()
    source_id = fields.text("source_id", required=False)
    date, title = fields.date("date"), fields.text("title", one_line=True)
    if date is not None:
        _check_event_folder(fields, date)
    kind = fields.text("kind", required=False)
    if kind is not None and not SLUG.fullmatch(kind):
        fields.report("kind", f"{kind!r} is not a lowercase word such as detention or legal-change")
    severity = fields.whole("severity", 1, 5, SEVERITY_HINT) or 1
    links = tuple(filter(None, (_link(fields.child("links", i, d)) for i, d in fields.table_list("links"))))
    location, counts = fields.text("location", required=False), _counts(fields)
    sources, notes, actors = fields.urls("sources"), fields.text("notes", required=False), fields.texts("actors")
    if any(p.is_error for p in fields.problems) or country is None or date is None or title is None:
        return None, fields.problems  # a required field that is missing has been reported
    return Event(ident, country, date, title, kind, location, counts, severity, sources, notes, links, raw.path,
                 source_id, actors), fields.problems


def term_from(raw: RawFile) -> tuple[Term | None, list[Problem]]:
    fields = Fields(raw, raw.data)
    fields.unknown(TERM_FIELDS)
    ident, country = fields.id_and_country()
    official, office = fields.text("official"), fields.text("office", required=False)
    start, end = fields.date("start"), fields.date("end", required=False)
    if start and end and end.last < start.first:
        fields.report("end", f"{end} is before the start, {start}", "a term ends on or after the day it starts")
    sources = fields.urls("sources")
    if any(p.is_error for p in fields.problems) or country is None or official is None or start is None:
        return None, fields.problems
    return Term(ident, country, official, start, end, office, sources, raw.path), fields.problems
def _check_event_folder(fields: Fields, date: PartialDate) -> None:
    """An event sits in the folder of its year and month (of its year alone for a date without a month)."""
    parts, month = _parts(fields.raw.path), _month_folder(fields.raw.path)
    folder = "/".join(parts[-3:-1] if month is not None else parts[-2:-1])
    right = f"{date.year:04d}/{date.month:02d}" if date.month else f"{date.year:04d}"
    # An event dated to the month in its year's folder is the layout before month folders: still read.
    if folder != right and not (month is None and folder == f"{date.year:04d}"):
        fields.report("date", f"is {date} but the file is in the {folder}/ folder",
                      f"move the file to the {right}/ folder or fix the date")


def _counts(fields: Fields) -> dict[str, int]:
    table = fields.data.get("counts", {})
    if not isinstance(table, dict):
        fields.report("counts", f"expected a table [counts], got {type_name(table)}")
        return {}
    counts = fields.child("counts", None, table)
    counts.unknown(COUNTS)
    return {key: value for key in COUNTS if (value := counts.whole(key, 0, MAX_COUNT)) is not None}


def _link(fields: Fields) -> Link | None:
    fields.unknown(LINK_FIELDS)
    return _link_values(fields)


def _link_values(fields: Fields) -> Link | None:
    promise, stance = fields.text("promise"), fields.text("stance")
    if stance is not None and stance not in STANCES:
        import difflib  # only a mistyped stance pays for it

        close = difflib.get_close_matches(stance, STANCES, n=1)
        fields.report("stance", f"{stance!r} is not a stance",
                      (f"did you mean {close[0]!r}? " if close else "") + f"use one of: {', '.join(STANCES)}")
        stance = None
    severity = fields.whole("severity", 1, 5, SEVERITY_HINT)
    if not (promise and stance):
        return None
    link = Link(sys.intern(promise), sys.intern(stance), fields.text("note", required=False), severity)
    if len(_LINKS) > SHARED_LIMIT:  # bounded, for a process that loads many directories
        _LINKS.clear()
    return _LINKS.setdefault(link, link)


def part_from(raw: RawFile) -> tuple[Part | None, list[Problem]]:
    """A statement, rating or link in a file of its own; which one its place says."""
    parts = _parts(raw.path)
    promise = layout.owner(parts)
    if raw.kind == "link" and (known := _known_link(raw, promise, parts)) is not None:
        return known, []
    fields = Fields(raw, raw.data)
    why = check_slug(promise)
    if why:
        fields.report(None, f"folder name: {why}", "the folder is named after the promise's ID")
    item: Statement | Rating | Link | None
    event = None
    if raw.kind == "statement":
        item = _statement(fields)
    elif raw.kind == "rating":
        item = _rating(fields)
    else:
        item, event = _link_file(fields, promise, parts)
    if item is None or any(p.is_error for p in fields.problems):
        return None, fields.problems
    if isinstance(item, Link) and not fields.problems:
        if len(_CLEAN_LINKS) > SHARED_LIMIT:  # bounded, as _LINKS is
            _CLEAN_LINKS.clear()
        _CLEAN_LINKS[promise, raw.text] = item
    return Part(raw.kind, raw.path, sys.intern(promise), item, event), fields.problems


def _known_link(raw: RawFile, promise: str, parts: list[str]) -> Part | None:
    """What part_from makes of a link file, if a link file of the same promise and text was found clean before
    and this one's name and folder are right for an event (else None: part_from says what is wrong)."""
    link = _CLEAN_LINKS.get((promise, raw.text))
    if link is None:
        return None
    event, wrong = _link_event(parts)
    return None if wrong else Part("link", raw.path, link.promise, link, event)


def _link_file(fields: Fields, promise: str, parts: list[str]) -> tuple[Link | None, str]:
    """A link file: its event is its name, its stance and weight its fields."""
    fields.unknown(LINK_FILE_FIELDS)
    event, wrong = _link_event(parts)
    if wrong:
        fields.report(None, *wrong)
    return _link_values(Fields(fields.raw, {**fields.data, "promise": promise}, fields.problems)), event


def _link_event(parts: list[str]) -> tuple[str, tuple[str, str] | None]:
    """A link file's event (its name), and what is wrong with its name or its shard folder, with a hint (None:
    nothing)."""
    event = parts[-1][:-len(".toml")]
    why = check_slug(event)
    if why:
        return event, (f"file name: {why}", "a link file is named after its event's ID")
    if parts[-2] != (shard := layout.shard(event)):
        return event, (f"is in the links/{parts[-2]}/ folder, but a link to {event} belongs in links/{shard}/",
                       f"move the file to links/{shard}/")
    return event, None


# Most links are just a promise and a stance, repeated across thousands of events: one object for each
# keeps memory and the parse cache small.
_LINKS: dict[Link, Link] = {}
# And most link files are one of a few texts below each promise (stance = "contradicts"). What a link file
# holds depends on its promise and its text alone (its event, on its name and folder), so the link of a
# promise and text found clean once is the link of every such file: 215,217 link files are two thirds of
# the files at 100,000 events.
_CLEAN_LINKS: dict[tuple[str, str], Link] = {}


# ---------------------------------------------------------------------------
# Settings.

def config_from(raw: RawFile) -> tuple[Config, list[Problem]]:
    fields = Fields(raw, raw.data)
    fields.unknown(CONFIG_FIELDS)
    defaults = Config()
    auto_commit = raw.data.get("auto_commit", False)
    if not isinstance(auto_commit, bool):
        fields.report("auto_commit", "must be true or false")
        auto_commit = False
    scoring = raw.data.get("scoring", {})
    if not isinstance(scoring, dict):
        fields.report("scoring", f"expected a table [scoring], got {type_name(scoring)}")
        scoring = {}
    scoring_fields = fields.child("scoring", None, scoring)
    scoring_fields.unknown(("stall_days", "term_due", "multipliers"))
    stall_days = scoring_fields.whole("stall_days", 1, MAX_STALL_DAYS) or defaults.stall_days
    term_due = scoring.get("term_due", defaults.term_due)
    if not isinstance(term_due, bool):
        scoring_fields.report("term_due", "must be true or false")
        term_due = defaults.term_due
    table = scoring.get("multipliers", {})
    if not isinstance(table, dict):
        scoring_fields.report("multipliers", f"expected a table [scoring.multipliers], got {type_name(table)}")
        table = {}
    multiplier_fields = fields.child("scoring.multipliers", None, table)
    multiplier_fields.unknown(WEIGHED)
    multipliers = dict(defaults.multipliers)
    for stance, value in multiplier_fields.data.items():
        if stance in WEIGHED:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
                    or not 0 <= value <= MAX_MULTIPLIER:
                multiplier_fields.report(stance, f"must be a number from 0 to {MAX_MULTIPLIER}, got {shown(value)}",
                                         f"the defaults run from 1 to 4; write a plain number such as "
                                         f"{stance} = {STANCES[stance].multiplier:g}")
            else:
                multipliers[stance] = value
    return Config(multipliers, stall_days, auto_commit, term_due), fields.problems


# ---------------------------------------------------------------------------
# Rules across records.

TextOf = Callable[[str], str]
MakeEvent = Callable[[Event, tuple[Link, ...]], Event]
R = TypeVar("R")


def _text_of(path: str) -> str:
    """Re-read a file only to point at a line (rare), rather than keep every file's text in memory."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def cross_check(promises: list[Promise], events: list[Event], paths: dict[str, list[str]],
                promise_files: set[str], as_of: dt.date, text_of: TextOf = _text_of) -> list[Problem]:
    """Rules that need every record: unique IDs, links that resolve, dates in the future.

    promise_files holds the ID of every promise file, valid or not: a link to a promise whose
    file is invalid is not reported again, as that file's own error says it. text_of gives a
    file's text, to point at a line (from disk, or from what was read out of git).
    """
    return [*_duplicate_ids(paths), *_unresolved_links(promises, events, promise_files, text_of),
            *_future_dates(promises, events, as_of, text_of), *_dates_before_pledges(promises, text_of),
            *_foreign_links(promises, events, text_of)]


def _duplicate_ids(paths: dict[str, list[str]]) -> list[Problem]:
    return [Problem(path, f"ID {ident!r} is also used by {', '.join(p for p in where if p != path)}", line=None,
                    hint="every record needs its own ID: rename one of the files")
            for ident, where in paths.items() if len(where) > 1 for path in where]


def _unresolved_links(promises: list[Promise], events: list[Event], known: set[str],
                      text_of: TextOf) -> list[Problem]:
    lowered = {ident.lower(): ident for ident in known}
    problems = []
    for event in events:
        seen: set[str] = set()
        for index, link in enumerate(event.links):
            if link.promise not in known:
                import difflib  # only a link to no promise pays for it

                close = difflib.get_close_matches(link.promise, known, n=1)
                hint = f"did you mean {lowered[link.promise.lower()]!r}? IDs are lowercase" \
                    if link.promise.lower() in lowered else f"did you mean {close[0]!r}?" if close \
                    else "add the promise first, or fix the ID"
                problems.append(_link_problem(event, index, f"no promise has the ID {link.promise!r}", hint,
                                              text_of))
            elif link.promise in seen:
                problems.append(_link_problem(event, index, f"links to {link.promise!r} twice",
                                              "keep one link per promise", text_of))
            seen.add(link.promise)
    return problems


def _link_problem(event: Event, index: int, message: str, hint: str, text_of: TextOf) -> Problem:
    text = text_of(event.path)
    line = find_line(text, "links", index, "promise")
    return Problem(event.path, f"links[{index}].promise: {message}", line, hint, excerpt(text, line))


def before_pledge(promise: Promise) -> list[tuple[str | None, int | None, str, str]]:
    """(table, index, field, message) for each rating or deadline that ends before the pledge was made.

    A partial date counts as before only when its last day is: "2019" is not before a pledge of June 2019.
    """
    made = promise.made
    found: list[tuple[str | None, int | None, str, str]] = []
    if promise.deadline is not None and promise.deadline.last < made.first:
        found.append((None, None, "deadline", f"{promise.deadline} is before the pledge was made ({made})"))
    found.extend(("ratings", index, "date", f"{rating.date} is before the pledge was made ({made})")
                 for index, rating in enumerate(promise.ratings) if rating.date.last < made.first)
    return found


def _dates_before_pledges(promises: list[Promise], text_of: TextOf) -> list[Problem]:
    problems = []
    for promise in promises:
        for table, index, key, message in before_pledge(promise):
            text = text_of(promise.path)
            line = find_line(text, table, index, key)
            where = f"{table}[{index}].{key}" if table else key
            problems.append(Problem(promise.path, f"{where}: {message}", line,
                                    "a pledge can only be rated, or fall due, after it was made: check the dates",
                                    excerpt(text, line)))
    return problems


def _foreign_links(promises: list[Promise], events: list[Event], text_of: TextOf) -> list[Problem]:
    """Events linked to a promise of another country: a warning, as cross-border events exist."""
    country = {promise.id: promise.country for promise in promises}
    problems = []
    for event in events:
        for index, link in enumerate(event.links):
            theirs = country.get(link.promise)
            if theirs is not None and theirs != event.country:
                text = text_of(event.path)
                line = find_line(text, "links", index, "promise")
                problems.append(Problem(
                    event.path, f"links[{index}].promise: {link.promise} is a promise of {theirs}, but the event "
                    f"is in {event.country}", line, "right for an event across a border; otherwise fix the "
                    "event's country or the link", excerpt(text, line), level="warning"))
    return problems


AFTER_AS_OF_HINT = "a date after the as-of date is allowed; make sure it is not a typo"


def after_as_of(problem: Problem) -> bool:
    """Whether a problem only says that a record is dated after the as-of date (so it is not counted yet)."""
    return problem.hint == AFTER_AS_OF_HINT


def _future_dates(promises: list[Promise], events: list[Event], as_of: dt.date, text_of: TextOf) -> list[Problem]:
    problems = [_future(e.path, None, None, e.date, as_of, text_of) for e in events if e.date.last > as_of]
    for promise in promises:
        dated: tuple[tuple[str, tuple[Statement | Rating, ...]], ...] = (("statements", promise.statements),
                                                                         ("ratings", promise.ratings))
        for table, items in dated:
            problems.extend(_future(promise.path, table, index, item.date, as_of, text_of)
                            for index, item in enumerate(items) if item.date.last > as_of)
    return problems


def _future(path: str, table: str | None, index: int | None, date: PartialDate, as_of: dt.date,
            text_of: TextOf) -> Problem:
    text = text_of(path)
    line = find_line(text, table, index, "date")
    where = f"{table}[{index}].date" if table else "date"
    until = "then" if date.is_full else date.last  # a partial date counts from its last day
    return Problem(path, f"{where}: {date} {'is' if date.is_full else 'ends'} after {as_of}; it is not counted "
                   f"until {until}", line,
                   AFTER_AS_OF_HINT, excerpt(text, line), level="warning")


@dataclass(frozen=True, slots=True)
class Checked:
    """A file that is not simply a valid record: what it yielded (if anything) and what is wrong with it."""

    path: str
    kind: str  # the kind of its place (layout.PLACES)
    parsed: bool  # readable TOML: it takes part in the checks of IDs across files
    record: Promise | Event | Part | Term | None
    problems: tuple[Problem, ...]


# A file on its own yields either a record with no problems (nearly always), or a Checked.
FileResult = Promise | Event | Part | Term | Checked
READERS: dict[str, Callable[[RawFile], tuple[Promise | Event | Part | Term | None, list[Problem]]]] = {
    "promise": promise_from, "event": event_from, "statement": part_from, "rating": part_from, "link": part_from,
    "term": term_from}


def check_raw(raw: RawFile) -> FileResult:
    """Validate one parsed file on its own (rules across files come later, in cross_check)."""
    record, problems = READERS[raw.kind](raw)
    if record is not None and not problems:
        return record
    return Checked(raw.path, raw.kind, True, record, tuple(problems))


def check_file(path: str, kind: str) -> FileResult:
    return check_bytes(path, kind, read_bytes(path)[1])


def check_bytes(path: str, kind: str, data: bytes | Problem) -> FileResult:
    """check_file, given the file's bytes as load.read_bytes read them (or why it could not)."""
    parsed = data if isinstance(data, Problem) else parse_bytes(path, kind, data)
    return Checked(path, kind, False, None, (parsed,)) if isinstance(parsed, Problem) else check_raw(parsed)


def assemble(results: list[FileResult], problems: list[Problem], config: Config, as_of: dt.date,
             text_of: TextOf = _text_of, make_event: MakeEvent | None = None) -> Records:
    """Records from every file's own result, with the rules across files applied.

    make_event(event, its links) makes each event as its link files are attached, once every rule has read it
    whole (tracker.cache.scoring_events cuts it to what scoring reads); by default, the event with those links."""
    promises: list[Promise] = []
    events: list[Event] = []
    terms: list[Term] = []
    parts: list[Part] = []
    problems = list(problems)
    parsed: list[tuple[str, str]] = []  # (path, kind) of every promise or event file that was readable TOML
    broken: list[tuple[str, str]] = []  # and of those that were not
    text_of = functools.lru_cache(maxsize=8)(text_of)  # a file with many problems is read once, not per problem
    for result in results:
        if type(result) is Part:  # two thirds of the files at 100,000 events: the type is asked once
            parts.append(result)
            continue
        record: Promise | Event | Part | Term | None = result if not isinstance(result, Checked) else result.record
        if isinstance(result, Checked):
            problems.extend(result.problems)
            if result.kind in layout.TOP_KINDS:
                (parsed if result.parsed else broken).append((result.path, result.kind))
        elif isinstance(result, Promise):
            parsed.append((result.path, "promise"))
        elif isinstance(result, Event):
            parsed.append((result.path, "event"))
        elif isinstance(result, Term):
            parsed.append((result.path, "term"))
        if isinstance(record, Promise):
            promises.append(record)
        elif isinstance(record, Event):
            events.append(record)
        elif isinstance(record, Term):
            terms.append(record)
        elif isinstance(record, Part):
            parts.append(record)
    stems = [os.path.basename(path)[:-5] for path, _ in parsed]  # a record's ID is its file name, less .toml
    promise_files = {stem for stem, (_, kind) in zip(stems, parsed, strict=True) if kind == "promise"}
    problems.extend(cross_check(promises, events, _paths_by_id(stems, parsed), promise_files, as_of, text_of))
    old = old_layout(promises, events)
    promises, events = _attach(promises, events, parts, parsed + broken, as_of, problems, text_of,
                               make_event or _relinked)
    problems.extend(_part_dates_and_borders(promises, events, parts, text_of))
    problems.extend(case_folders(result.path for result in results))
    problems.sort(key=lambda p: (p.path, p.line or 0))
    return Records(tuple(promises), tuple(events), config, tuple(problems), tuple(terms), old)


def _part_dates_and_borders(promises: list[Promise], events: list[Event], parts: list[Part],
                            text_of: TextOf) -> list[Problem]:
    """The date and border rules of cross_check, for ratings and links in files of their own: judged once every
    statement is attached (the pledge is made by the earliest), and reported at the part's own file."""
    by_id = {promise.id: promise for promise in promises}
    country = {event.id: event.country for event in events}
    problems = []
    for part in parts:
        promise = by_id.get(part.promise)
        if promise is None:
            continue
        if isinstance(part.item, Rating) and part.item.date.last < promise.made.first:
            text = text_of(part.path)
            line = find_line(text, None, None, "date")
            problems.append(Problem(part.path, f"date: {part.item.date} is before the pledge was made ({promise.made})",
                                    line, "a pledge can only be rated after it was made: check the dates",
                                    excerpt(text, line)))
        theirs = country.get(part.event or "")
        if isinstance(part.item, Link) and theirs is not None and theirs != promise.country:
            problems.append(Problem(part.path, f"links an event in {theirs} to {promise.id}, a promise of "
                                    f"{promise.country}", hint="right for an event across a border; otherwise fix "
                                    "the event's country or the link", level="warning"))
    return problems


def old_layout(promises: list[Promise], events: list[Event]) -> tuple[str, ...]:
    """Files in the layout before statements, ratings and links had files of their own and events month folders."""
    old = [p.path for p in promises if len(p.statements) > 1 or p.ratings]
    old += [e.path for e in events if e.links or (e.date.month and _month_folder(e.path) is None)]
    return tuple(sorted(old))


def _attach(promises: list[Promise], events: list[Event], parts: list[Part], files: list[tuple[str, str]],
            as_of: dt.date, problems: list[Problem], text_of: TextOf,
            make_event: MakeEvent) -> tuple[list[Promise], list[Event]]:
    """Give each promise its statement and rating files and each event its link files (through make_event);
    report the parts whose promise or event is gone (a merge can delete a promise on one branch while another
    adds to it)."""
    if not parts:
        return promises, [make_event(event, event.links) for event in events]
    promise_paths = {path for path, kind in files if kind == "promise"}  # a broken file says so itself
    event_ids = {os.path.basename(path)[:-5] for path, kind in files if kind == "event"}
    added: dict[str, list[Part]] = {}
    pairs: dict[tuple[str, str], list[str]] = {(e.id, link.promise): [e.path] for e in events for link in e.links}
    for part in sorted(parts, key=lambda part: part.path):
        home = layout.promise_file_of(part.path, os.sep)
        if home not in promise_paths:
            problems.append(Problem(part.path, f"belongs to the promise {part.promise}, but there is no "
                                    f"{os.path.basename(home)} beside its folder; it was not counted",
                                    hint="the promise was deleted or renamed (perhaps on another branch): "
                                    "delete this file, or restore the promise"))
        elif part.event is not None and part.event not in event_ids:
            problems.append(Problem(part.path, f"links the event {part.event}, but no event has that ID; "
                                    "it was not counted",
                                    hint="the event was deleted or renamed (perhaps on another branch): "
                                    "delete this file, or restore the event"))
        elif part.event is not None:
            pairs.setdefault((part.event, part.promise), []).append(part.path)
            added.setdefault(part.event, []).append(part)
        else:
            added.setdefault(home, []).append(part)
        if isinstance(part.item, (Statement, Rating)) and part.item.date.last > as_of:
            problems.append(_future(part.path, None, None, part.item.date, as_of, text_of))
    twice = {pair: paths for pair, paths in pairs.items() if len(paths) > 1}
    for (event, promise), paths in twice.items():
        problems.extend(Problem(path, f"links {event} to {promise}, and so does "
                                f"{', '.join(p for p in paths if p != path)}; neither link was counted",
                                hint="keep one of the files (two branches decided differently)")
                        for path in paths)
    return ([_with_parts(p, added.get(p.path, [])) for p in promises],
            [make_event(e, _links(e, added.get(e.id, []), twice)) for e in events])


def _with_parts(promise: Promise, parts: list[Part]) -> Promise:
    if not parts:
        return promise
    statements = tuple(p.item for p in parts if isinstance(p.item, Statement))
    ratings = tuple(p.item for p in parts if isinstance(p.item, Rating))
    return _with(promise, statements=promise.statements + statements, ratings=promise.ratings + ratings)


def _links(event: Event, parts: list[Part], twice: dict[tuple[str, str], list[str]]) -> tuple[Link, ...]:
    """The event's links: those in its own file, then its link files by promise; none that is given twice."""
    if not parts and not twice:
        return event.links
    if twice:
        inline = tuple(link for link in event.links if (event.id, link.promise) not in twice)
        links = [p.item for p in parts if isinstance(p.item, Link) and (event.id, p.promise) not in twice]
    else:  # nearly always: no pair is given twice anywhere, and nothing need be looked up for each link
        inline, links = event.links, [p.item for p in parts if isinstance(p.item, Link)]
    if len(inline) + len(links) == len(event.links) and not links:
        return event.links
    return inline + tuple(sorted(links, key=_promise_of))


_promise_of = operator.attrgetter("promise")


def _relinked(event: Event, links: tuple[Link, ...]) -> Event:
    return event if links is event.links else _with(event, links=links)


def _with(record: R, **changes: Any) -> R:
    """dataclasses.replace for a frozen record, without running its __init__ again: about half the cost with
    slots (it was a fifth with a dict each), which counts when every record of every commit of a history is
    renamed or given its links."""
    clone = object.__new__(type(record))
    for name in record.__slots__:  # type: ignore[attr-defined]  # every record type has slots (tracker.model)
        object.__setattr__(clone, name, changes[name] if name in changes else getattr(record, name))
    return clone


def case_folders(paths: Iterable[str]) -> list[Problem]:
    """Country folders that differ only by case (kz/ and KZ/): one folder on Windows and macOS, where a
    checkout would mix or lose their files."""
    spellings: dict[tuple[str, str], set[str]] = {}
    for above, below in _folders(paths).items():
        head = _parts(above)
        tail = tuple(map(layout.name_shape, head[-DEEPEST:]))
        # A folder's place depends on the shapes of its parts alone, and every place has a folder between the
        # country's and the file (CC/promises/FILE): the folders of one shape below one folder (a promise's 256
        # link folders) are below one country's folder, asked once.
        for shape in {layout.name_shape(name) for name in below}:
            back = _country_back((*tail, shape)[-DEEPEST:])
            if back is not None:
                parent, folder = os.sep.join(head[:1 - back]), head[1 - back]
                spellings.setdefault((parent, folder.casefold()), set()).add(folder)
    return [Problem(os.path.join(parent, folder) if parent else folder,
                    f"differs from {', '.join(f'{other}/' for other in sorted(names - {folder}))} only by case; "
                    "on Windows and macOS they are one folder", hint="move every record into one folder, in lowercase")
            for (parent, _), names in sorted(spellings.items()) if len(names) > 1 for folder in sorted(names)]


def _folders(paths: Iterable[str]) -> dict[str, set[str]]:
    """The names of the folders that hold the files at these paths, by the path of the folder above them."""
    folders: dict[str, set[str]] = {}
    # A record's path ends in at least a country's folder, a folder and its file name (CC/promises/ID.toml), and its
    # last separator is followed by the file name: its folder is what comes before (as os.path.dirname, at a
    # third of the cost per path), and the folder above that is what comes before the folder's last separator.
    for directory in {path.rpartition(os.sep)[0] for path in paths}:
        above, _, name = directory.rpartition(os.sep)
        folders.setdefault(above, set()).add(name)
    return folders


DEEPEST = max(len(place.parts) for place in layout.PLACES) - 1  # folders of the deepest place


@functools.lru_cache(maxsize=256)
def _country_back(shapes: tuple[str, ...]) -> int | None:
    """How far back from the end of a folder's parts its country folder is, from the shapes of its last
    parts (layout.name_shape); None if a record file in it fits no place."""
    index = layout.country_index([*shapes, "file.toml"])
    return None if index is None else len(shapes) - index


def _paths_by_id(stems: list[str], parsed: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Each ID that more than one file has, with those files."""
    twice = {stem for stem, count in Counter(stems).items() if count > 1}
    by_id: dict[str, list[str]] = {}
    for stem, (path, _) in zip(stems, parsed, strict=True):
        if stem in twice:
            by_id.setdefault(stem, []).append(path)
    return by_id


def load_config(root: Path) -> tuple[Config, list[Problem]]:
    """The settings in root/tracker.toml; a directory without one is not a records directory."""
    require_records_dir(root)
    path = root / CONFIG_NAME
    outside = link_outside(str(path), os.path.realpath(root))
    if outside:
        return Config(), [outside]
    parsed = parse_file(str(path), "config")
    if isinstance(parsed, Problem):
        return Config(), [parsed]
    return config_from(parsed)


def load_records(root: Path, as_of: dt.date, cache: bool = True,
                 progress: Callable[[int], Any] | None = None, whole: bool = True,
                 defer: Callable[[Callable[[], object]], object] | None = None) -> Records:
    """load → validate: every record under root, with every problem found.

    With cache, files unchanged since the last load are not parsed again (see tracker.cache).
    progress(total) is a context manager yielding an advance() callable, for long loads.
    whole=False gives events cut to what scoring reads (tracker.cache.scoring_events): enough for a
    report's rows and for check, in a fraction of the memory.
    defer(work) does the work that the records returned do not wait on (keeping the snapshot of the
    assembled records): by default here, before returning; the command line has it done in a child
    process meanwhile (tracker.parallel.in_background).
    """
    import time

    from .cache import SCORING, SNAPSHOT, FileCache, Snapshot, check_each, files_digest, scoring_events, stamps_of

    config, problems = load_config(root)
    make_event = None if whole else scoring_events()
    if not cache:
        # The files are parsed as the folders are listed, and the layout's problems found on the way.
        return assemble(check_each(records_in(root, problems), check_file, progress), problems, config, as_of,
                        make_event=make_event)
    parse_cache = FileCache(root)
    snapshot = Snapshot(root, SNAPSHOT if whole else SCORING)
    started = time.time_ns()
    if not parse_cache.exists():  # nothing to reuse: read as without the cache, and all of it kept
        found, stamps, results = parse_cache.fill(records_in(root, problems), check_bytes, progress)
        files = files_digest(found, stamps)
    else:
        found, layout_problems = discover(root)
        problems.extend(layout_problems)
        stamps = stamps_of(found)
        files = files_digest(found, stamps)
        # Everything assemble() reads but the files themselves (the settings are not: Records only carries them).
        read = snapshot.get(files, (as_of, tuple(problems)))
        if read is not None:
            del found[:], stamps[:]  # let go of the listing first: at a million files it and the records do not fit
            kept = read()
            if kept is not None:
                return Records(**kept, config=config)
            started = time.time_ns()  # unreadable after all: listed again, and rebuilt
            found, _ = discover(root)
            stamps = stamps_of(found)
            files = files_digest(found, stamps)
        results = parse_cache.checked(found, check_bytes, progress, stamps)
    records = assemble(results, problems, config, as_of, make_event=make_event)
    kept = {name: value for name, value in records.__dict__.items() if name != "config"}
    keep = functools.partial(snapshot.put, files, stamps, (as_of, tuple(problems)), kept, started)
    if defer is None:
        keep()
    else:
        defer(keep)
    return records


def validate_blobs(files: list[tuple[str, str]], blobs: Any, problems: list[Problem], as_of: dt.date, where: str,
                   name: str) -> Records:
    """load → validate for records that are not on disk (a git revision): (path inside the records, blob ID)
    pairs, with blobs (a gitrepo.Blobs) to read them and to keep each blob's result.

    The same rules as load_records: files are named `where` + path in problems, hidden folders are
    skipped, and the place decides the kind. A blob at a path was checked once: a valid record is
    taken again as it was, less the name of its file, which names the commit.
    """
    problems = list(problems)
    wanted: list[tuple[str, str, str]] = []  # (path inside the records, kind, blob ID)
    for rel, sha in files:
        kind = blobs.kinds.get(rel, "")
        if kind == "":
            parts = rel.split("/")
            hidden = rel != CONFIG_NAME and any(part.startswith(".") for part in parts)
            kind = blobs.kinds[rel] = "hidden" if hidden else "config" if rel == CONFIG_NAME \
                else layout.kind_of_place(parts)
        if kind == "hidden":
            continue
        if kind is None:
            problems.append(Problem(where + rel, "is in an unexpected place; it was not read", hint=LAYOUT_HINT))
        else:
            wanted.append((rel, kind, sha))
    blobs.fetch([sha for rel, kind, sha in wanted if (sha, rel) not in blobs.checked])
    config: tuple[Config, list[Problem]] | None = None
    results: list[FileResult] = []
    for rel, kind, sha in wanted:
        path, known = where + rel, blobs.checked.get((sha, rel))
        if known is not None:
            results.append(_with(known, path=path))
            continue
        parsed = parse_bytes(path, kind, blobs.data[sha])
        if kind == "config":
            config = (Config(), [parsed]) if isinstance(parsed, Problem) else config_from(parsed)
            continue
        result = Checked(path, kind, False, None, (parsed,)) if isinstance(parsed, Problem) else check_raw(parsed)
        if not isinstance(result, Checked):
            blobs.checked[(sha, rel)] = result
        results.append(result)
    if config is None:
        raise RecordsError(f"{name}: not a records directory (no {CONFIG_NAME})")
    shas = {where + rel: sha for rel, _, sha in wanted}

    def text_of(path: str) -> str:
        """A file's text, to point at a line: read from git only when a problem needs it."""
        if path not in shas:
            return ""
        blobs.fetch([shas[path]])
        return str(blobs.data[shas[path]].decode("utf-8", "replace"))

    return assemble(results, config[1] + problems, config[0], as_of, text_of)
