"""Every command, driven through the CLI on real files."""

from __future__ import annotations

import json
import re
from pathlib import Path

from helpers import snapshot

SRC = "https://www.hrw.org/news/2019/09/24/mass-arrests-cast-doubt-rights-reform-kazakhstan"


def add_promise(tracker, *extra: str, ident: str = "kz-assembly-law", date: str = "2019-06"):
    return tracker("add-promise", "--country", "kz", "--official", "Kassym-Jomart Tokayev", "--title",
                   "Reform the law on peaceful assemblies", "--date", date, "--id", ident, "--source", SRC, *extra)


def test_init_creates_settings_and_refuses_to_overwrite(tracker):
    tracker("init", "mine")
    config = Path("mine/tracker.toml")
    assert "stall_days = 365" in config.read_text()
    config.write_text("# my own settings\n")
    result = tracker("init", "mine", code=1)
    assert "already exists" in result.stderr
    assert config.read_text() == "# my own settings\n"


def test_records_option_and_environment(tracker, monkeypatch):
    tracker("--records", "elsewhere", "init")
    assert Path("elsewhere/tracker.toml").is_file()
    monkeypatch.setenv("TRACKER_RECORDS", "elsewhere")
    add_promise(tracker)
    assert Path("elsewhere/kz/promises/kz-assembly-law.toml").is_file()


def test_add_promise_writes_a_readable_file_and_prints_the_id_last(tracker, records):
    result = add_promise(tracker, "--office", "President", "--topic", "assembly", "--deadline", "2020",
                         "--quote", "We will reform it", "--venue", "Inauguration")
    assert result.stdout.splitlines()[-1] == "kz-assembly-law"
    text = (records / "kz/promises/kz-assembly-law.toml").read_text()
    assert text.splitlines()[:4] == ['#:schema ../../schema/promise.schema.json', 'id = "kz-assembly-law"',
                                     'country = "KZ"', 'official = "Kassym-Jomart Tokayev"']
    assert 'deadline = "2020"' in text and '[[statements]]\ndate = "2019-06"' in text
    assert 'quote = "We will reform it"' in text


def test_derived_ids_come_from_country_date_and_title_and_never_clash(tracker, records):
    first = tracker("add-promise", "--country", "KZ", "--official", "T", "--title", "Free the press!",
                    "--date", "2019-06-12").stdout.splitlines()[-1]
    second = tracker("add-promise", "--country", "KZ", "--official", "T", "--title", "Free the press!",
                     "--date", "2019-06-12").stdout.splitlines()[-1]
    assert (first, second) == ("kz-2019-06-12-free-the-press", "kz-2019-06-12-free-the-press-2")


def test_a_second_record_with_the_same_fields_is_pointed_out(tracker, records):
    args = ("add-event", "--country", "KZ", "--date", "2019-09-21", "--title", "Rally dispersed")
    assert "note:" not in tracker(*args).stderr
    second = tracker(*args)
    assert "note: kz-2019-09-21-rally-dispersed exists already, so this record is kz-2019-09-21-rally-dispersed-2; " \
           "if it is the same one, delete " in second.stderr
    assert second.stdout.splitlines()[-1] == "kz-2019-09-21-rally-dispersed-2"


def test_restate_writes_a_file_of_its_own_and_keeps_every_byte_a_person_wrote(tracker, records):
    add_promise(tracker)
    path = records / "kz/promises/kz-assembly-law.toml"
    original = path.read_text().replace('title =', '# checked against the decree\ntitle =')
    path.write_text(original)
    result = tracker("restate", "kz-assembly-law", "--date", "2019-09-02", "--venue", "Address", "--source", SRC)
    assert result.stdout.splitlines()[-1] == "kz-assembly-law"
    assert path.read_text() == original
    [statement] = (records / "kz/promises/kz-assembly-law/statements").iterdir()
    assert re.fullmatch(r"2019-09-02-address-[0-9a-f]{8}\.toml", statement.name)
    assert statement.read_text() == f'date = 2019-09-02\nsources = [\n    "{SRC}",\n]\nvenue = "Address"\n'
    assert f"Wrote a statement to {statement.relative_to(records.parent)}" in result.stderr
    tracker("check")
    again = tracker("restate", "kz-assembly-law", "--date", "2019-09-02", "--venue", "Address", "--source", SRC,
                    code=1)
    assert "is already recorded" in again.stderr and "nothing was written" in again.stderr


