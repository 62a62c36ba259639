"""Export the records for other tools: JSON or CSV files (promises, events, links), or one SQLite database.

The SQLite database has a table per kind of thing, with foreign keys and
indexes, and a `verdicts` table scored by the method as of a date, so that
`datasette out.db` or `sqlite3 out.db` can be used at once. Every file is
written atomically, and never over an existing one unless asked (force).
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import __version__, safeout, store
from .dates import PartialDate
from .errors import option
from .model import Event, Link, Promise, Records
from .score import Assessment, matches, weight
from .serialise import date_text, event_dict, promise_dict, to_csv, to_json
from .vocabulary import COUNTS, VERDICTS

PROMISE_COLUMNS = ("id", "country", "official", "office", "title", "text", "topics", "deadline", "made",
                   "statements", "sources", "latest_rating", "latest_rating_date", "path", "source_id")
EVENT_COLUMNS = ("id", "country", "date", "kind", "title", "location", "actors", "severity", *COUNTS, "sources",
                 "notes", "path", "source_id")
LINK_COLUMNS = ("event", "promise", "stance", "note", "severity", "weight")


@dataclass(frozen=True)
class Selection:
    """The promises and events chosen by the filters, and the links between them."""

    promises: tuple[Promise, ...]
    events: tuple[Event, ...]
    links: tuple[tuple[Event, Link], ...]


def select(records: Records, country: str | None, official: str | None, topic: str | None) -> Selection:
    """Promises that match every filter; events of the country (and, with an official or a topic, only
    those linked to a chosen promise); the links between the two."""
    promises = tuple(sorted((p for p in records.promises if matches(p, country, official, topic)),
                            key=lambda p: p.id))
    chosen = {p.id for p in promises}
    narrowed = official is not None or topic is not None
    events = tuple(sorted((e for e in records.events
                           if (country is None or e.country == country.upper())
                           and (not narrowed or any(link.promise in chosen for link in e.links))),
                          key=lambda e: e.id))
    links = tuple((e, link) for e in events for link in e.links if link.promise in chosen)
    return Selection(promises, events, links)


# ---------------------------------------------------------------------------
# Rows, shared by JSON and CSV.

def promise_row(p: Promise) -> dict[str, Any]:
    ratings = sorted(p.ratings, key=lambda r: r.date.sort_key())
    return {"id": p.id, "country": p.country, "official": p.official, "office": p.office, "title": p.title,
            "text": p.text, "topics": list(p.topics), "deadline": date_text(p.deadline), "made": str(p.made),
            "statements": len(p.statements), "sources": list(dict.fromkeys(u for s in p.statements for u in s.sources)),
            "latest_rating": ratings[-1].verdict if ratings else None,
            "latest_rating_date": str(ratings[-1].date) if ratings else None, "path": p.path,
            "source_id": p.source_id}


def event_row(e: Event) -> dict[str, Any]:
    return {k: v for k, v in event_dict(e).items() if k not in ("counts", "links")} | \
        {name: e.counts.get(name) for name in COUNTS} | {"source_id": e.source_id}


def link_row(e: Event, link: Link, records: Records) -> dict[str, Any]:
    return {"event": e.id, "promise": link.promise, "stance": link.stance, "note": link.note,
            "severity": link.severity, "weight": weight(e, link, records.config)}


def as_files(fmt: str, chosen: Selection, records: Records) -> dict[str, str]:
    """File name -> text, for the format json or csv."""
    links = [link_row(e, link, records) for e, link in chosen.links]
    if fmt == "json":
        promises = [promise_dict(p) | {"source_id": p.source_id} for p in chosen.promises]
        events = [{k: v for k, v in event_dict(e).items() if k != "links"} | {"source_id": e.source_id}
                  for e in chosen.events]
        return {"promises.json": to_json(promises) + "\n", "events.json": to_json(events) + "\n",
                "links.json": to_json(links) + "\n"}
    return {"promises.csv": to_csv([promise_row(p) for p in chosen.promises], PROMISE_COLUMNS),
            "events.csv": to_csv([event_row(e) for e in chosen.events], EVENT_COLUMNS),
            "links.csv": to_csv(links, LINK_COLUMNS)}


def write_files(outdir: Path, files: dict[str, str], force: bool, records: Path) -> list[Path]:
    """Write each file atomically by the safe-output rules; without force, refuse (before writing any) if one
    is there already."""
    paths = [outdir / name for name in files]
    for path in paths:
        safeout.refuse_records(path, records)
        safeout.refuse_link(path)
    taken = [str(p) for p in paths if p.exists()]
    if taken and not force:
        raise store.StoreError(f"{', '.join(taken)} already exist(s); nothing was written. "
                               f"Give another directory, or {option('force')} to replace them", "force")
    outdir.mkdir(parents=True, exist_ok=True)
    for path in paths:
        safeout.write_file(path, files[path.name].encode("utf-8"), records, force)
    return paths


# ---------------------------------------------------------------------------
# SQLite.

SCHEMA = f"""
PRAGMA foreign_keys = ON;
CREATE TABLE export (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE promises (
    id TEXT PRIMARY KEY, country TEXT NOT NULL, official TEXT NOT NULL, office TEXT, title TEXT NOT NULL,
    text TEXT, deadline TEXT, deadline_last TEXT, made TEXT NOT NULL, made_first TEXT NOT NULL, path TEXT,
    source_id TEXT);
CREATE TABLE topics (
    promise_id TEXT NOT NULL REFERENCES promises(id), topic TEXT NOT NULL, PRIMARY KEY (promise_id, topic));
CREATE TABLE statements (
    id INTEGER PRIMARY KEY, promise_id TEXT NOT NULL REFERENCES promises(id),
    date TEXT NOT NULL, date_first TEXT NOT NULL, date_last TEXT NOT NULL, quote TEXT, venue TEXT);
CREATE TABLE statement_sources (
    statement_id INTEGER NOT NULL REFERENCES statements(id), url TEXT NOT NULL);
CREATE TABLE ratings (
    id INTEGER PRIMARY KEY, promise_id TEXT NOT NULL REFERENCES promises(id),
    date TEXT NOT NULL, date_first TEXT NOT NULL, date_last TEXT NOT NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ({", ".join(f"'{v}'" for v in VERDICTS)})),
    rationale TEXT NOT NULL, rated_by TEXT);
