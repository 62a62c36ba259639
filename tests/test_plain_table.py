"""A long report's table is drawn as plain text, and looks exactly as Rich draws it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rich.cells import cell_len
from test_terminal_safety import MARKUP, assert_inert, hostile_records

from benchmarks.generate import generate
from tracker import render


def many_promises(root: Path) -> Path:
    """Promises in many scripts, restated, rated by editors, and one whose every field is hostile."""
    generate(root, promises=60, events=150, countries=3, seed=1)
    (root / "kz" / "events" / "2019").mkdir(parents=True, exist_ok=True)
    (root / "kz" / "promises").mkdir(parents=True, exist_ok=True)
    hostile_records(root)
    return root


def report(tracker, monkeypatch, root: Path, plain: bool, *options: str) -> str:
    monkeypatch.setattr(render, "PLAIN_TABLE_ROWS", 0 if plain else 10**9)
    return tracker("--records", str(root), *options, "report", "--as-of", "2026-01-01").stdout


@pytest.mark.parametrize("columns", [40, 80, 99, 100, 132])
def test_plain_table_matches_rich(tracker, tmp_path, monkeypatch, columns):
    """Same characters, line for line; at 40 columns, too narrow for it, Rich draws the table."""
    monkeypatch.setenv("COLUMNS", str(columns))
    root = many_promises(tmp_path / "records")
    plain = report(tracker, monkeypatch, root, True)
    assert plain == report(tracker, monkeypatch, root, False)
    assert_inert(plain)
    if columns >= 80:
        assert MARKUP.split()[0] in plain  # shown as written
        widths = {cell_len(line) for line in plain.splitlines()[:-1]}
        assert len(widths) == 1 and widths.pop() <= columns


def test_plain_table_in_colour_shows_the_same_text(tracker, tmp_path, monkeypatch):
    """With --color the styles are the console's own; only where they start and stop on blank padding differs."""
    monkeypatch.setenv("COLUMNS", "120")
    root = many_promises(tmp_path / "records")
    plain = report(tracker, monkeypatch, root, True, "--color")
    rich = report(tracker, monkeypatch, root, False, "--color")
    assert "\x1b[1;31mbroken" in plain
    strip = re.compile("\x1b\\[[0-9;]*m")
    assert strip.sub("", plain) == strip.sub("", rich)
    assert_inert(strip.sub("", plain))
