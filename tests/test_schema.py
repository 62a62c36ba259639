"""JSON Schemas: built from the field table, shipped, named by every file the tool writes, and true to the records."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import tomli
from helpers import SHIPPED

from tracker import layout, schema

KINDS = ("promise", "event", "config")


def as_json(value: Any) -> Any:
    """TOML's dates become ISO strings, as a TOML language server hands them to the schema."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def kind_of(path: Path) -> str:
    parts = path.parts[path.parts.index("records") + 1:]
    return "config" if parts == ("tracker.toml",) else layout.kind_of_place(parts) or ""


def with_schema(paths: list[Path]) -> list[Path]:
    """The files that name a schema: promises, events and settings (a statement, rating or link file is a
    few lines of a table that the promise's schema describes)."""
    return [path for path in paths if kind_of(path) in ("config", "promise", "event")]


def validator(kind: str) -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(json.loads(schema.shipped(kind)))


@pytest.mark.parametrize("kind", KINDS)
def test_shipped_schema_is_the_one_built_from_the_field_table(kind):
    assert schema.shipped(kind) == schema.text(kind), \
        "the field table changed: run python -c 'from tracker.schema import rebuild; rebuild()'"
    jsonschema.Draft7Validator.check_schema(json.loads(schema.shipped(kind)))
    assert (SHIPPED / "schema" / schema.file_name(kind)).read_text(encoding="utf-8") == schema.text(kind)


def test_every_shipped_record_is_valid_and_names_its_schema():
    files = with_schema(sorted(SHIPPED.rglob("*.toml")))
    assert len(files) >= 7
    for path in files:
        text = path.read_text(encoding="utf-8")
        first = text.splitlines()[0]
        assert first.startswith("#:schema "), path
        assert (path.parent / first.split(" ", 1)[1]).resolve() == SHIPPED / "schema" / schema.file_name(kind_of(path))
        errors = list(validator(kind_of(path)).iter_errors(as_json(tomli.loads(text))))
        assert errors == [], f"{path}: {[e.message for e in errors]}"


@pytest.mark.parametrize("change, message", [
    ({"ratings": [{"date": "2020-05", "verdict": "maybe", "rationale": "x"}]}, "'maybe' is not one of"),
    ({"country": "Kazakhstan"}, "does not match"),
    ({"statements": []}, "should be non-empty"),
    ({"titel": "typo"}, "Additional properties are not allowed"),
])
def test_schema_refuses_what_check_refuses(change, message):
    data = as_json(tomli.loads((SHIPPED / "kz" / "promises" / "kz-assembly-law.toml").read_text(encoding="utf-8")))
    errors = [e.message for e in validator("promise").iter_errors(data | change)]
    assert any(message in e for e in errors), errors


def test_schema_command_prints_the_shipped_schema(tracker):
    for kind in KINDS:
        assert json.loads(tracker("schema", kind).stdout) == json.loads(schema.shipped(kind))
    assert tracker("schema", "rating", code=2).exit_code == 2


def test_written_files_name_a_schema_that_is_there(tracker, records):
    tracker("add-promise", "--country", "KZ", "--official", "A. Official", "--title", "Free assembly",
            "--date", "2019-06", "--id", "kz-free-assembly")
    tracker("add-event", "--country", "KZ", "--date", "2019-09-21", "--title", "Rally broken up",
            "--contradicts", "kz-free-assembly", "--detained", "10")
    written = with_schema(sorted(records.rglob("*.toml")))
    assert sorted(kind_of(p) for p in written) == ["config", "event", "promise"]
    assert [kind_of(p) for p in records.rglob("*.toml") if p not in written] == ["link"]
    for path in written:
        text = path.read_text(encoding="utf-8")
        target = (path.parent / text.splitlines()[0].removeprefix("#:schema ")).resolve()
        assert target.read_text(encoding="utf-8") == schema.text(kind_of(path))
        assert list(validator(kind_of(path)).iter_errors(as_json(tomli.loads(text)))) == []
    assert "0 errors, 0 warnings" in tracker("check").stderr



@pytest.mark.parametrize("kind", ["config", "event", "promise", "term"])
def test_the_schema_of_this_version_is_listed_as_one_tracker_wrote(kind):
    """So that the next version's migrate may replace it in a records directory: add the hash when it fails."""
    digest = hashlib.sha256(schema.text(kind).encode("utf-8")).hexdigest()
    assert schema.is_ours(schema.text(kind).encode("utf-8"), kind), f"add {digest} to schema.WRITTEN[{kind!r}]"
