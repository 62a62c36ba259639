"""The library, driven as a Python user drives it: no CLI, real files in a temporary directory."""

from __future__ import annotations

import contextlib
import gc
import io
import re
import shutil
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from helpers import REPO, SHIPPED, snapshot

import tracker


@pytest.fixture
def recs(isolated: Path) -> Path:
    tracker.init("recs")
    return Path("recs")


def test_every_writer_then_read_and_report(recs):
    pid = tracker.add_promise(recs, country="kz", official="T", title="Reform", date="2019-06",
                              sources=["https://example.org/a"])
    eid = tracker.add_event(recs, country="KZ", date="2019-09-21", title="Detained", severity=3,
                            links={"contradicts": [pid]})
    other = tracker.add_event(recs, country="KZ", date="2019-08", title="March goes ahead")
    tracker.link(recs, other, pid, "consistent")
    tracker.restate(recs, pid, date="2019-09-02", venue="Address")
    tracker.rate(recs, pid, verdict="broken", date="2020-01-01", rationale="Weaker law",
                 sources=["https://example.org/b"])
    term = tracker.add_term(recs, country="KZ", official="T", start="2019-06-12")
    records = tracker.read(recs, as_of="2019-12-31")
    assert (len(records.promises), len(records.events), [t.id for t in records.terms], records.errors) == (
        1, 2, [term], ())
    [assessment] = tracker.report(records, as_of="2019-12-31")
    assert (assessment.promise.id, assessment.verdict, assessment.support, assessment.against, assessment.score) == (
        pid, "contradicted", 1, 3, 25)
    assert [e.event.id for e in assessment.evidence] == [other, eid]
    assert len(assessment.promise.statements) == 2
    rated = tracker.assess(records, pid, "2020-06-01")
    assert (rated.verdict, rated.verdict_source, rated.rating.sources) == (
        "broken", "editorial", ("https://example.org/b",))
    assert tracker.rows([assessment])[0]["score"] == 25


def test_report_filters_and_dates(recs):
    shutil.rmtree(recs)
    shutil.copytree(SHIPPED, recs)
    records = tracker.read(recs)
    assert [a.score for a in tracker.report(records, as_of="2019-09-30", country="KZ")] == [17]
    assert tracker.report(records, as_of="2019-09-30", country="US") == []
    assert tracker.report(records, as_of="2019-05") == []  # not yet made by the month's last day
    assert tracker.assess(records, "kz-assembly-law", "2019-09-29").score == 11


def test_read_at_a_git_revision(recs):
    git = ["git", "-C", str(recs)]
    subprocess.run([*git, "init", "-q"], check=True)
    pid = tracker.add_promise(recs, country="KZ", official="T", title="Reform", date="2019-06")
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "first"], check=True)
    tracker.add_event(recs, country="KZ", date="2019-07-01", title="Step", links={"advances": [pid]})
    then, now = tracker.read_at(recs, "HEAD", as_of="2019-12-31"), tracker.read(recs, as_of="2019-12-31")
    assert (len(then.events), len(now.events)) == (0, 1)
    with pytest.raises(tracker.TrackerError, match="no-such-revision"):
        tracker.read_at(recs, "no-such-revision")


@pytest.mark.parametrize("call", [
    lambda r: tracker.add_event(r, country="KZ", date="2019-13", title="x"),
    lambda r: tracker.add_event(r, country="ZZ", date="2019", title="x"),
    lambda r: tracker.restate(r, "no-such-promise", date="2019"),
    lambda r: tracker.rate(r, "no-such-promise", verdict="kept", date="2019", rationale="x"),
    lambda r: tracker.link(r, "no-such-event", "no-such-promise", "advances"),
    lambda r: tracker.read("nowhere"),
    lambda r: tracker.assess(tracker.read(r), "no-such-promise"),
])
def test_refusals_are_tracker_errors_and_write_nothing(recs, call):
    before = snapshot(recs)
    with pytest.raises(tracker.TrackerError) as raised:
        call(recs)
    assert str(raised.value)
    assert snapshot(recs) == before


def test_reading_leaves_the_process_as_it_was_and_memory_flat(recs):
    shutil.rmtree(recs)
    shutil.copytree(SHIPPED, recs)
    enabled, frozen = gc.isenabled(), gc.get_freeze_count()
    tracker.read(recs)
    assert (gc.isenabled(), gc.get_freeze_count()) == (enabled, frozen)
    tracemalloc.start()
    for _ in range(10):
        tracker.read(recs)
    first = tracemalloc.get_traced_memory()[0]
    for _ in range(50):
        tracker.read(recs)
    grown = tracemalloc.get_traced_memory()[0] - first
    tracemalloc.stop()
    assert grown < 200_000, f"memory grew by {grown:,} bytes over 50 reads"


