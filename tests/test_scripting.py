"""Scripting conventions: data on stdout, messages on stderr, JSON from every command that prints data,
colour that follows NO_COLOR and --color/--no-color, ISO 8601 dates, and the documented exit codes."""

from __future__ import annotations

import json
import re

import pytest
from helpers import REPO, run_tracker

from cli import cli

ESCAPE = "\x1b["
COLOUR = re.compile(r"\x1b\[[0-9;]*(3[0-7]|9[0-7]|38;)[0-9;]*m")  # a foreground colour, not bold or dim
ISO = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
SHOWING = {"list": ["list", "events"], "show": ["show", "kz-assembly-law"], "report": ["report"],
           "check": ["check"], "history": ["history", "kz-assembly-law"]}


def test_every_command_that_lists_or_shows_has_json(tracker, kz):
    for name, args in SHOWING.items():
        (option,) = [p for p in cli.commands[name].params if p.name == "fmt"]
        assert "json" in option.type.choices, name
        result = tracker(*args, "--as-of", "2019-09-30", "--format", "json") if name != "list" \
            else tracker(*args, "--format", "json")
        json.loads(result.stdout)  # stdout is the data and nothing else


def test_check_json_lists_every_problem_on_stdout(tracker, kz):
    rally = kz / "kz" / "events" / "2019" / "09" / "kz-2019-09-21-dvk-rally.toml"
    rally.write_text(rally.read_text().replace("severity = 3", "severity = 9").replace("notes =", "note ="))
    result = tracker("check", "--format", "json", "--as-of", "2019-09-30", code=1)
    data = json.loads(result.stdout)
    assert (data["errors"], data["warnings"], data["as_of"]) == (1, 1, "2019-09-30")
    assert [(p["level"], p["line"], p["message"]) for p in data["problems"]] == [
        ("error", 8, "severity: must be a whole number from 1 to 5, got 9"),
        ("warning", 12, "note: unknown field, ignored")]
    assert data["problems"][1]["hint"] == "did you mean 'notes'?"
    assert result.stderr == "1 promise and 4 events valid; 1 error, 1 warning\n"


def iso_dates(value, key=""):
    """Every value of a field named like a date, anywhere in the data."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from iso_dates(v, k)
    elif isinstance(value, list):
        for item in value:
            yield from iso_dates(item, key)
    elif value is not None and (key in ("date", "made", "deadline", "as_of", "latest_evidence")):
        yield value


def test_dates_are_iso_8601(tracker, kz):
    tracker("rate", "kz-assembly-law", "--verdict", "compromise", "--date", "2020-05-25", "--rationale", "New law")
    outputs = [tracker("report", "--format", "json").stdout,
               tracker("show", "kz-assembly-law", "--format", "json").stdout,
               tracker("list", "events", "--format", "json").stdout]
    dates = [d for text in outputs for d in iso_dates(json.loads(text))]
    assert len(dates) > 15 and all(isinstance(d, str) and ISO.fullmatch(d) for d in dates), dates


def test_writes_print_the_id_on_stdout_and_the_rest_on_stderr(tracker, kz):
    result = tracker("add-event", "--country", "KZ", "--date", "2019-10-01", "--title", "A rally", "--consistent",
                     "kz-assembly-law")
    assert result.stdout == "kz-2019-10-01-a-rally\n" and result.stderr.startswith("Wrote ")


@pytest.mark.parametrize("env, flag, escapes, colour", [
    ({"NO_COLOR": "1"}, None, False, False),
    ({"NO_COLOR": "1"}, "--color", True, True),          # the option wins over the environment
    ({"FORCE_COLOR": "1"}, None, True, True),
    ({"FORCE_COLOR": "1"}, "--no-color", False, False),  # no escape sequence at all, not even bold
    ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, None, True, False),  # NO_COLOR: styles such as bold, but no colour
    ({}, None, False, False),                            # piped: plain
])
def test_colour_follows_no_color_and_the_options(kz, env, flag, escapes, colour):
    # An empty variable counts as unset (as the NO_COLOR convention says), so each case starts from neither.
    done = run_tracker(*([flag] if flag else []), "report", "--as-of", "2019-09-30", cwd=kz.parent,
                       env={"NO_COLOR": "", "FORCE_COLOR": "", **env})
    assert done.returncode == 0, done.stderr
    assert (ESCAPE in done.stdout, bool(COLOUR.search(done.stdout))) == (escapes, colour)


def test_exit_codes_are_as_documented(tracker, kz):
    assert tracker("report").exit_code == 0
    assert tracker("show", "kz-no-such-promise", code=1).exit_code == 1
    assert tracker("report", "--as-of", "2019-13-01", code=2).exit_code == 2
    readme = (REPO / "docs/usage.md").read_text()
    codes = readme[readme.index("### Exit codes"):]
    for code in ("- `0`", "- `1`", "- `2`"):
        assert code in codes


def test_the_human_format_is_table_everywhere_and_text_still_works(tracker, kz, tmp_path):
    """`check` and `import` called it `text`; scripts that say so get the same output as `table`."""
    for name, command in [*cli.commands.items(), *cli.commands["import"].commands.items()]:
        option = next((p for p in command.params if p.name == "fmt"), None)
        if option is not None and name != "export":
            assert "table" in option.type.choices and "text" not in option.type.choices, name
            assert "--format [table" in tracker(*(["import"] if name in ("promises", "events") else []), name,
                                                 "--help").stdout, name
    check = [tracker("check", "--as-of", "2019-09-30", "--format", fmt) for fmt in ("table", "text")]
    assert check[0].stdout == check[1].stdout == "" and check[0].stderr == check[1].stderr
    rows = tmp_path / "events.csv"
    rows.write_text("date,title\n2019-09-21,Detained\n2019-09-22,Released\n", encoding="utf-8")
    imported = [tracker("import", "events", str(rows), "--set", "country=KZ", "--dry-run", "--format", fmt).stdout
                for fmt in ("table", "text")]
    assert imported[0] == imported[1] == "kz-2019-09-21-detained\nkz-2019-09-22-released\n"  # would be written
