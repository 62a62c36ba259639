"""`tracker export`: JSON and CSV files and a real SQLite database, read back with the standard library."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest
from helpers import snapshot


def report(tracker, *args: str) -> dict:
    return json.loads(tracker("report", "--format", "json", *args).stdout)


def add_us(tracker) -> None:
    """A second country, so that filters have something to leave out."""
    tracker("add-promise", "--country", "US", "--official", "A. Governor", "--title", "=Open the archives",
            "--date", "2019-01", "--id", "us-archives", "--topic", "transparency")
    tracker("add-event", "--country", "US", "--date", "2019-03-01", "--title", "Archives opened",
            "--fulfills", "us-archives", "--source", "https://example.org/archives")


@pytest.fixture
def db(tracker, kz) -> sqlite3.Connection:
    add_us(tracker)
    result = tracker("export", "--format", "sqlite", "out.db", "--as-of", "2019-09-30")
    assert result.stdout == "out.db\n"
    assert "Wrote 2 promises, 6 events and 6 links to out.db (verdicts as of 2019-09-30)" in result.stderr
    connection = sqlite3.connect("out.db")
    connection.execute("PRAGMA foreign_keys = ON")
    yield connection
    connection.close()


def test_sqlite_joins_give_the_reports_verdicts(tracker, db):
    rows = db.execute("""
        SELECT p.id, v.verdict, v.score, v.support, v.against, count(l.event_id), sum(e.detained)
        FROM promises p JOIN verdicts v ON v.promise_id = p.id
        JOIN links l ON l.promise_id = p.id JOIN events e ON e.id = l.event_id
        GROUP BY p.id ORDER BY p.id""").fetchall()
    expected = {p["id"]: p for p in report(tracker, "--as-of", "2019-09-30")["promises"]}
    assert [row[:5] for row in rows] == [(i, p["verdict"], p["score"], p["support"], p["against"])
                                         for i, p in sorted(expected.items())]
    assert rows[0][5:] == (5, 4000 + 100 + 36)  # kz-assembly-law: five linked events
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.execute("SELECT key, value FROM export WHERE key = 'as_of'").fetchall() == [("as_of", "2019-09-30")]


def test_sqlite_has_keys_indexes_and_partial_date_ranges(db):
    indexes = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'index' "
                                              "AND sql IS NOT NULL")}
    assert {"events_country_date", "links_promise", "statements_promise", "verdicts_verdict"} <= indexes
    foreign = {table: {row[2] for row in db.execute(f"PRAGMA foreign_key_list({table})")}
               for table in ("links", "statements", "ratings", "topics", "verdicts", "event_sources")}
    assert foreign == {"links": {"events", "promises"}, "statements": {"promises"}, "ratings": {"promises"},
                       "topics": {"promises"}, "verdicts": {"promises"}, "event_sources": {"events"}}
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO links VALUES ('kz-2019-09-21-dvk-rally', 'no-such-promise', 'breaks', NULL, NULL, 4)")
    # A month stands for its days: the events "in September 2019" are found by a range query.
    september = db.execute("SELECT id FROM events WHERE date_first <= '2019-09-30' AND date_last >= '2019-09-01' "
                           "ORDER BY id").fetchall()
    assert [i for (i,) in september] == ["kz-2019-09-21-dvk-rally", "kz-2019-09-activists-custody-fines",
                                         "kz-2019-09-anti-china-protests-no-arrests"]
    made = db.execute("SELECT s.date, group_concat(u.url) FROM statements s JOIN statement_sources u "
                      "ON u.statement_id = s.id WHERE s.promise_id = 'kz-assembly-law' GROUP BY s.id ORDER BY s.id")
    assert [date for date, _ in made] == ["2019-06", "2019-09-02"]


def test_verdicts_follow_as_of(tracker, kz):
    tracker("rate", "kz-assembly-law", "--verdict", "compromise", "--date", "2020-05-25", "--rationale", "New law")
    for day in ("2019-09-30", "2020-06-30"):
        tracker("export", "--format", "sqlite", f"{day}.db", "--as-of", day)
        with sqlite3.connect(f"{day}.db") as connection:
            got = connection.execute("SELECT verdict, verdict_source FROM verdicts").fetchall()
        (promise,) = report(tracker, "--as-of", day)["promises"]
        assert got == [(promise["verdict"], promise["verdict_source"])]
    assert got == [("compromise", "editorial")]


def test_json_files_one_per_table(tracker, kz):
    add_us(tracker)
    tracker("export", "--format", "json", "out")
    promises, events, links = (json.loads(Path(f"out/{n}.json").read_text()) for n in ("promises", "events", "links"))
    listed = json.loads(tracker("list", "events", "--format", "json").stdout)
    assert sorted(e["id"] for e in events) == sorted(e["id"] for e in listed)
    assert sorted(p["id"] for p in promises) == ["kz-assembly-law", "us-archives"]
    assert len(links) == sum(e["links"] for e in listed) == 6
    assert {(link["event"], link["promise"], link["stance"], link["weight"]) for link in links
            if link["promise"] == "us-archives"} == \
        {("us-2019-03-01-archives-opened", "us-archives", "fulfills", 4)}


def test_csv_files_open_in_a_spreadsheet(tracker, kz):
    add_us(tracker)
    result = tracker("export", "--format", "csv", "out", "--country", "US")
    assert result.stdout.split() == ["out/promises.csv", "out/events.csv", "out/links.csv"]
    read = {n: list(csv.DictReader(open(f"out/{n}.csv", newline=""))) for n in ("promises", "events", "links")}
    (promise,) = read["promises"]
    assert promise["title"] == "'=Open the archives"  # never run as a formula
    assert (promise["topics"], promise["made"], promise["statements"]) == ("transparency", "2019-01", "1")
    assert [e["id"] for e in read["events"]] == ["us-2019-03-01-archives-opened"]
    assert [(link["event"], link["stance"]) for link in read["links"]] == \
        [("us-2019-03-01-archives-opened", "fulfills")]


def test_topic_filter_keeps_linked_events_only(tracker, kz):
    add_us(tracker)
    tracker("export", "--format", "json", "out", "--topic", "assembly")
    events = json.loads(Path("out/events.json").read_text())
    assert len(events) == 5 and all(e["country"] == "KZ" for e in events)
    assert [p["id"] for p in json.loads(Path("out/promises.json").read_text())] == ["kz-assembly-law"]


def test_existing_output_is_never_replaced_without_force(tracker, kz):
    tracker("export", "--format", "sqlite", "out.db")
    Path("out.db").write_bytes(b"mine")
    result = tracker("export", "--format", "sqlite", "out.db", code=1)
    assert result.stderr == "error: out.db already exists; nothing was written. Give another name, or --force " \
                            "to replace it\n"
    assert Path("out.db").read_bytes() == b"mine"
    tracker("export", "--format", "sqlite", "out.db", "--force")
    assert sqlite3.connect("out.db").execute("SELECT count(*) FROM promises").fetchone() == (1,)
    Path("out").mkdir()
    Path("out/links.csv").write_text("mine\n")
    assert "out/links.csv already exist(s)" in tracker("export", "--format", "csv", "out", code=1).stderr
    assert sorted(p.name for p in Path("out").iterdir()) == ["links.csv"]


def test_invalid_records_export_nothing(tracker, kz):
    rally = kz / "kz" / "events" / "2019" / "09" / "kz-2019-09-21-dvk-rally.toml"
    rally.write_text(rally.read_text().replace("severity = 3", "severity = 9"))
    before = snapshot(Path.cwd())
    tracker("export", "--format", "sqlite", "out.db", code=1)
    assert snapshot(Path.cwd()) == before


def test_imported_records_keep_their_source_id_in_every_format(tracker, records):
    data = Path(__file__).parent / "data" / "acled-kz.csv"
    tracker("import", "events", str(data), "--preset", "acled", "--where", "event_id_cnty=KAZ1003")
    tracker("export", "--format", "sqlite", "out.db")
    tracker("export", "--format", "csv", "out")
    tracker("export", "--format", "json", "out-json")
    with sqlite3.connect("out.db") as connection:
        # time_precision 2: the day ACLED coded.
        assert connection.execute("SELECT source_id, date, killed FROM events").fetchall() == [
            ("KAZ1003", "2019-09-21", 1)]
        assert connection.execute("SELECT actor FROM event_actors").fetchall() == [(actor,) for actor in ACTORS]
    assert [(row["source_id"], row["actors"]) for row in csv.DictReader(open("out/events.csv", newline=""))] == [
        ("KAZ1003", "; ".join(ACTORS))]
    assert [(e["source_id"], e["actors"]) for e in json.loads(Path("out-json/events.json").read_text())] == [
        ("KAZ1003", ACTORS)]


ACTORS = ["Police Forces of Kazakhstan (2019-)", "Protesters (Kazakhstan)"]
