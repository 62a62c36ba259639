"""Values a person could not have meant are refused where they are read, with the file, the line and a hint:
non-finite or huge multipliers, oversized counts, control characters, Windows-reserved IDs, folders that differ
only by case, paths too deep to walk."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from helpers import edit_file

from tracker import layout

CONFIG = "records/tracker.toml"
EVENT = "records/kz/events/2019/09/kz-2019-09-21-dvk-rally.toml"



@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "+inf", "1e308", "101", "-1"])
def test_a_multiplier_must_be_finite_and_from_0_to_100(tracker, kz, value):
    edit_file(CONFIG, "fulfills = 4", f"fulfills = {value}")
    error = tracker("check", code=1).stderr
    assert f"{CONFIG}:13: scoring.multipliers.fulfills: must be a number from 0 to 100, got" in error
    assert f"  13 | fulfills = {value}\n  hint: the defaults run from 1 to 4" in error
    tracker("report", "--format", "json", code=1)


def test_a_multiplier_of_100_is_allowed_and_json_stays_finite(tracker, kz):
    edit_file(CONFIG, "contradicts = 1", "contradicts = 100")
    data = tracker("report", "--format", "json").stdout
    json.loads(data, parse_constant=lambda name: pytest.fail(f"{name} in JSON output"))


# ---------------------------------------------------------------------------
# Integers: bounded where they are read, and a literal too long to read is reported, not raised.

def test_a_count_over_10_to_the_12_is_an_error_at_its_line(tracker, kz):
    edit_file(EVENT, "[counts]\n", "[counts]\nkilled = 1_000_000_000_001\n")
    error = tracker("check", code=1).stderr
    assert f"{EVENT}:15: counts.killed: must be a whole number from 0 to 1000000000000, got 1000000000001" in error
    edit_file(EVENT, "killed = 1_000_000_000_001", "killed = 1_000_000_000_000")
    tracker("check")


@pytest.mark.parametrize("literal, says", [
    ("9" * 5000, "holds a number too long to read"),
    ("0x" + "f" * 5000, "must be a whole number from 0 to 1000000000000, got a number of about 5000 hex digits"),
])
def test_an_oversized_literal_is_reported_with_its_line(tracker, kz, literal, says):
    edit_file(EVENT, "[counts]\n", f"[counts]\nkilled = {literal}\n")
    error = tracker("check", code=1).stderr
    assert f"{EVENT}:15: " in error and says in error
    tracker("report", code=1)
    tracker("export", "--format", "sqlite", "out.db", code=1)


def test_the_command_line_and_import_bound_counts_by_the_same_rule(tracker, records):
    result = tracker("add-event", "--country", "KZ", "--date", "2019-05-01", "--title", "Rally",
                     "--detained", str(10**12 + 1), code=2)
    assert "--detained" in result.stderr and "1000000000000" in result.stderr
    Path("rows.csv").write_text("source_id,country,date,title,detained\n"
                                f"kz-a,KZ,2019-05-01,Rally,{'9' * 5000}\nkz-b,KZ,2019-05-02,Rally,{10**12 + 1}\n"
                                "kz-c,KZ,2019-05-03,Rally,12\n", encoding="utf-8")
    result = tracker("import", "events", "rows.csv", *(f"--field={f}={f}" for f in
                                                        ("source_id", "country", "date", "title", "detained")),
                     code=1)
    assert "1 created" in result.stderr and "2 refused" in result.stderr
    assert "detained: must be a whole number from 0 to 1000000000000" in result.stderr


# ---------------------------------------------------------------------------
# Names a checkout on another system could not hold, and trees too deep to walk.

@pytest.mark.parametrize("ident", ["con", "nul", "com1", "lpt9"])
def test_a_windows_reserved_id_is_an_error(tracker, kz, ident):
    source = Path("records/kz/promises/kz-assembly-law.toml")
    text = source.read_text(encoding="utf-8").replace('id = "kz-assembly-law"', f'id = "{ident}"')
    Path(f"records/kz/promises/{ident}.toml").write_text(text, encoding="utf-8")
    error = tracker("check", code=1).stderr
    assert f"records/kz/promises/{ident}.toml: file name: '{ident}' is not a valid ID: Windows reserves" in error
    result = tracker("add-promise", "--country", "KZ", "--official", "A", "--title", "T", "--date", "2019",
                     "--id", ident, code=2)
    assert "Windows reserves" in result.stderr
    tracker("add-promise", "--country", "KZ", "--official", "A", "--title", "T", "--date", "2019",
            "--id", f"{ident}-law")


def test_an_id_may_be_100_characters_and_no_more(tracker, kz):
    longest = "kz-" + "a" * 97
    tracker("add-promise", "--country", "KZ", "--official", "A", "--title", "T", "--date", "2019", "--id", longest)
    result = tracker("add-promise", "--country", "KZ", "--official", "A", "--title", "T", "--date", "2019",
                     "--id", longest + "a", code=2)
    assert "ID is 101 characters; the limit is 100" in result.stderr
    tracker("check")


def test_country_folders_that_differ_only_by_case_are_errors(tracker, kz):
    Path("records/KZ/events/2019/09").mkdir(parents=True)
    text = Path(EVENT).read_text(encoding="utf-8").replace("kz-2019-09-21-dvk-rally", "kz-2019-09-22-second")
    Path("records/KZ/events/2019/09/kz-2019-09-22-second.toml").write_text(text, encoding="utf-8")
    error = tracker("check", code=1).stderr
    assert "records/KZ: differs from kz/ only by case; on Windows and macOS they are one folder" in error
    assert "records/kz: differs from KZ/ only by case" in error


def test_no_record_file_sits_in_its_country_folder_itself():
    """The check of folders by case asks once for all the folders of one shape below one folder (a promise's
    link folders), which holds because a record file is always at least one folder below its country's."""
    assert all(len(place.parts) - place.parts.index("CC") >= 3 for place in layout.PLACES)