CREATE TABLE events (
    id TEXT PRIMARY KEY, country TEXT NOT NULL, date TEXT NOT NULL, date_first TEXT NOT NULL,
    date_last TEXT NOT NULL, title TEXT NOT NULL, kind TEXT, location TEXT, severity INTEGER NOT NULL,
    {", ".join(f"{name} INTEGER" for name in COUNTS)}, notes TEXT, path TEXT, source_id TEXT);
CREATE TABLE event_sources (event_id TEXT NOT NULL REFERENCES events(id), url TEXT NOT NULL);
CREATE TABLE event_actors (event_id TEXT NOT NULL REFERENCES events(id), actor TEXT NOT NULL);
CREATE TABLE links (
    event_id TEXT NOT NULL REFERENCES events(id), promise_id TEXT NOT NULL REFERENCES promises(id),
    stance TEXT NOT NULL, note TEXT, severity INTEGER, weight REAL NOT NULL, PRIMARY KEY (event_id, promise_id));
CREATE TABLE verdicts (
    promise_id TEXT PRIMARY KEY REFERENCES promises(id), as_of TEXT NOT NULL,
    verdict TEXT NOT NULL, verdict_source TEXT NOT NULL, computed_verdict TEXT NOT NULL, reason TEXT NOT NULL,
    score INTEGER, support REAL NOT NULL, against REAL NOT NULL, latest_evidence TEXT);
