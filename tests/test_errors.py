"""Bad input: one clear line naming the file (and line), a non-zero exit, and nothing written.

The file-based cases are golden: each pins the whole message, as a person reads it:
where, the line itself, what is wrong, and how to fix it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import edit_file, snapshot

CONFIG = "records/tracker.toml"
EVENT = "records/kz/events/2019/09/kz-2019-09-21-dvk-rally.toml"
LINK = "records/kz/promises/kz-assembly-law/links/c7/kz-2019-09-21-dvk-rally.toml"
PROMISE = "records/kz/promises/kz-assembly-law.toml"



GOLDEN = [
    ("malformed TOML", EVENT, 'title = "About', 'title = "About\n', f"""\
{EVENT}:5: is not valid TOML: Illegal character '\\n'
  5 | title = "About
  hint: fix the TOML syntax at that line (https://toml.io)
"""),
    ("missing field", EVENT, 'title = "About 100 detained at an opposition rally in Almaty"\n', "", f"""\
{EVENT}: missing required field 'title'
  hint: add a line: title = "..."
"""),
    ("wrong type", EVENT, "severity = 3", 'severity = "high"', f"""\
{EVENT}:8: severity: must be a whole number from 1 to 5, got 'high'
  8 | severity = "high"
  hint: severity ranks how grave an event is, from 1 (least) to 5 (gravest)
"""),
    ("impossible date", EVENT, "date = 2019-09-21", 'date = "2019-09-31"', f"""\
{EVENT}:4: date: '2019-09-31' does not exist: 2019-09 has 30 days
  4 | date = "2019-09-31"
  hint: full dates are written bare (2019-09-21); partial ones quoted ("2019-06")
"""),
    ("unknown country", PROMISE, 'country = "KZ"', 'country = "QQ"', f"""\
{PROMISE}:3: country: 'QQ' is not an ISO 3166-1 alpha-2 country code (such as KZ or US)
  3 | country = "QQ"
"""),
    ("unknown stance", LINK, 'stance = "contradicts"', 'stance = "contradict"', f"""\
{LINK}:1: stance: 'contradict' is not a stance
  1 | stance = "contradict"
  hint: did you mean 'contradicts'? use one of: fulfills, partly-fulfills, advances, consistent, \
contradicts, partly-breaks, breaks, obstructs, misses
"""),
    ("severity out of range", EVENT, "severity = 3", "severity = 6", f"""\
{EVENT}:8: severity: must be a whole number from 1 to 5, got 6
  8 | severity = 6
  hint: severity ranks how grave an event is, from 1 (least) to 5 (gravest)
"""),
    ("id not the file name", EVENT, 'id = "kz-2019-09-21-dvk-rally"', 'id = "../../x"', f"""\
{EVENT}:2: id: is '../../x' but the file is named kz-2019-09-21-dvk-rally.toml
  2 | id = "../../x"
  hint: the ID is the file name: rename the file or fix the id
"""),
]


@pytest.mark.parametrize("name, path, old, new, expected", GOLDEN, ids=[case[0] for case in GOLDEN])
def test_check_golden_messages(tracker, kz, name, path, old, new, expected):
    edit_file(path, old, new)
    result = tracker("check", "--as-of", "2020-01-01", code=1)
    assert result.stderr.startswith(expected)
    assert result.stderr[len(expected):].endswith(" valid; 1 error, 0 warnings\n")
    assert result.stderr[len(expected):].count("\n") == 1


@pytest.mark.parametrize("name, path, old, new, expected", GOLDEN, ids=[case[0] for case in GOLDEN])
def test_report_refuses_partial_data(tracker, kz, name, path, old, new, expected):
    edit_file(path, old, new)
    result = tracker("report", code=1)
    assert result.stdout == ""
    assert result.stderr.startswith(expected)
    assert "nothing was reported" in result.stderr.splitlines()[-1]


def test_duplicate_id_names_both_files(tracker, kz):
    copy = Path("records/kz/events/2020/kz-2019-09-21-dvk-rally.toml")
    copy.parent.mkdir()
    copy.write_text(Path(EVENT).read_text().replace("2019-09-21", "2020-09-21").replace(
        'id = "kz-2020-09-21-dvk-rally"', 'id = "kz-2019-09-21-dvk-rally"'))
    lines = tracker("check", code=1).stderr.splitlines()
    assert f"{EVENT}: ID 'kz-2019-09-21-dvk-rally' is also used by {copy}" in lines
    assert f"{copy}: ID 'kz-2019-09-21-dvk-rally' is also used by {EVENT}" in lines


def test_every_problem_is_printed_before_exiting(tracker, kz):
    edit_file(EVENT, "severity = 3", "severity = 0")
    edit_file(PROMISE, 'country = "KZ"', 'country = "QQ"')
    lines = [line for line in tracker("check", code=1).stderr.splitlines() if not line.startswith(" ")]
    assert len(lines) == 3 and "2 errors" in lines[-1]


# ---------------------------------------------------------------------------
# The same mistakes made on the command line: refused before anything is written.

REFUSED = [
    (["add-event", "--country", "KZ", "--date", "2019-02-30", "--title", "x"], 2,
     "Invalid value for '--date': '2019-02-30' does not exist: 2019-02 has 28 days"),
    (["add-event", "--country", "XX", "--date", "2019", "--title", "x"], 2,
     "Invalid value for '--country': 'XX' is not an ISO 3166-1 alpha-2 country code"),
    (["add-event", "--country", "KZ", "--date", "2019", "--title", "x", "--contradicts", "kz-assembly-lav"], 1,
     "error: no promise has the ID 'kz-assembly-lav' in records; nothing was written"),
    (["add-event", "--country", "KZ", "--date", "2019", "--title", "x", "--id", "kz-2019-09-21-dvk-rally"], 1,
     "error: a record with the ID 'kz-2019-09-21-dvk-rally' already exists; choose another --id"),
    (["add-promise", "--country", "KZ", "--date", "2019", "--title", "x", "--official", "y", "--id", "../x"], 2,
     "Invalid value for '--id': '../x' is not a valid ID"),
    (["add-event", "--country", "KZ", "--date", "2019", "--title", "x", "--severity", "6"], 2,
     "Invalid value for '--severity': 6 is not in the range 1<=x<=5."),
    (["add-event", "--country", "KZ", "--date", "2019", "--title", "x", "--detained", "many"], 2,
     "Invalid value for '--detained': 'many' is not a valid integer"),
    (["add-event", "--country", "KZ", "--date", "2019", "--title", "x", "--source", "javascript:alert(1)"], 2,
     "Invalid value for '--source': 'javascript:alert(1)' is not an http or https URL"),
    (["add-event", "--country", "KZ", "--date", "2019", "--title", "two\nlines"], 1,
     "error: --title must be one line"),
    (["restate", "kz-2019-09-21-dvk-rally", "--date", "2019"], 1,
     "error: no promise has the ID 'kz-2019-09-21-dvk-rally' in records; nothing was written"),
    (["rate", "kz-assembly-law", "--verdict", "great", "--date", "2019", "--rationale", "x"], 2,
     "Invalid value for '--verdict': 'great' is not one of"),
]


# Each case is named by its command and last option, a line break as a space: pytest cannot find an ID with a line
# break again by its name in a second session in one process, which is how mutmut runs it.
REFUSED_IDS = [" ".join(case[0][:1] + case[0][-2:]).replace("\n", " ") for case in REFUSED]


@pytest.mark.parametrize("args, code, message", REFUSED, ids=REFUSED_IDS)
def test_refused_writes_change_nothing(tracker, kz, args, code, message):
    before = snapshot(kz)
    result = tracker(*args, code=code)
    assert message in result.stderr
    assert result.stdout == ""
    assert snapshot(kz) == before


def test_restate_never_reads_or_touches_the_promise_file(tracker, kz):
    """A restatement is a file of its own: a promise file with a slip in it is left exactly as it is."""
    edit_file(PROMISE, 'title = "', 'title = ""')
    before = Path(PROMISE).read_bytes()
    result = tracker("restate", "kz-assembly-law", "--date", "2019-10")
    assert Path(PROMISE).read_bytes() == before
    assert "records/kz/promises/kz-assembly-law/statements/2019-10-" in result.stderr
    assert f"{PROMISE}:6: is not valid TOML" in tracker("check", code=1).stderr


def test_no_records_directory(tracker):
    result = tracker("report", code=1)
    assert result.stderr == "error: records: not a records directory (no tracker.toml); create one with " \
                            "`tracker init records`, or name one with --records DIR\n"


def test_run_from_inside_the_records_directory(tracker, kz, monkeypatch):
    """As git finds its repository: the folder itself is the records directory."""
    monkeypatch.chdir(kz)
    assert "kz-assembly-law" in tracker("report").stdout
    assert "kz-assembly-law" in tracker("--records", ".", "report").stdout


@pytest.mark.parametrize("line, hint", [
    ("date = 2019-09", 'hint: a partial date is written in quotes: "2019-09"'),
    ("date = 2019-02-30", "hint: 2019-02-30 is not a real date: check the month and the day"),
])
def test_toml_slips_with_dates_get_a_precise_hint(tracker, kz, line, hint):
    edit_file(EVENT, "date = 2019-09-21", line)
    err = tracker("check", code=1).stderr
    assert f"{EVENT}:4: is not valid TOML" in err and f"  {hint}\n" in err


def test_report_shows_warnings_such_as_a_misspelt_field(tracker, kz):
    edit_file(EVENT, "severity = 3", "severtiy = 3")
    result = tracker("report", "--as-of", "2019-09-30")
    assert f"{EVENT}:8: warning: severtiy: unknown field, ignored\n" in result.stderr
    assert "hint: did you mean 'severity'?" in result.stderr


@pytest.mark.parametrize("old, new, message", [
    ("stall_days = 365", "stall_days = 1000000", "stall_days: must be a whole number from 1 to 36500"),
    ("[scoring.multipliers]\nfulfills = 4", "multipliers = 5\n[x]\nfulfills = 4",
     "multipliers: expected a table [scoring.multipliers], got a number"),
])
def test_settings_out_of_bounds_are_errors(tracker, kz, old, new, message):
    edit_file("records/tracker.toml", old, new)
    assert message in tracker("check", code=1).stderr
    tracker("report", code=1)


# ---------------------------------------------------------------------------
# Whole messages, hints and lines at the edges of validate's rules (these kill the mutants that
# benchmarks/mutation.py makes of tracker/validate.py).

@pytest.mark.parametrize("stance, hint", [
    ("contradict", "did you mean 'contradicts'? use one of: fulfills, partly-fulfills, advances, consistent, "
                   "contradicts, partly-breaks, breaks, obstructs, misses"),
    ("zzz", "use one of: fulfills, partly-fulfills, advances, consistent, contradicts, partly-breaks, breaks, "
            "obstructs, misses"),
])
def test_an_unknown_stance_names_the_likely_one(tracker, kz, stance, hint):
    edit_file(LINK, 'stance = "contradicts"', f'stance = "{stance}"')
    error = tracker("check", "--as-of", "2019-12-31", code=1).stderr
    assert error.startswith(f"{LINK}:1: stance: '{stance}' is not a stance\n"
                            f'  1 | stance = "{stance}"\n  hint: {hint}\n'), error


def test_a_future_date_warns_with_its_hint(tracker, kz):
    error = tracker("check", "--as-of", "2019-09-20").stderr
    assert (f"{EVENT}:4: warning: date: 2019-09-21 is after 2019-09-20; it is not counted until then\n"
            "  4 | date = 2019-09-21\n"
            "  hint: a date after the as-of date is allowed; make sure it is not a typo\n") in error


def test_a_table_without_keys_is_pointed_at_by_its_header(tracker, kz):
    with open(PROMISE, "a", encoding="utf-8") as file:
        file.write("\n[[ratings]]\n")
    lines = Path(PROMISE).read_text(encoding="utf-8").count("\n")
    error = tracker("check", "--as-of", "2019-12-31", code=1).stderr
    assert f"{PROMISE}:{lines}: missing required field 'date'" in error


def test_an_inline_table_is_pointed_at_by_the_key_that_holds_it(tracker, kz):
    text = Path(CONFIG).read_text(encoding="utf-8")
    Path(CONFIG).write_text(text.split("[scoring]", 1)[0] + "scoring = { multipliers = { fulfills = nan } }\n",
                            encoding="utf-8")
    line = Path(CONFIG).read_text(encoding="utf-8").count("\n")
    error = tracker("check", "--as-of", "2019-12-31", code=1).stderr
    assert f"{CONFIG}:{line}: scoring.multipliers.fulfills: must be a number from 0 to 100, got nan" in error


@pytest.mark.parametrize("value, shown", [
    (10**18 - 1, "999999999999999999"),
    (10**18, "a number of about 15 hex digits (60 bits)"),
    (-(10**18), "a number of about 15 hex digits (60 bits)"),
])
def test_a_huge_number_is_named_by_its_size_from_10_to_the_18(tracker, kz, value, shown):
    edit_file(EVENT, "detained = 100", f"detained = {value}")
    error = tracker("check", "--as-of", "2019-12-31", code=1).stderr
    assert f"counts.detained: must be a whole number from 0 to 1000000000000, got {shown}\n" in error


@pytest.mark.parametrize("title, says", [
    ("Rally \\u001b[2J", "title: holds the control character U+001B at character 7; only tab and line breaks are "
                         "allowed"),
    ("Rally\\r", "title: holds the control character U+000D at character 6"),
])
def test_a_control_character_is_named_by_its_code_and_place(tracker, kz, title, says):
    edit_file(EVENT, 'title = "About 100 detained at an opposition rally in Almaty"', f'title = "{title}"')
    error = tracker("check", "--as-of", "2019-12-31", code=1).stderr
    assert f"{EVENT}:5: {says}" in error


def test_tab_and_line_breaks_are_text(tracker, kz):
    edit_file(EVENT, 'notes = "Rally', 'notes = "Tab\\there,\\r\\nline\\nbreaks. Rally')
    tracker("check", "--as-of", "2019-12-31")


def test_promise_folders_in_three_spellings_name_each_other(tracker, kz):
    text = Path(PROMISE).read_text(encoding="utf-8")
    for folder in ("KZ", "Kz"):
        Path(f"records/{folder}/promises").mkdir(parents=True)
        ident = f"kz-law-{folder.lower()}{len(folder) + ord(folder[1])}"
        Path(f"records/{folder}/promises/{ident}.toml").write_text(
            text.replace('id = "kz-assembly-law"', f'id = "{ident}"'), encoding="utf-8")
    error = tracker("check", "--as-of", "2019-12-31", code=1).stderr
    hint = "  hint: move every record into one folder, in lowercase\n"
    for folder, others in (("KZ", "Kz/, kz/"), ("Kz", "KZ/, kz/"), ("kz", "KZ/, Kz/")):
        assert (f"records/{folder}: differs from {others} only by case; on Windows and macOS they are one folder\n"
                + hint) in error, error
