"""tracker as a Python library: the same core as the command line, for notebooks and scripts.

Everything here is exported by `import tracker` (lazily, so that importing the package costs nothing
until a function is used). Paths may be `str` or `pathlib.Path`; dates may be `datetime.date` or
the strings the command line takes (`"2019-09-30"`, or `"2019-06"` and `"2019"` for partial dates).
Every refusal is a `tracker.TrackerError`, whose message speaks of fields and values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .dates import PartialDate, parse_date
from .model import Records
from .score import Assessment, assess as assess_promise, links_by_promise, report as report_all, terms_of

Day = dt.date | str | None
Date = dt.date | str | PartialDate


def _day(value: Day) -> dt.date:
    """An as-of date: today when None; a partial date stands for its last day."""
    if value is None:
        return dt.date.today()
    return value if isinstance(value, dt.date) else parse_date(value).last


def _date(value: Date) -> PartialDate:
    return value if isinstance(value, PartialDate) else parse_date(value)


def read(path: str | Path, as_of: Day = None, cache: bool = False) -> Records:
    """Read and validate every record under a records directory.

    Args:
        path: the records directory (the folder that holds tracker.toml).
        as_of: the date the records are judged as of, for warnings about later dates; today by default.
        cache: use the directory's parse cache (.tracker-cache/), as the command line does.

    Returns:
        Records: `.promises`, `.events`, `.terms`, `.config`, and `.problems` (each with its file and
        line; `.errors` are the ones that make `tracker check` fail). Invalid files are left out.

    Raises:
        TrackerError: the folder is not a records directory.
    """
    from .validate import load_records

    return load_records(Path(path), _day(as_of), cache=cache)


def read_at(path: str | Path, revision: str, as_of: Day = None) -> Records:
    """The records as they stood at a git revision (a commit, branch or tag), read from git alone.

    Raises:
        TrackerError: git is missing, the revision does not exist, or there was no records directory then.
    """
    from .gitrepo import records_at, resolve

    root = Path(path)
    return records_at(root, resolve(root, revision), _day(as_of))


def report(records: Records, as_of: Day = None, country: str | None = None, official: str | None = None,
           topic: str | None = None) -> list[Assessment]:
    """Score every promise made by as_of, as `tracker report` does, in ID order.

    Each Assessment has `.verdict`, `.computed_verdict`, `.reason`, `.score`, `.support`, `.against`,
    `.evidence` (each with `.event`, `.link`, `.weight`, `.scored`), `.due` and `.promise`.
    Filters: country is an ISO code; official a part of the name; topic a whole tag (any case).
    """
    return report_all(records, _day(as_of), country, official, topic)


def assess(records: Records, promise_id: str, as_of: Day = None) -> Assessment | None:
    """One promise as of a date (None if it had not been made by then).

    Raises:
        TrackerError: no promise has that ID.
    """
    from .store import StoreError

    promise = next((p for p in records.promises if p.id == promise_id), None)
    if promise is None:
        raise StoreError(f"no promise has the ID {promise_id!r}")
    linked = links_by_promise(records, {promise_id}).get(promise_id, [])
    return assess_promise(promise, linked, records.config, _day(as_of), terms_of(records, promise))


def rows(assessments: Iterable[Assessment]) -> list[dict[str, Any]]:
    """One plain dict per promise, the columns of `tracker report --format csv`: ready for
    `pandas.DataFrame(tracker.rows(tracker.report(records)))`, with no pandas needed here."""
    from .serialise import summary_dict

    return [summary_dict(a) for a in assessments]


def add_promise(path: str | Path, *, country: str, official: str, title: str, date: Date, ident: str | None = None,
                office: str | None = None, text: str | None = None, quote: str | None = None,
                venue: str | None = None, sources: Iterable[str] = (), deadline: Date | None = None,
                topics: Iterable[str] = ()) -> str:
    """Record a new promise and the statement that made it; returns its ID (derived when not given).

    Raises:
        TrackerError: a value `tracker check` would refuse; nothing was written.
    """
    from .store import add_promise as write

    ident, _ = write(Path(path), country=country.upper(), official=official, title=title, date=_date(date),
                     ident=ident, office=office, text=text, quote=quote, venue=venue, sources=tuple(sources),
                     deadline=_date(deadline) if deadline is not None else None, topics=tuple(topics))
    return ident


def add_event(path: str | Path, *, country: str, date: Date, title: str, ident: str | None = None,
              kind: str | None = None, location: str | None = None, severity: int | None = None,
              sources: Iterable[str] = (), notes: str | None = None, counts: Mapping[str, int] | None = None,
              links: Mapping[str, Iterable[str]] | None = None) -> str:
    """Record a new event; links maps a stance to the IDs of the promises it bears on that way,
    such as `{"contradicts": ["kz-assembly-law"]}`. Returns the event's ID."""
    from .store import add_event as write

    pairs = [(stance, promise) for stance, promises in (links or {}).items() for promise in promises]
    ident, _, _ = write(Path(path), country=country.upper(), date=_date(date), title=title, ident=ident, kind=kind,
                        location=location, severity=severity, sources=tuple(sources), notes=notes,
                        counts=dict(counts or {}), links=pairs)
    return ident


def restate(path: str | Path, promise_id: str, *, date: Date, sources: Iterable[str] = (), quote: str | None = None,
            venue: str | None = None) -> Path:
    """Record that a promise was made again; returns the new statement's file."""
    from .store import add_part

    entry = {"date": _date(date), "sources": tuple(sources), "quote": quote, "venue": venue}
    return add_part(Path(path), promise_id, "statement", entry, venue or "")


def rate(path: str | Path, promise_id: str, *, verdict: str, date: Date, rationale: str, by: str | None = None,
         sources: Iterable[str] = ()) -> Path:
    """Give a promise an editorial verdict; returns the rating's file."""
    from .store import add_part

    entry = {"date": _date(date), "verdict": verdict, "rationale": rationale, "by": by, "sources": tuple(sources)}
    return add_part(Path(path), promise_id, "rating", entry, verdict)


def link(path: str | Path, event_id: str, promise_id: str, stance: str, severity: int | None = None,
         note: str | None = None) -> Path:
    """Link an existing event to a promise with a stance; returns the link's file."""
    from .store import add_link

    return add_link(Path(path), event_id, promise_id, stance, severity, note)


def add_term(path: str | Path, *, country: str, official: str, start: Date, end: Date | None = None,
             office: str | None = None, sources: Iterable[str] = (), ident: str | None = None) -> str:
    """Record an official's term of office; returns its ID."""
    from .store import add_term as write

    ident, _ = write(Path(path), country=country.upper(), official=official, start=_date(start),
                     end=_date(end) if end is not None else None, office=office, sources=tuple(sources), ident=ident)
    return ident


def init(path: str | Path) -> list[Path]:
    """Create a records directory (tracker.toml, the schemas, a .gitignore); returns the files made."""
    from .store import init_records

    root = Path(path)
    root.mkdir(parents=True, exist_ok=True)
    return init_records(root)