CREATE INDEX promises_country ON promises(country);
CREATE INDEX topics_topic ON topics(topic);
CREATE INDEX statements_promise ON statements(promise_id);
CREATE INDEX statement_sources_statement ON statement_sources(statement_id);
CREATE INDEX ratings_promise ON ratings(promise_id);
CREATE INDEX events_country_date ON events(country, date_first);
CREATE INDEX events_source_id ON events(source_id);
CREATE INDEX event_sources_event ON event_sources(event_id);
CREATE INDEX event_actors_event ON event_actors(event_id);
CREATE INDEX links_promise ON links(promise_id);
CREATE INDEX verdicts_verdict ON verdicts(verdict);
"""


def write_sqlite(path: Path, chosen: Selection, records: Records, assessments: list[Assessment], as_of: Any,
                 filters: dict[str, Any], force: bool, records_dir: Path) -> None:
    """Build the database in a temporary file beside path, then move it into place in one step."""
    safeout.refuse_records(path, records_dir)
    safeout.refuse_link(path)
    if path.exists() and not force:
        raise store.StoreError(f"{path} already exists; nothing was written. Give another name, or {option('force')} "
                               "to replace it", "force")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".db")
    os.close(handle)
    try:
        connection = sqlite3.connect(temp)
        try:
            connection.executescript(SCHEMA)
            fill(connection, chosen, records, assessments, as_of, filters)
            connection.commit()
        finally:
            connection.close()
        safeout.place(Path(temp), path, force)
    finally:
        Path(temp).unlink(missing_ok=True)


def fill(db: sqlite3.Connection, chosen: Selection, records: Records, assessments: list[Assessment], as_of: Any,
         filters: dict[str, Any]) -> None:
    db.executemany("INSERT INTO export VALUES (?, ?)", [
        ("as_of", as_of.isoformat()), ("tracker_version", __version__),
        *((f"filter_{k}", v) for k, v in filters.items() if v is not None)])
    for p in chosen.promises:
        _insert(db, "promises", (p.id, p.country, p.official, p.office, p.title, p.text, date_text(p.deadline),
                                 p.deadline.last.isoformat() if p.deadline else None, str(p.made),
                                 p.made.first.isoformat(), p.path, p.source_id))
        db.executemany("INSERT OR IGNORE INTO topics VALUES (?, ?)", [(p.id, t) for t in p.topics])
        for s in p.statements:
            cursor = db.execute("INSERT INTO statements (promise_id, date, date_first, date_last, quote, venue) "
                                "VALUES (?, ?, ?, ?, ?, ?)", (p.id, *_dates(s.date), s.quote, s.venue))
            db.executemany("INSERT INTO statement_sources VALUES (?, ?)", [(cursor.lastrowid, u) for u in s.sources])
        db.executemany("INSERT INTO ratings (promise_id, date, date_first, date_last, verdict, rationale, rated_by) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?)",
                       [(p.id, *_dates(r.date), r.verdict, r.rationale, r.by) for r in p.ratings])
    for e in chosen.events:
        _insert(db, "events", (e.id, e.country, *_dates(e.date), e.title, e.kind, e.location, e.severity,
                               *(e.counts.get(name) for name in COUNTS), e.notes, e.path, e.source_id))
        db.executemany("INSERT INTO event_sources VALUES (?, ?)", [(e.id, u) for u in e.sources])
        db.executemany("INSERT INTO event_actors VALUES (?, ?)", [(e.id, a) for a in e.actors])
    db.executemany("INSERT INTO links VALUES (:event, :promise, :stance, :note, :severity, :weight)",
                   [link_row(e, link, records) for e, link in chosen.links])
    for a in assessments:
        _insert(db, "verdicts", (a.promise.id, as_of.isoformat(), a.verdict, a.verdict_source, a.computed_verdict,
                                 a.reason, a.score, a.support, a.against, date_text(a.latest_evidence)))


def _insert(db: sqlite3.Connection, table: str, values: tuple[Any, ...]) -> None:
    db.execute(f"INSERT INTO {table} VALUES ({', '.join('?' * len(values))})", values)


def _dates(date: PartialDate) -> tuple[str, str, str]:
    """A date as written, and the first and last days it may stand for (for range queries)."""
    return str(date), date.first.isoformat(), date.last.isoformat()

