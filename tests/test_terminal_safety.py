"""Record text is untrusted: in every human output it is shown, never obeyed.

Rich markup is printed literally; escape and control bytes and direction overrides are
made visible; long and wide text keeps tables whole and aligned.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import tomli_w
from rich.cells import cell_len

MARKUP = "[bold red]loud[/bold red] [link=file:///etc/passwd]click[/link]"
ESCAPES = "\x1b[2J\x1b[31mred\x1b]8;;https://evil.example\x07link\x1b]8;;\x07 bell\x07 back\x08\x08 cr\rover"
BIDI = "\u202etxt.exe\u202c \u2066iso\u2069 \u200fmark \u061c"
HIDDEN = "tag\U000e0041\U000e0042 annotation\ufff9a\ufffbb"
WIDE = "集会自由の改革 Реформа закона о мирных собраниях"
COMBINING = "Zalgo: Z\u0351\u036b\u0343a\u0342l\u0350g\u0366o\u0306 e\u0301\u0301\u0301"
LONG = "An extraordinarily long title " * 20 + "Unbroken" * 40

# Raw bytes that must never reach a terminal (the visible escapes such as "\x1b" are fine).
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufff9-\ufffb"
                 "\U000e0000-\U000e007f]")


def hostile_records(root: Path, escapes: str = "\u202e") -> None:
    """A promise and an event whose every free-text field is hostile. Control characters (ESCAPES) are
    refused in record text, so by default the records carry a direction override in their place."""
    ESCAPES = escapes  # noqa: N806 - the text each field carries
    promise = {
        "id": "kz-hostile", "country": "KZ", "official": MARKUP + " " + COMBINING, "office": BIDI,
        "title": f"{ESCAPES} {BIDI} {WIDE} {HIDDEN} {LONG}", "text": f"{MARKUP}\n{ESCAPES}", "topics": [MARKUP],
        "statements": [{"date": "2019-06", "sources": ["https://example.org/a"], "quote": ESCAPES, "venue": WIDE}],
        "ratings": [{"date": "2019-08", "verdict": "broken", "rationale": MARKUP + ESCAPES, "by": BIDI}],
    }
    event = {
        "id": "kz-2019-07-hostile", "country": "KZ", "date": "2019-07",
        "title": f"{MARKUP} {WIDE} {COMBINING} {ESCAPES}",
        "kind": "detention", "location": BIDI, "notes": f"{MARKUP}\n{HIDDEN}", "sources": ["https://example.org/b"],
        "links": [{"promise": "kz-hostile", "stance": "contradicts", "note": ESCAPES + MARKUP}],
    }
    (root / "kz" / "promises" / "kz-hostile.toml").write_text(tomli_w.dumps(promise), encoding="utf-8")
    (root / "kz" / "events" / "2019" / "kz-2019-07-hostile.toml").write_text(tomli_w.dumps(event), encoding="utf-8")


def assert_inert(text: str) -> None:
    """Nothing raw gets through, and the markup is shown as written."""
    found = RAW.findall(text)
    assert not found, f"raw control characters reached the output: {found!r}"


COMMANDS = [
    ("report", "--as-of", "2020-01-01"),
    ("list",),
    ("list", "events"),
    ("show", "kz-hostile", "--as-of", "2020-01-01"),
    ("show", "kz-2019-07-hostile"),
    ("check", "--as-of", "2020-01-01"),
]


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
@pytest.mark.parametrize("columns", ["80", "120"])
def test_hostile_text_is_shown_not_obeyed(tracker, kz, monkeypatch, args, columns):
    monkeypatch.setenv("COLUMNS", columns)
    hostile_records(kz)
    result = tracker(*args)
    assert_inert(result.stdout)
    assert_inert(result.stderr)
    if args[0] != "check":
        # Shown as written (table cells may wrap, so look for short pieces).
        for piece in ("\\u202e", "[bold"):
            assert piece in result.stdout, piece


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_hostile_text_stays_inert_in_colour(tracker, kz, args):
    """With colour forced on, the only escapes are Rich's own styles (ESC [ ... m)."""
    hostile_records(kz)
    result = tracker("--color", *args)
    for stream in (result.stdout, result.stderr):
        assert_inert(re.sub(r"\x1b\[[0-9;]*m", "", stream))


def test_control_characters_are_refused_in_every_text_field_and_shown_inert(tracker, kz):
    hostile_records(kz, ESCAPES)
    result = tracker("check", "--as-of", "2020-01-01", code=1)
    assert_inert(result.stderr)
    refused = re.findall(r"toml:\d+: (\S+): holds the control character U\+001B", result.stderr)
    assert sorted(refused) == ["links[0].note", "ratings[0].rationale", "statements[0].quote", "text", "title",
                              "title"], result.stderr
    assert "hint: delete the character" in result.stderr


def test_problem_messages_are_inert(tracker, kz):
    """File names, unknown keys and excerpts in `check` come from strangers too."""
    evil = kz / "kz" / "events" / "2019" / "kz-\x1b[2J\u202e.toml"
    evil.write_text('"\\u001b[31m[bold]key" = 1\ntitle = "\x1b[2J"\n', encoding="utf-8")
    (kz / "kz" / "events" / "2019" / "kz-2019-ok.toml").write_text(
        'country = "KZ"\ndate = 2019-05-01\ntitle = "ok"\n"[red]\\u202e" = 1\n', encoding="utf-8")
    result = tracker("check", code=1)
    assert_inert(result.stderr)
    assert "kz-\\x1b[2J\\u202e.toml" in result.stderr
    assert "warning: [red]\\u202e: unknown field" in result.stderr


def table_lines(output: str) -> list[str]:
    """The table's lines: everything but the closing count or tally line."""
    lines = output.splitlines()
    return lines[:-1]


@pytest.mark.parametrize("columns", [80, 100, 132])
@pytest.mark.parametrize("args", [("report", "--as-of", "2020-01-01"), ("list",), ("list", "events")], ids=" ".join)
def test_tables_stay_aligned(tracker, kz, monkeypatch, columns, args):
    """Wide, combining and very long text: every line of the table has the same display width."""
    monkeypatch.setenv("COLUMNS", str(columns))
    hostile_records(kz)
    lines = table_lines(tracker(*args).stdout)
    widths = {cell_len(line) for line in lines}
    assert len(widths) == 1 and widths.pop() <= columns, "\n".join(f"{cell_len(line):4} {line}" for line in lines)
    if args[0] == "report":  # long text wraps inside its cell: nothing is lost
        assert "Unbroken" * 4 in "".join(line.strip() for line in lines).replace(" ", "")


# ---------------------------------------------------------------------------
# Record text is printed literally: no markup, no escape codes, in every human output.

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
