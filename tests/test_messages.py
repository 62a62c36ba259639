"""Whole messages, hints and lines at the edges of validate's rules (these kill the mutants that
benchmarks/mutation.py makes of tracker/validate.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import edit_file

CONFIG = "records/tracker.toml"
EVENT = "records/kz/events/2019/09/kz-2019-09-21-dvk-rally.toml"
LINK = "records/kz/promises/kz-assembly-law/links/c7/kz-2019-09-21-dvk-rally.toml"
PROMISE = "records/kz/promises/kz-assembly-law.toml"



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
