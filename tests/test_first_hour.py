"""A newcomer's first hour: a report of the past stays quiet, the command line forgives where it can and
guides where it can't, and new checks on the order of dates and on links across borders."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import REPO, ctrl_c_reaches_it, run_tracker, snapshot

PROMISE = "kz/promises/kz-assembly-law.toml"
EVENT = "kz/events/2019/09/kz-2019-09-21-dvk-rally.toml"


# ---------------------------------------------------------------------------
# 1. A report looks at the past quietly.

def test_records_after_as_of_are_summed_up_in_one_line(tracker, kz):
    result = tracker("report", "--as-of", "2019-08-31")
    assert result.stderr == "note: 4 records dated after 2019-08-31 are not counted " \
                            "(`tracker check --as-of 2019-08-31` lists them)\n"
    listed = tracker("check", "--as-of", "2019-08-31").stderr  # check still lists each one
    assert listed.count("is not counted until") == 4


def test_a_real_problem_is_still_shown_in_full(tracker, kz):
    path = kz / EVENT
    path.write_text(path.read_text().replace('title = "', 'titel = "x"\ntitle = "', 1))
    stderr = tracker("report", "--as-of", "2019-08-31").stderr
    assert f"{Path('records') / EVENT}:" in stderr and "unknown field, ignored" in stderr
    assert "hint: did you mean 'title'?" in stderr
    assert stderr.endswith("records dated after 2019-08-31 are not counted "
                           "(`tracker check --as-of 2019-08-31` lists them)\n")


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The benchmark corpus: 100,000 events, its newest records dated 2025."""
    root = tmp_path_factory.mktemp("big") / "records"
    subprocess.run([sys.executable, "-m", "benchmarks.generate", str(root), "--promises", "2000", "--events",
                    "100000", "--countries", "150", "--seed", "1"], cwd=REPO, check=True, capture_output=True)
    return root


