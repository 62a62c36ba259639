"""`tracker import`: CSV and JSON files written for these tests, imported into real records directories."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import pty
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import tomli
from helpers import REPO, shell_env, snapshot

DATA = Path(__file__).parent / "data"
STATUSES = {"Achieved": "kept", "Compromised": "compromise", "Broken": "broken", "In progress": "in-progress",
            "Not started": "not-rated"}
TRACKER_OPTIONS = ["--path", "promises", "--field", "title=title", "--field", "text=description",
                   "--field", "topics=category", "--field", "topics=tags", "--field", "sources=sources.url",
                   "--set", "country=US", "--set", "official=Donald Trump", "--set", "date=2016-11-08",
                   "--status-field", "status",
                   *[arg for source, verdict in STATUSES.items() for arg in ("--status", f"{source}={verdict}")]]


def import_tracker(tracker, year: int, *extra: str, code: int = 0):
    return tracker("import", "promises", str(DATA / f"promise-tracker-{year}.json"), *TRACKER_OPTIONS,
                   "--rating-date", f"{year}-12-31", *extra, code=code)


def summary(tracker, *args: str) -> dict[str, int]:
    return json.loads(tracker("report", "--format", "json", *args).stdout)["summary"]


def expected_tally(year: int) -> dict[str, int]:
    statuses = Counter(p["status"] for p in json.loads((DATA / f"promise-tracker-{year}.json").read_text())["promises"])
    return {verdict: statuses[source] for source, verdict in STATUSES.items() if statuses[source]}


def test_a_public_trackers_file_reproduces_its_status_tally(tracker, records):
    result = import_tracker(tracker, 2017)
    assert "10 created, 0 updated, 0 skipped, 0 refused" in result.stderr
    assert len(result.stdout.split()) == 10
    got = {verdict: n for verdict, n in summary(tracker).items() if n}
    assert got == expected_tally(2017) == {"in-progress": 2, "compromise": 2, "broken": 2, "kept": 2, "not-rated": 2}
    assert "0 errors, 0 warnings" in tracker("check").stderr
    (path,) = (records / "us" / "promises").glob("us-2016-11-08-build-a-wall*.toml")
    wall = tomli.loads(path.read_text(encoding="utf-8"))
    assert wall["source_id"] == "Build a wall on the southern border"
    assert wall["topics"] == ["Immigration", "border", "wall"]
    assert wall["statements"][0]["sources"] == ["https://example.org/speeches/2016-08-31"]
    assert "ratings" not in wall  # a rating is a file of its own, below the promise
    (rating,) = path.with_suffix("").glob("ratings/2017-12-31-in-progress-*.toml")
    assert tomli.loads(rating.read_text(encoding="utf-8")) == {
        "date": dt.date(2017, 12, 31), "verdict": "in-progress",
        "rationale": "Imported: the status was 'In progress' in promise-tracker-2017.json."}


def test_importing_the_same_file_again_changes_nothing(tracker, records):
    import_tracker(tracker, 2017)
    before = snapshot(records)
    result = import_tracker(tracker, 2017)
    assert "0 created, 0 updated, 10 skipped, 0 refused" in result.stderr
    assert result.stdout == ""
    assert snapshot(records) == before


def test_a_later_version_appends_ratings_only_where_the_status_changed(tracker, records):
    import_tracker(tracker, 2017)
    before = snapshot(records)
    result = import_tracker(tracker, 2018)
    assert "1 created, 2 updated, 7 skipped, 0 refused" in result.stderr
    assert "not in " in result.stderr and "us-2016-11-08-balance-the-federal-budget" in result.stderr
    after = snapshot(records)
    assert all(after[name] == before[name] for name in before)  # no file is ever changed, only added
    ratings = sorted(name for name in after.keys() - before.keys()  # new ratings of promises there before
                     if "/ratings/" in name and name.split("/ratings/")[0] + ".toml" in before)
    assert len(ratings) == 2
    homes = [records / Path(str(name).split("/ratings/")[0] + ".toml") for name in ratings]
    assert [tomli.loads(home.read_text(encoding="utf-8"))["source_id"] for home in homes] == [
        "Build a wall on the southern border", "Renegotiate the trade agreement with neighbours"]
    assert all(after[name].decode().startswith("date = 2018-12-31") for name in ratings)
    assert summary(tracker, "--as-of", "2018-06-30") == summary(tracker, "--as-of", "2017-12-31")
    got = {verdict: n for verdict, n in summary(tracker, "--as-of", "2018-12-31").items() if n}
    # The dropped row's promise is still in the records, with its 2017 status.
    assert got == {"kept": 3, "compromise": 3, "broken": 2, "not-rated": 3}


def test_dry_run_writes_nothing(tracker, records):
    before = snapshot(records)
    result = import_tracker(tracker, 2017, "--dry-run")
    assert result.stderr == "would create 10, update 0, skip 0, refuse 0; nothing was written (dry run)\n"
    assert snapshot(records) == before


def test_an_unmapped_status_is_a_usage_error_naming_it(tracker, records):
    before = snapshot(records)
    result = tracker("import", "promises", str(DATA / "promise-tracker-2017.json"), "--path", "promises",
                     "--field", "title=title", "--set", "country=US", "--set", "official=X", "--set", "date=2016",
                     "--status-field", "status", "--status", "Achieved=kept", "--rating-date", "2017-12-31", code=2)
    assert "'In progress' (2 rows)" in result.stderr and "--status" in result.stderr
    assert snapshot(records) == before


def test_bad_rows_are_refused_with_their_row_numbers_and_the_rest_imported(tracker, records):
    args = ["import", "promises", str(DATA / "promises.csv"), "--field", "id=id", "--field", "country=country",
            "--field", "official=official", "--field", "title=title", "--field", "date=made",
            "--field", "topics=topics", "--field", "sources=source"]
    before = snapshot(records)
    result = tracker(*args, "--strict", code=1)
    assert "nothing was written (--strict" in result.stderr
    assert snapshot(records) == before
    result = tracker(*args, code=1)
    assert result.stdout.split() == ["kz-free-press", "kz-political-parties"]
    assert "promises.csv: row 2: refused: statements[0].date: '2019-02-30' does not exist" in result.stderr
    assert "promises.csv: row 3: refused: 'Kazakstan' is not an ISO 3166-1 alpha-2 country code" in result.stderr
    assert "2 created, 0 updated, 0 skipped, 2 refused" in result.stderr
    press = tomli.loads((records / "kz" / "promises" / "kz-free-press.toml").read_text(encoding="utf-8"))
    assert press["topics"] == ["press", "speech"] and press["statements"][0]["date"] == "2019-06"


def test_json_summary_lists_every_row(tracker, records):
    data = json.loads(import_tracker(tracker, 2017, "--format", "json").stdout)
    assert data["counts"] == {"created": 10, "updated": 0, "skipped": 0, "refused": 0}
    assert [row["row"] for row in data["rows"]] == list(range(1, 11))


@pytest.mark.parametrize("content, path, message", [
    ('{"promises": [1, 2', None, "bad.json:1: is not valid JSON"),
    ('{"promises": []}', None, "holds an object, not a list; name the list with --path (its keys: promises)"),
    ('{"promises": []}', "pledges", "has no 'pledges' key"),
])
def test_an_unreadable_file_is_one_clear_line(tracker, records, content, path, message):
    Path("bad.json").write_text(content, encoding="utf-8")
    result = tracker("import", "promises", "bad.json", *(["--path", path] if path else []), code=1)
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def acled(tracker, *extra: str, code: int = 1):
    return tracker("import", "events", str(DATA / "acled-kz.csv"), "--preset", "acled", *extra, code=code)


def test_acled_preset_maps_the_export_columns(tracker, records):
    result = acled(tracker)
    assert "6 created, 0 updated, 0 skipped, 2 refused" in result.stderr
    assert "row 8: refused: 'Neverland' is not an ISO 3166-1 alpha-2 country code" in result.stderr
    assert "row 7: refused: date: '2019-13-40' has no month 13" in result.stderr
    events = {e["id"]: e for e in json.loads(tracker("list", "events", "--format", "json").stdout)}
    by_source = {tomli.loads(Path(records / e["path"].split("records/", 1)[1]).read_text())["source_id"]: e
                 for e in (json.loads(tracker("show", ident, "--format", "json").stdout) for ident in events)}
    assert sorted(by_source) == ["KAZ1001", "KAZ1002", "KAZ1003", "KAZ1004", "KAZ1005", "XKX2001"]
    assert by_source["XKX2001"]["country"] == "XK"  # ACLED's iso is 0 for Kosovo: the name decides
    first = by_source["KAZ1001"]
    assert (first["country"], first["date"], first["kind"], first["location"]) == \
        ("KZ", "2019-06-09", "protest-with-intervention", "Almaty")
    assert first["title"] == "Protest with intervention in Almaty"
    assert first["notes"].endswith("police detained about 500.\n\nACLED sources: Radio Free Europe; Reuters")
    # time_precision 2 (a span of days): the day ACLED coded; 3 (a month): the month.
    assert by_source["KAZ1003"]["date"] == "2019-09-21" and by_source["KAZ1003"]["counts"] == {"killed": 1}
    assert by_source["KAZ1004"]["date"] == "2019-10" and by_source["KAZ1004"]["location"] == "Zhanaozen, Mangystau"
    assert first["actors"] == ["Protesters (Kazakhstan)", "Police Forces of Kazakhstan (2019-)"]
    assert "0 created, 0 updated, 6 skipped, 2 refused" in acled(tracker).stderr


def test_acled_filtered_and_linked_to_a_promise(tracker, kz):
    result = acled(tracker, "--where", "sub_event_type=Excessive force against protesters",
                   "--where", "country=Kazakhstan", "--link", "contradicts=kz-assembly-law")
    assert "3 created, 0 updated, 0 skipped, 1 refused, 4 left out by --where" in result.stderr
    promise = json.loads(tracker("show", "kz-assembly-law", "--as-of", "2019-12-31", "--format", "json").stdout)
    linked = [e for e in promise["assessment"]["evidence"] if e["title"].startswith("Excessive force")]
    # A partial date sorts by its first day.
    assert [(e["date"], e["stance"]) for e in linked] == [("2019-06-10", "contradicts"), ("2019-09-21", "contradicts"),
                                                          ("2019-10", "contradicts")]
    assert linked[0]["actors"] == ["Police Forces of Kazakhstan (2019-)", "Protesters (Kazakhstan)"]
    assert "0 errors" in tracker("check").stderr


def test_link_to_a_missing_promise_writes_nothing(tracker, records):
    before = snapshot(records)
    result = acled(tracker, "--link", "contradicts=kz-nowhere")
    assert "--link: no promise has the ID 'kz-nowhere'" in result.stderr
    assert snapshot(records) == before
    assert "is not a stance" in acled(tracker, "--link", "supports=kz-nowhere", code=2).stderr


def test_snapshots_replayed_with_commit_show_every_status_change(tracker, isolated):
    tracker("init", "--git")
    for year in (2017, 2018):
        import_tracker(tracker, year, "--commit")
    log = subprocess.run(["git", "log", "--format=%s"], cwd="records", capture_output=True, text=True,
                         check=True).stdout
    assert log.splitlines() == ["Import promises from promise-tracker-2018.json: 1 created, 2 updated",
                                "Import promises from promise-tracker-2017.json: 10 created",
                                "Start a records directory in records"]
    assert subprocess.run(["git", "status", "--porcelain"], cwd="records", capture_output=True, text=True,
                          check=True).stdout == ""
    assert import_tracker(tracker, 2018, "--commit").stderr.count("Committed") == 0  # nothing new, no commit
    at_2017 = json.loads(tracker("report", "--at", "HEAD~1", "--as-of", "2018-12-31", "--format", "json").stdout)
    assert {v: n for v, n in at_2017["summary"].items() if n} == expected_tally(2017)
    changes = json.loads(tracker("diff", "HEAD~1", "HEAD", "--as-of", "2018-12-31", "--format", "json").stdout)
    changed = sorted((c["verdict"]["before"] or "", c["verdict"]["after"]) for c in changes["changes"]
                     if c["verdict_changed"])
    assert changed == [("", "not-rated"), ("in-progress", "compromise"), ("in-progress", "kept")]


def test_commit_outside_git_refuses_before_writing(tracker, records):
    before = snapshot(records)
    result = import_tracker(tracker, 2017, "--commit", code=1)
    assert "not inside a git work tree" in result.stderr
    assert snapshot(records) == before


def rows_csv(path: Path, count: int) -> None:
    lines = ["id,title,date"] + [f"r{n},Event number {n},2019-05-{n % 28 + 1:02d}" for n in range(count)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def run_on_a_terminal(cwd: Path, *args: str) -> tuple[str, str, int]:
    """Run tracker with stderr on a pseudo-terminal (as a person at a shell), stdout piped."""
    main, secondary = pty.openpty()
    process = subprocess.Popen([sys.executable, "-c", "from cli import main; main()", *args], cwd=cwd,
                               stdout=subprocess.PIPE, stderr=secondary, text=True,
                               env={**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "80"})
    os.close(secondary)
    seen = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        seen += chunk
    os.close(main)
    out = process.stdout.read()
    return out, seen.decode(errors="replace"), process.wait()


@pytest.mark.parametrize("rows, bar", [(250, True), (20, False)])
def test_progress_bar_on_a_terminal_for_long_inputs_only(records, rows, bar):
    rows_csv(Path("events.csv"), rows)
    out, err, code = run_on_a_terminal(Path.cwd(), "import", "events", "events.csv", "--field", "title=title",
                                       "--field", "date=date", "--field", "source_id=id", "--set", "country=KZ")
    assert code == 0, err
    assert len(out.split()) == rows  # stdout stays clean data
    assert ("Importing" in err) == bar
    assert f"{rows} created" in err


def test_no_progress_bar_when_stderr_is_not_a_terminal(tracker, records):
    rows_csv(Path("events.csv"), 250)
    result = tracker("import", "events", "events.csv", "--field", "title=title", "--field", "date=date",
                     "--set", "country=KZ")
    assert result.stderr == "250 created, 0 updated, 0 skipped, 0 refused\n"


def test_a_country_folder_linked_out_of_the_records_is_never_written_through(tracker, records, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (records / "kz").symlink_to(outside, target_is_directory=True)
    rows_csv(Path("events.csv"), 2)
    result = tracker("import", "events", "events.csv", "--field", "title=title", "--field", "date=date",
                     "--set", "country=KZ", code=1)
    assert "row 1: refused: " in result.stderr and "leads outside the records directory" in result.stderr
    assert list(outside.iterdir()) == []


def test_re_importing_never_repeats_a_rating_when_a_later_one_exists(tracker, records):
    import_tracker(tracker, 2018)  # the later file first: its ratings are dated after the 2017 file's
    (wall,) = (records / "us" / "promises").glob("us-2016-11-08-build-a-wall*.toml")
    tracker("rate", wall.stem, "--verdict", "broken", "--date", "2019-06-30", "--rationale", "Later news.")
    first = import_tracker(tracker, 2017)
    # As of 2017-12-31 none of the promises had a rating yet: each is rated as the 2017 file says.
    assert "1 created, 9 updated, 0 skipped" in first.stderr
    after_first = snapshot(records)
    for _ in range(2):
        again = import_tracker(tracker, 2017)
        assert "0 created, 0 updated, 10 skipped, 0 refused" in again.stderr
        assert snapshot(records) == after_first
    ratings = [tomli.loads(path.read_text(encoding="utf-8")) for path in wall.with_suffix("").glob("ratings/*.toml")]
    assert sorted((r["date"], r["verdict"]) for r in ratings) == [
        (dt.date(2017, 12, 31), "in-progress"), (dt.date(2018, 12, 31), "compromise"), (dt.date(2019, 6, 30), "broken")]


def test_a_csv_cell_spanning_lines_keeps_its_line_breaks(tracker, records):
    notes = "Police detained about 500.\r\nOthers were fined.\u2028Source: a local monitor."
    with open("events.csv", "w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([["id", "title", "date", "notes"], ["e1", "A rally", "2019-06-09", notes]])
    tracker("import", "events", "events.csv", "--field", "source_id=id", "--field", "title=title",
            "--field", "date=date", "--field", "notes=notes", "--set", "country=KZ")
    (path,) = (records / "kz" / "events" / "2019" / "06").glob("*.toml")
    assert tomli.loads(path.read_text(encoding="utf-8"))["notes"] == notes.replace("\r\n", "\n")


def test_a_field_from_a_column_the_file_lacks_is_a_usage_error(tracker, records):
    rows_csv(Path("events.csv"), 3)
    before = snapshot(records)
    result = tracker("import", "events", "events.csv", "--field", "title=title", "--field", "date=dya",
                     "--set", "country=KZ", code=2)
    assert "--field date=dya: events.csv has no column 'dya'; its columns: id, title, date" in result.stderr
    assert "refused" not in result.stderr
    assert snapshot(records) == before


def test_a_row_missing_a_required_field_says_which_option_supplies_it(tracker, records):
    rows_csv(Path("events.csv"), 1)
    result = tracker("import", "events", "events.csv", "--field", "title=title", "--field", "date=date", code=1)
    assert "row 1: refused: missing required field 'country' (map a column with --field country=COLUMN, " \
           "or give every row one with --set country=XX)" in result.stderr
    Path("events.csv").write_text("id,title,day\nr0,Event number 0,2019-05-01\n", encoding="utf-8")
    result = tracker("import", "events", "events.csv", "--field", "title=title", "--set", "country=KZ", code=1)
    assert "row 1: refused: missing required field 'date' (map a column with --field date=COLUMN, " \
           "or give every row one with --set date=VALUE)" in result.stderr
    assert "add a line" not in result.stderr


def readme_blocks(section: str, language: str) -> list[str]:
    text = (REPO / "docs/import-export.md").read_text(encoding="utf-8")
    body = text[text.index(f"## {section}\n"):]
    body = body[:body.index("\n## ", 1)]
    return re.findall(rf"```{language}\n(.*?)```", body, re.S)


def test_the_readme_import_examples_run_from_a_clone_as_written(isolated):
    env = shell_env(isolated)
    promises, events = (block.replace("/tmp/", f"{isolated}/") for block in readme_blocks("Importing", "sh"))
    later = promises.replace("2017", "2018")
    shown_later, shown_events = readme_blocks("Importing", "text")

    def run(script: str) -> str:
        done = subprocess.run(["bash", "-e", "-c", script], cwd=REPO, env=env, capture_output=True, text=True)
        assert done.returncode in (0, 1), done.stderr
        return re.sub(r"Committed \w+", "Committed", done.stderr)

    run(promises)
    assert run(later.replace("tracker init --git\n", "")) == re.sub(r"Committed \w+", "Committed", shown_later)
    assert run(events) == shown_events