def test_add_event_links_counts_and_layout(tracker, records):
    add_promise(tracker)
    result = tracker("add-event", "--country", "KZ", "--date", "2019-09-21", "--title", "About 100 detained",
                     "--kind", "detention", "--severity", "3", "--detained", "100", "--fined", "15",
                     "--location", "Almaty", "--contradicts", "kz-assembly-law", "--source", SRC)
    ident = result.stdout.splitlines()[-1]
    assert ident == "kz-2019-09-21-about-100-detained"
    text = (records / "kz/events/2019/09" / f"{ident}.toml").read_text()
    assert text.startswith("#:schema ../../../../schema/event.schema.json\n")
    assert text.endswith("[counts]\ndetained = 100\nfined = 15\n")
    link = records / "kz/promises/kz-assembly-law/links/b6" / f"{ident}.toml"
    assert link.read_text() == 'stance = "contradicts"\n'
    assert f"Wrote {link.relative_to(records.parent)}" in result.stderr


def test_rate_appends_a_rating_that_decides_the_verdict(tracker, records):
    add_promise(tracker)
    tracker("rate", "kz-assembly-law", "--verdict", "compromise", "--date", "2020-05-25",
            "--rationale", "A weaker law was signed", "--by", "A. Researcher")
    data = json.loads(tracker("report", "--as-of", "2020-06-01", "--format", "json").stdout)
    promise = data["promises"][0]
    assert (promise["verdict"], promise["verdict_source"], promise["computed_verdict"]) == (
        "compromise", "editorial", "stalled")  # made in 2019-06: its stall window counts from 2019-06-01
    before = json.loads(tracker("report", "--as-of", "2020-05-24", "--format", "json").stdout)
    assert before["promises"][0]["verdict_source"] == "computed"


def test_list_promises_and_events(tracker, kz):
    table = tracker("list").stdout
    assert "kz-assembly-law" in table and "1 record" in table
    events = json.loads(tracker("list", "events", "--country", "kz", "--format", "json").stdout)
    assert [e["id"] for e in events][:2] == ["kz-2019-06-election-protest-detentions",
                                             "kz-2019-08-reform-march-no-detentions"]
    csv_text = tracker("list", "events", "--format", "csv").stdout
    assert csv_text.splitlines()[0] == "id,date,country,kind,title,links"
    assert tracker("list", "events", "--country", "US", "--format", "json").stdout.strip() == "[]"


def test_show_promise_has_a_chronological_timeline(tracker, kz):
    out = tracker("show", "kz-assembly-law", "--as-of", "2019-09-30").stdout
    order = [out.index(s) for s in ("Pledge made", "kz-2019-06-election", "kz-2019-08-reform", "Restated",
                                    "kz-2019-09-21-dvk")]
    assert order == sorted(order)
    assert "Verdict: contradicted (computed) as of 2019-09-30" in out
    assert "score 17" in out


def test_show_event_and_json(tracker, kz):
    out = tracker("show", "kz-2019-09-21-dvk-rally").stdout
    assert "100 detained, 15 fined" in out and "contradicts kz-assembly-law" in out
    data = json.loads(tracker("show", "kz-assembly-law", "--as-of", "2019-09-30", "--format", "json").stdout)
    assert data["assessment"]["score"] == 17 and len(data["statements"]) == 2