def test_an_over_deep_path_is_one_problem_and_the_walk_goes_on(tracker, kz):
    """Deeper than the system can name (PATH_MAX is 4,096 bytes): made one folder at a time, by descriptor."""
    top = os.open("records/kz", os.O_RDONLY)
    descriptor = top
    for _ in range(30):
        os.mkdir("d" * 200, dir_fd=descriptor)
        inner = os.open("d" * 200, os.O_RDONLY, dir_fd=descriptor)
        if descriptor != top:
            os.close(descriptor)
        descriptor = inner
    with open(os.open("x.toml", os.O_WRONLY | os.O_CREAT, dir_fd=descriptor), "w") as file:
        file.write("title = 1\n")
    os.close(descriptor)
    os.close(top)
    error = tracker("check", code=1).stderr
    deep = [line for line in error.splitlines() if not line.startswith("  ")]
    assert len(deep) == 2 and "folders deep; nothing in it was read" in deep[0], error
    assert deep[1] == "1 promise and 5 events valid; 1 error, 0 warnings"


def test_the_guarantees_page_example_is_what_check_prints(tracker, kz):
    page = (Path(__file__).parent.parent / "docs/guarantees.md").read_text(encoding="utf-8")
    block = page.split("**Values.**", 1)[1].split("```console\n", 1)[1].split("```", 1)[0]
    command, shown = block.split("\n", 1)
    assert command == "$ tracker check"
    edit_file(CONFIG, "fulfills = 4", "fulfills = nan")
    assert tracker("check", "--as-of", "2019-12-31", code=1).stderr == shown


def test_a_load_without_the_cache_reports_the_layout_problems_found_on_the_way(tracker, kz):
    """Without the cache, files are parsed while the folders are still being listed: what the walk finds out of
    place is reported all the same, and the same as with the cache."""
    Path("records/kz/stray.toml").write_text('title = "misplaced"\n', encoding="utf-8")
    Path("records/kz/events/2019/notes").mkdir()
    Path("records/kz/events/2019/notes/rally.toml").write_text('title = "deeper"\n', encoding="utf-8")
    cold = tracker("--no-cache", "check", code=1).stderr
    assert "records/kz/stray.toml: is in an unexpected place; it was not read" in cold
    assert "records/kz/events/2019/notes/rally.toml: is in an unexpected place; it was not read" in cold
    assert cold == tracker("check", code=1).stderr == tracker("check", code=1).stderr  # cold, then warm