def test_a_report_two_years_back_on_100000_events_says_at_most_three_lines(big):
    newest = max(int(year.name) for year in big.glob("*/events/*"))
    done = run_tracker("--records", str(big), "report", "--as-of", f"{newest - 2}-12-31", "--format", "json",
                       timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stderr.splitlines()
    assert 1 <= len(lines) <= 3, lines[:5]
    assert "records dated after" in lines[0] and json.loads(done.stdout)["promises"]


# ---------------------------------------------------------------------------
# 2. The command line forgives where it can.

@pytest.mark.parametrize("args", [
    ["report", "--records", "elsewhere"],
    ["report", "--no-cache", "--records", "elsewhere"],
    ["check", "--records", "elsewhere", "--no-cache"],
    ["show", "kz-assembly-law", "--records", "elsewhere", "--no-color"],
    ["import", "events", "--records", "elsewhere", "--dry-run", "rows.csv", "--set", "country=KZ", "--field",
     "title=title", "--field", "date=date"],
    ["--records", "nowhere", "report", "--records", "elsewhere"],  # after the name, it wins
])
def test_global_options_after_the_command_name(tracker, kz, args):
    kz.rename(kz.parent / "elsewhere")
    Path("rows.csv").write_text("date,title\n2019-09-30,A rally\n")
    result = tracker(*args)
    assert "kz-assembly-law" in result.stdout or "1 promise and 5 events valid" in result.stderr \
        or "would create 1" in result.stderr


def test_records_option_after_the_name_beats_the_environment(tracker, kz, monkeypatch):
    kz.rename(kz.parent / "elsewhere")
    monkeypatch.setenv("TRACKER_RECORDS", "nowhere")
    assert "kz-assembly-law" in tracker("report", "--records", "elsewhere").stdout
    assert "error: nowhere: not a records directory" in tracker("report", code=1).stderr


def test_every_command_takes_the_global_options(tracker):
    from cli import cli

    def commands(group, prefix):
        for name, command in group.commands.items():
            yield [*prefix, name]
            if hasattr(command, "commands"):
                yield from commands(command, [*prefix, name])

    for path in commands(cli, []):
        text = tracker(*path, "--help").stdout
        assert "--records" in text and "--no-cache" in text and "--color / --no-color" in text, path


def test_color_after_the_command_name(kz):
    done = run_tracker("report", "--as-of", "2019-09-30", "--color", cwd=kz.parent, env={"NO_COLOR": ""})
    assert "\x1b[" in done.stdout


def test_every_missing_option_is_named_at_once(tracker, records):
    result = tracker("add-promise", "--country", "KZ", code=2)
    assert "Missing options '--official', '--title' and '--date'." in result.stderr
    result = tracker("rate", "kz-x", code=2)
    assert "Missing options '--verdict', '--date' and '--rationale'." in result.stderr
    assert "Missing option '--date'." in tracker("restate", "kz-x", code=2).stderr


def test_help_marks_the_required_options(tracker):
    options = "\n" + tracker("add-event", "--help").stdout.split("\nOptions:\n")[1]
    entries = {entry.split()[0]: " ".join(entry.split()) for entry in options.split("\n  -") if entry.strip()}
    for option in ("-country", "-date", "-title"):
        assert entries[option].endswith("[required]"), entries[option]
    assert "[required]" not in entries["-kind"]


@pytest.mark.parametrize("args, wanted", [
    (["show", "kz-assembly-lw"], "no promise or event has the ID 'kz-assembly-lw' in records. "
                                 "Did you mean kz-assembly-law?"),
    (["history", "kz-asembly-law"], "Did you mean kz-assembly-law?"),
    (["restate", "kz-assembly-laws", "--date", "2019-10"], "no promise has the ID 'kz-assembly-laws' in records; "
                                                          "nothing was written. Did you mean kz-assembly-law?"),
    (["rate", "kz-asembly-law", "--verdict", "kept", "--date", "2020", "--rationale", "r"], "Did you mean"),
    (["add-event", "--country", "KZ", "--date", "2019", "--title", "T", "--breaks", "kz-assembly"],
     "Did you mean kz-assembly-law?"),
])
def test_unknown_ids_get_did_you_mean(tracker, kz, args, wanted):
    before = snapshot(kz)
    assert wanted in tracker(*args, code=1).stderr
    assert snapshot(kz) == before


def test_ids_are_lower_cased_with_a_note(tracker, kz):
    result = tracker("show", "KZ-Assembly-Law", "--format", "json")
    assert json.loads(result.stdout)["id"] == "kz-assembly-law"
    assert result.stderr == "note: IDs are lowercase; reading KZ-Assembly-Law as kz-assembly-law\n"
    result = tracker("add-event", "--country", "KZ", "--date", "2019-10", "--title", "T", "--id", "KZ-New",
                     "--consistent", "KZ-ASSEMBLY-LAW")
    assert result.stdout.splitlines()[-1] == "kz-new"
    assert (kz / "kz/events/2019/10/kz-new.toml").is_file()
    # the link is filed below the promise's lower-cased ID (f1 is the start of the SHA-256 of "kz-new")
    assert 'stance = "consistent"' in (kz / "kz/promises/kz-assembly-law/links/f1/kz-new.toml").read_text()


@pytest.mark.parametrize("where", [".", "kz", "kz/events/2019"])
def test_records_are_found_from_any_subfolder(tracker, kz, monkeypatch, where):
    monkeypatch.chdir(kz / where)
    assert "kz-assembly-law" in tracker("report").stdout
    written = tracker("restate", "kz-assembly-law", "--date", "2019-10-01").stderr
    assert written.startswith("Wrote a statement to ") and written.endswith("\n")
    path = Path(written.removeprefix("Wrote a statement to ").strip())  # as the user can open it from here
    assert path.resolve().parent == (kz / "kz/promises/kz-assembly-law/statements").resolve()
    assert "date = 2019-10-01" in path.read_text()


def test_records_in_the_current_folder_come_before_a_parent(tracker, kz, monkeypatch):
    nested = kz / "kz" / "records"
    tracker("init", str(nested))
    monkeypatch.chdir(kz / "kz")
    assert json.loads(tracker("report", "--format", "json").stdout)["promises"] == []


def test_init_prints_the_next_two_commands(tracker):
    result = tracker("init", "my records")
    assert result.stderr == (
        "Created my records/tracker.toml\nNext, record a pledge and check it:\n"
        "  tracker add-promise --records 'my records' --country CC --official NAME --title TEXT "
        "--date YYYY-MM-DD --source URL\n"
        "  tracker check --records 'my records'\n")
    assert tracker("check", "--records", "my records").stderr.endswith("0 errors, 0 warnings\n")


def test_ctrl_c_exits_130_with_one_line(kz, tmp_path):
    """Interrupted while it waits to read a file (a named pipe nobody writes to)."""
    fifo = tmp_path / "rows.csv"
    os.mkfifo(fifo)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen([sys.executable, "-c", "from cli import main; main()", "import", "events",
                                str(fifo), "--set", "country=KZ"], cwd=kz.parent, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=ctrl_c_reaches_it)
    deadline = time.monotonic() + 30
    # Blocked opening the pipe: the kernel names that wait wait_for_partner (fifo_open on older kernels).
    while not any(name in Path(f"/proc/{process.pid}/wchan").read_text() for name in ("fifo", "wait_for_partner")) \
            and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert stderr.count("\n") == 1 and "interrupted" in stderr and stdout == ""  # import names its file


# ---------------------------------------------------------------------------
# 2. ... and guides where it can't: the order of dates, and links across borders.

def rate(tracker, date, code=0):
    return tracker("rate", "kz-assembly-law", "--verdict", "kept", "--date", date, "--rationale", "r", code=code)


def test_a_rating_before_its_pledge_is_refused(tracker, kz):
    before = snapshot(kz)
    result = rate(tracker, "2019-05-31", code=1)
    assert result.stderr == "error: --date 2019-05-31 is before the pledge was made (2019-06); nothing was written\n"
    assert snapshot(kz) == before
    rate(tracker, "2019")  # ends after the pledge: not before it


def test_a_deadline_before_its_pledge_is_refused(tracker, records):
    args = ["add-promise", "--country", "KZ", "--official", "T", "--title", "X", "--date", "2019-06-15"]
    result = tracker(*args, "--deadline", "2019-06-14", code=1)
    assert result.stderr == "error: --deadline 2019-06-14 is before the pledge was made (2019-06-15); " \
                            "nothing was written\n"
    assert not list(records.glob("kz/promises/*"))
    tracker(*args, "--deadline", "2019-06")


RATING = "kz/promises/kz-assembly-law/ratings/2019-05-01-kept-5e2d6c1a.toml"
EARLIER_LAYOUT = "file(s) are in the earlier layout"


@pytest.mark.parametrize("own_file", [True, False], ids=["rating-file", "earlier-layout-table"])
def test_check_finds_a_rating_and_a_deadline_before_the_pledge(tracker, kz, own_file):
    path = kz / PROMISE
    rating = 'date = 2019-05-01\nverdict = "kept"\nrationale = "r"\n'
    text = path.read_text().replace('title = ', 'deadline = "2018"\ntitle = ', 1)
    if own_file:
        (kz / RATING).parent.mkdir()
        (kz / RATING).write_text(rating)
    else:
        text += "\n[[ratings]]\n" + rating
    path.write_text(text)
    result = tracker("check", code=1)
    lines = result.stderr.splitlines()
    assert any(line.startswith(f"{Path('records') / PROMISE}:") and "deadline: 2018 is before the pledge was made "
               "(2019-06)" in line for line in lines)
    assert '  hint: a pledge can only be rated, or fall due, after it was made: check the dates' in lines
    if own_file:
        assert f"{Path('records') / RATING}:1: date: 2019-05-01 is before the pledge was made (2019-06)" \
            in lines
        assert '  hint: a pledge can only be rated after it was made: check the dates' in lines
        assert result.stderr.endswith("2 errors, 0 warnings\n")
    else:
        assert any(line.startswith(f"{Path('records') / PROMISE}:") and "ratings[0].date: 2019-05-01 is before the "
                   "pledge was made (2019-06)" in line for line in lines)
        assert EARLIER_LAYOUT in result.stderr and result.stderr.endswith("2 errors, 1 warning\n")
    assert "nothing was reported" in tracker("report", code=1).stderr


def test_an_event_linked_to_another_countrys_promise_is_a_warning(tracker, kz):
    tracker("add-event", "--country", "KG", "--date", "2019-09-25", "--title", "Kazakh activists held at the border",
            "--id", "kg-border", "--contradicts", "kz-assembly-law")
    result = tracker("check")
    link = Path("records/kz/promises/kz-assembly-law/links/36/kg-border.toml")  # 36: the SHA-256 of "kg-border"
    assert f"{link}: warning: links an event in KG to kz-assembly-law, a promise of KZ" in result.stderr
    assert "hint: right for an event across a border; otherwise fix the event's country or the link" in result.stderr
    assert result.stderr.endswith("0 errors, 1 warning\n")


def test_a_hand_written_link_to_another_countrys_promise_is_a_warning(tracker, kz):
    """The earlier layout: the link is a [[links]] table in the event's own file, and the warning names its line."""
    event = Path("kg/events/2019/09/kg-border.toml")
    (kz / event).parent.mkdir(parents=True)
    (kz / event).write_text('country = "KG"\ndate = 2019-09-25\ntitle = "Kazakh activists held at the border"\n'
                            '\n[[links]]\npromise = "kz-assembly-law"\nstance = "contradicts"\n')
    result = tracker("check")
    assert f"{Path('records') / event}:6: warning: links[0].promise: kz-assembly-law is a promise of KZ, but the " \
           "event is in KG" in result.stderr
    assert EARLIER_LAYOUT in result.stderr and result.stderr.endswith("0 errors, 2 warnings\n")


# ---------------------------------------------------------------------------
# 3. Tables that read well.

LONG_ID = "kz-2019-07-a-pledge-with-a-long-derived-id"  # 42 characters, as a derived ID may be


def add_long_promise(tracker):
    tracker("add-promise", "--country", "KZ", "--official", "Someone", "--title", "A pledge", "--date", "2019-07",
            "--id", LONG_ID)


@pytest.mark.parametrize("columns, left_out", [(132, None), (100, None), (80, "for, against, latest")])
def test_report_never_breaks_an_id_and_says_what_it_left_out(tracker, kz, monkeypatch, columns, left_out):
    monkeypatch.setenv("COLUMNS", str(columns))
    add_long_promise(tracker)
    result = tracker("report", "--as-of", "2019-12-31")
    lines = result.stdout.splitlines()
    assert any(line.startswith(LONG_ID + " ") for line in lines)
    assert len({len(line) for line in lines[:-1]}) == 1 and len(lines[0]) <= columns
    assert ("contradicted" in result.stdout) and ("2019-09-21" in result.stdout) is (left_out is None)
    if left_out:
        assert result.stderr == f"note: the {left_out} columns left out to fit the terminal's width, so that no ID " \
                                "is broken; a wider terminal, or --format csv, shows every column\n"
    else:
        assert result.stderr == ""


def test_the_shipped_report_keeps_every_column_at_80(tracker, kz, monkeypatch):
    result = tracker("report", "--as-of", "2019-12-31")
    assert result.stdout.splitlines()[0].split() == ["Promise", "Made", "For", "Against", "Score", "Verdict", "Latest"]
    assert result.stderr == ""


@pytest.mark.parametrize("columns", [100, 80, 60])
def test_list_never_breaks_an_id_or_a_word(tracker, kz, monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", str(columns))
    result = tracker("list", "events")
    text = result.stdout
    ids = [path.stem for path in kz.glob("kz/events/2019/*/*.toml")]
    assert len(ids) == 5
    for ident in ids:
        assert any(line.startswith(ident + " ") or line == ident for line in text.splitlines()), ident
    words = {word for line in text.splitlines() for word in line.split()}
    for word in "At least 4,000 people protesting the presidential election detained".split():
        assert word in words
    assert all(len(line) <= columns for line in text.splitlines())


def test_a_very_narrow_list_stacks_each_record(tracker, kz, monkeypatch):
    monkeypatch.setenv("COLUMNS", "45")
    lines = tracker("list", "events").stdout.splitlines()
    at = lines.index("kz-2019-09-anti-china-protests-no-arrests")
    assert lines[at + 1].split() == ["2019-09", "KZ", "permitted-protest", "1"]
    assert lines[at + 2].startswith("Protests against Chinese")


def test_lists_sort_by_date_partial_dates_at_their_first_day(tracker, kz):
    for date, ident in [("2019-09-01", "kz-sep-first"), ("2019", "kz-whole-year"), ("2019-06-01", "kz-june-first")]:
        tracker("add-event", "--country", "KZ", "--date", date, "--title", "T", "--id", ident)
    listed = [(e["date"], e["id"]) for e in json.loads(tracker("list", "events", "--format", "json").stdout)]
    assert listed == [("2019", "kz-whole-year"), ("2019-06", "kz-2019-06-election-protest-detentions"),
                      ("2019-06-01", "kz-june-first"), ("2019-08", "kz-2019-08-reform-march-no-detentions"),
                      ("2019-09", "kz-2019-09-activists-custody-fines"),
                      ("2019-09", "kz-2019-09-anti-china-protests-no-arrests"), ("2019-09-01", "kz-sep-first"),
                      ("2019-09-21", "kz-2019-09-21-dvk-rally")]
    table = tracker("list", "events").stdout
    assert table.index("kz-whole-year") < table.index("kz-2019-06-election") < table.index("kz-june-first")
    add_long_promise(tracker)
    promises = json.loads(tracker("list", "--format", "json").stdout)
    assert [p["id"] for p in promises] == ["kz-assembly-law", LONG_ID]


def test_completion_reads_the_records_option_after_the_command(kz):
    from click.shell_completion import ShellComplete

    from cli import cli

    kz.rename(kz.parent / "elsewhere")
    complete = ShellComplete(cli, {}, "tracker", "_TRACKER_COMPLETE")
    assert [item.value for item in complete.get_completions(["rate", "--records", "elsewhere"], "kz")] \
        == ["kz-assembly-law"]