def test_show_unknown_id(tracker, kz):
    assert "no promise or event has the ID 'nope'" in tracker("show", "nope", code=1).stderr


def test_report_formats(tracker, kz):
    table = tracker("report", "--country", "KZ", "--as-of", "2019-09-30").stdout
    assert "contradicted" in table and "1 contradicted" in table.splitlines()[-1]
    markdown = tracker("report", "--as-of", "2019-09-30", "--format", "markdown").stdout
    assert markdown.splitlines()[0].startswith("| id | title |")
    assert "| kz-assembly-law |" in markdown
    csv_lines = tracker("report", "--as-of", "2019-09-30", "--format", "csv").stdout.splitlines()
    assert csv_lines[1].startswith("kz-assembly-law,Reform the law on peaceful assemblies,")
    data = json.loads(tracker("report", "--as-of", "2019-09-30", "--format", "json").stdout)
    assert data["as_of"] == "2019-09-30" and data["summary"]["contradicted"] == 1
    assert set(data["promises"][0]) >= {"id", "title", "official", "country", "statements", "deadline", "verdict",
                                        "verdict_source", "computed_verdict", "score", "support", "against",
                                        "evidence"}
    assert data["promises"][0]["evidence"][0] == {
        "event": "kz-2019-06-election-protest-detentions", "date": "2019-06", "stance": "contradicts",
        "title": "At least 4,000 people protesting the presidential election detained", "actors": [], "weight": 5,
        "scored": True}


def test_report_filters(tracker, kz):
    def ids(*args):
        data = json.loads(tracker("report", "--format", "json", *args).stdout)
        return [p["id"] for p in data["promises"]]

    assert ids("--official", "tokayev") == ["kz-assembly-law"]
    assert ids("--official", "nazarbayev") == []
    assert ids("--topic", "ASSEMBLY") == ["kz-assembly-law"]
    assert ids("--topic", "press") == []
    assert ids("--country", "us") == []


def test_report_fits_80_columns_when_piped(tracker, kz):
    out = tracker("report").stdout
    assert "\x1b" not in out
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "2019-09-21" in out  # the latest-evidence date is not cropped


def test_check_passes_on_shipped_records(tracker, kz):
    assert "1 promise and 5 events valid; 0 errors, 0 warnings" in tracker("check").stderr


def test_missing_required_options_off_a_terminal_are_usage_errors(tracker, records):
    before = snapshot(records)
    result = tracker("add-promise", "--country", "KZ", "--official", "T", "--date", "2019", code=2)
    assert "Missing option '--title'" in result.stderr
    assert snapshot(records) == before


def test_write_commands_prompt_on_a_terminal(records, tmp_path):
    """Run in a real pseudo-terminal, where missing options are asked for."""
    import os
    import pty
    import subprocess
    import sys

    from helpers import REPO

    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-c", "from cli import main; main()", "add-promise",
                                "--country", "KZ", "--official", "T", "--date", "2019"],
                               stdin=follower, stdout=subprocess.PIPE, stderr=follower,
                               env={**os.environ, "PYTHONPATH": str(REPO)})
    os.close(follower)
    os.write(leader, b"Prompted title\n")
    out, _ = process.communicate(timeout=60)
    os.close(leader)
    assert process.returncode == 0
    assert out.decode().splitlines()[-1] == "kz-2019-prompted-title"


def test_written_files_get_the_umask_mode_and_appends_keep_theirs(tracker, records):
    import os
    import stat

    old = os.umask(0o022)
    try:
        add_promise(tracker)
        path = records / "kz/promises/kz-assembly-law.toml"
        assert stat.S_IMODE(path.stat().st_mode) == 0o644  # as an editor would make it, not owner-only
        path.chmod(0o640)
        tracker("restate", "kz-assembly-law", "--date", "2019-09-02")
        assert stat.S_IMODE(path.stat().st_mode) == 0o640
    finally:
        os.umask(old)
