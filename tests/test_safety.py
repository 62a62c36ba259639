"""Record text is printed literally: no markup, no escape codes, in every human output."""

from __future__ import annotations

import json

import pytest

HOSTILE = "[bold red]Pwned[/] \x1b[31mred\x1b[0m \x07bell \u202eevil\u202c done"


@pytest.fixture
def hostile(tracker, records):
    tracker("add-promise", "--country", "KZ", "--official", "[link=http://x]Official[/link]", "--title", HOSTILE,
            "--date", "2019-06", "--id", "h")
    tracker("add-event", "--country", "KZ", "--date", "2019-07", "--title", HOSTILE, "--notes", "[i]n[/i]\x1b]0;x\x07",
            "--id", "e", "--contradicts", "h")
    return records


@pytest.mark.parametrize("args", [["report"], ["report", "--format", "markdown"], ["show", "h"], ["show", "e"],
                                  ["list"], ["list", "events"]])
def test_markup_and_escapes_are_shown_not_obeyed(tracker, hostile, args):
    out = tracker(*args).stdout
    for forbidden in ("\x1b", "\x07", "\u202e", "\u202c"):
        assert forbidden not in out
    assert "\\x1b" in out  # the escape byte is made visible


@pytest.mark.parametrize("colour", [[], ["--color"]])
def test_markup_is_literal_even_with_colour(tracker, hostile, colour):
    out = tracker(*colour, "show", "h").stdout
    assert "[bold red]Pwned[/]" in out
    assert "[link=http://x]Official[/link]" in out


def test_check_messages_are_safe(tracker, hostile):
    path = hostile / "kz/events/2019/07/e.toml"
    path.write_text(path.read_text().replace('country = "KZ"', 'country = "\\u001b[2J"'))
    err = tracker("check", code=1).stderr
    assert "\x1b" not in err and "\\x1b[2J" in err


def test_machine_formats_keep_text_exact(tracker, hostile):
    data = json.loads(tracker("report", "--format", "json").stdout)
    assert data["promises"][0]["title"] == HOSTILE


def test_csv_cells_cannot_become_spreadsheet_formulas(tracker, records):
    tracker("add-promise", "--country", "KZ", "--official", "=HYPERLINK(\"http://x\")", "--title", "t",
            "--date", "2019", "--id", "f")
    assert "'=HYPERLINK" in tracker("report", "--format", "csv").stdout
