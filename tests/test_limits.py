"""Values a person could not have meant are refused where they are read, with the file, the line and a hint:
non-finite or huge multipliers, oversized counts, control characters, Windows-reserved IDs, folders that differ
only by case, paths too deep to walk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

CONFIG = "records/tracker.toml"
EVENT = "records/kz/events/2019/kz-2019-09-21-dvk-rally.toml"


def replace_in(path: str, old: str, new: str) -> None:
    file = Path(path)
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "+inf", "1e308", "101", "-1"])
def test_a_multiplier_must_be_finite_and_from_0_to_100(tracker, kz, value):
    replace_in(CONFIG, "fulfills = 4", f"fulfills = {value}")
    error = tracker("check", code=1).stderr
    assert f"{CONFIG}:11: scoring.multipliers.fulfills: must be a number from 0 to 100, got" in error
    assert f"  11 | fulfills = {value}\n  hint: the defaults run from 1 to 4" in error
    tracker("report", "--format", "json", code=1)


def test_a_multiplier_of_100_is_allowed_and_json_stays_finite(tracker, kz):
    replace_in(CONFIG, "contradicts = 1", "contradicts = 100")
    data = tracker("report", "--format", "json").stdout
    json.loads(data, parse_constant=lambda name: pytest.fail(f"{name} in JSON output"))
