"""Record text is printed literally: no markup, no escape codes, in every human output."""

from __future__ import annotations

import json

import pytest

HOSTILE = "[bold red]Pwned[/] \u202eevil\u202c done"


@pytest.fixture
def hostile(tracker, records):
    tracker("add-promise", "--country", "KZ", "--official", "[link=http://x]Official[/link]", "--title", HOSTILE,
            "--date", "2019-06", "--id", "h")
    tracker("add-event", "--country", "KZ", "--date", "2019-07", "--title", HOSTILE, "--notes", "[i]n[/i]\u202e",
            "--id", "e", "--contradicts", "h")
    return records


@pytest.mark.parametrize("args", [["report"], ["report", "--format", "markdown"], ["show", "h"], ["show", "e"],
                                  ["list"], ["list", "events"]])
def test_markup_and_escapes_are_shown_not_obeyed(tracker, hostile, args):
    out = tracker(*args).stdout
    for forbidden in ("\x1b", "\x07", "\u202e", "\u202c"):
        assert forbidden not in out
    assert "\\u202e" in out  # the override is made visible


@pytest.mark.parametrize("colour", [[], ["--color"]])
def test_markup_is_literal_even_with_colour(tracker, hostile, colour):
    out = tracker(*colour, "show", "h").stdout
    assert "[bold red]Pwned[/]" in out
    assert "[link=http://x]Official[/link]" in out


def test_check_messages_are_safe(tracker, hostile):
    path = hostile / "kz/events/2019/07/e.toml"
    path.write_text(path.read_text().replace('country = "KZ"', 'country = "\\u001b[2J"'))
    err = tracker("check", code=1).stderr
    assert "\x1b" not in err and "country: holds the control character U+001B" in err


@pytest.mark.parametrize("args", [["add-promise", "--country", "KZ", "--official", "A", "--date", "2019"],
                                  ["add-event", "--country", "KZ", "--date", "2019-07"]])
def test_the_command_line_refuses_control_characters_by_the_rule_of_check(tracker, hostile, args):
    error = tracker(*args, "--title", "Rally \x1b[2J", code=1).stderr
    assert "title: holds the control character U+001B at character 7" in error
    assert "nothing was written" in error
    error = tracker("rate", "h", "--verdict", "kept", "--date", "2019-08", "--rationale", "ok\x07", code=1).stderr
    assert "rationale: holds the control character U+0007 at character 3" in error


def test_machine_formats_keep_text_exact(tracker, hostile):
    data = json.loads(tracker("report", "--format", "json").stdout)
    assert data["promises"][0]["title"] == HOSTILE


def test_csv_cells_cannot_become_spreadsheet_formulas(tracker, records):
    tracker("add-promise", "--country", "KZ", "--official", "=HYPERLINK(\"http://x\")", "--title", "t",
            "--date", "2019", "--id", "f")
    assert "'=HYPERLINK" in tracker("report", "--format", "csv").stdout