def test_import_tracker_stays_quick_and_loads_nothing_heavy():
    code = "import sys, tracker; print(sorted(m for m in sys.modules if m.split('.')[0] in ('rich', 'tomli', 'click')))"
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_python_page_runs_as_written(isolated):
    page = (REPO / "docs/python.md").read_text(encoding="utf-8")
    session = page.split("## A notebook session", 1)[1]
    code = re.search(r"```python\n(.*?)```", session, re.S).group(1)
    shown = re.search(r"```text\n(.*?)```", session, re.S).group(1)
    shutil.rmtree("/tmp/kz-copy", ignore_errors=True)
    shutil.copytree(SHIPPED, "records")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "docs/python.md", "exec"), {})
    shutil.rmtree("/tmp/kz-copy", ignore_errors=True)
    assert out.getvalue() == shown


def _provoke_every_error_class(recs: Path) -> dict[str, Exception]:
    """Each error class the library raises, provoked from Python, where its message once named a flag."""
    from tracker import dates, exporting, gitrepo, importing, load

    pid = tracker.add_promise(recs, country="KZ", official="T", title="Reform", date="2019-06")
    utf16 = Path("rows.csv")
    utf16.write_bytes("title\nx\n".encode("utf-16-le"))
    taken = Path("out.json")
    taken.write_text("{}")
    calls = {
        "StoreError (title)": lambda: tracker.add_promise(recs, country="KZ", official="T", title="Two\nlines",
                                                          date="2019"),
        "StoreError (ident)": lambda: tracker.add_promise(recs, country="KZ", official="T", title="x", date="2019",
                                                          ident=pid),
        "StoreError (force)": lambda: exporting.write_files(Path("."), {"out.json": "{}"}, False, recs),
        "RecordsError": lambda: load.require_records_dir(Path("nowhere")),
        "GitError": lambda: gitrepo.require_work_tree(recs),
        "RevisionError": lambda: tracker.read_at(recs, "-x"),
        "DateError": lambda: dates.parse_date("2019-13"),
        "MappingError (options)": lambda: importing.make_mapping("promise", status_field="status"),
        "MappingError (encoding)": lambda: importing.check_encoding("no-such-encoding"),
        "MappingError (column)": lambda: importing.import_file(
            recs, utf16, importing.make_mapping("event", (("title", "nope"),)), encoding="utf-16-le"),
        "SourceError": lambda: importing.read_rows(utf16, None),
        "SourceError (path)": lambda: importing.read_rows(taken, "rows"),
    }
    raised = {}
    for name, call in calls.items():
        with pytest.raises(tracker.TrackerError) as caught:
            call()
        assert type(caught.value).__name__ == name.split()[0]
        raised[name] = caught.value
    return raised


def test_library_messages_speak_of_fields_never_flags(recs):
    raised = _provoke_every_error_class(recs)
    for name, error in raised.items():
        assert str(error) and "--" not in str(error), (name, str(error))
    assert str(raised["StoreError (title)"]) == "`title` must be one line"
    assert raised["StoreError (title)"].field == "title"
    assert "name its encoding with `encoding` utf-16-le" in str(raised["SourceError"])
    assert str(raised["MappingError (options)"]) == (
        "`status_field` needs `rating_date`: the date of the ratings it makes")


def test_the_command_line_words_the_same_errors_as_flags(recs):
    from cli import said

    raised = _provoke_every_error_class(recs)
    assert said(raised["StoreError (title)"]) == "--title must be one line"
    assert said(raised["StoreError (ident)"]).endswith("choose another --id")
    assert said(raised["MappingError (options)"]) == (
        "--status-field needs --rating-date: the date of the ratings it makes")
    assert said(raised["MappingError (column)"]).startswith("--field title=nope: rows.csv has no column 'nope'")
    assert "--records DIR" in said(raised["RecordsError"])


def test_the_python_pages_error_example_runs_as_written(isolated):
    page = (REPO / "docs/python.md").read_text(encoding="utf-8")
    section = page.split("## Errors", 1)[1].split("\n## ", 1)[0]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    shown = re.search(r"```text\n(.*?)```", section, re.S).group(1)
    shutil.copytree(SHIPPED, "records")
    before = snapshot(Path("records"))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "docs/python.md", "exec"), {})
    assert out.getvalue() == shown
    assert snapshot(Path("records")) == before
