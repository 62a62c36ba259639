"""JSON Schema for the record files, built from the field table in tracker/fields.py.

The built schemas are shipped in tracker/schemas/ (a test keeps them in step
with the table) and copied into each records directory's schema/ folder, which
every file the tool writes names in its first line, `#:schema ...`: the
convention TOML language servers (taplo, Even Better TOML) read, so an editor
checks a record while a person types it.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from .fields import RECORDS, Field

SCHEMA_FOLDER = "schema"  # inside a records directory
PATTERNS = {
    "date": "^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$",
    "slug": "^[a-z0-9]+(-[a-z0-9]+)*$",
    "country": "^[A-Za-z]{2}$",
    "url": "^[Hh][Tt][Tt][Pp][Ss]?://[^\\s/?#]+[^\\s]*$",
    "line": "^[^\\n\\r]*$",
}
TITLES = {"promise": "A promise record", "event": "An event record", "term": "A term of office",
          "config": "A records directory's tracker.toml"}
# How far a file of each kind sits below the records directory: CC/promises/ID.toml, CC/events/YYYY/MM/ID.toml
# (an event dated to a year alone is one folder higher: see header's depth), CC/terms/ID.toml.
DEPTH = {"promise": 2, "event": 4, "term": 2, "config": 0}


def file_name(kind: str) -> str:
    return f"{kind}.schema.json"


def schema_of(kind: str) -> dict[str, Any]:
    """The JSON Schema (draft 7, which editors support widely) for one kind of file."""
    return {"$schema": "http://json-schema.org/draft-07/schema#", "title": TITLES[kind], **_table(RECORDS[kind])}


def text(kind: str) -> str:
    return json.dumps(schema_of(kind), indent=2, ensure_ascii=False) + "\n"


def shipped(kind: str) -> str:
    """The schema as shipped inside the package."""
    return resources.files("tracker").joinpath("schemas", file_name(kind)).read_text(encoding="utf-8")


def rebuild() -> None:
    """Rewrite the shipped schemas after a change to the field table (a test says when)."""
    folder = resources.files("tracker").joinpath("schemas")
    for kind in RECORDS:
        with resources.as_file(folder.joinpath(file_name(kind))) as path:
            path.write_text(text(kind), encoding="utf-8")


def is_ours(content: bytes, kind: str) -> bool:
    """Whether content is a schema of this kind as some version of tracker wrote it."""
    try:
        found = json.loads(content)
    except ValueError:
        return False
    return isinstance(found, dict) and found.get("title") == TITLES[kind] \
        and found.get("$schema") == "http://json-schema.org/draft-07/schema#"


def header(kind: str, depth: int | None = None) -> str:
    """The first line of a file the tool writes: where its schema is, relative to the file
    (depth folders below the records directory; by default where files of its kind usually are)."""
    return f"#:schema {'../' * (DEPTH[kind] if depth is None else depth)}{SCHEMA_FOLDER}/{file_name(kind)}\n"


def _table(fields: tuple[Field, ...]) -> dict[str, Any]:
    # Unknown fields are flagged, as `tracker check` warns of them: most are misspelt known ones.
    required = [f.name for f in fields if f.required]
    return {"type": "object", "properties": {f.name: _property(f) for f in fields},
            **({"required": required} if required else {}), "additionalProperties": False}


def _property(field: Field) -> dict[str, Any]:
    schema: dict[str, Any] = {"description": field.help}
    if field.kind in ("text", "line", "slug", "country", "date"):
        schema["type"] = "string"
        if field.kind in PATTERNS:
            schema["pattern"] = PATTERNS[field.kind]
        if field.kind in ("text", "line") and field.required:
            schema["minLength"] = 1
    elif field.kind == "texts":
        schema |= {"type": "array", "items": {"type": "string"}}
    elif field.kind == "urls":
        schema |= {"type": "array", "items": {"type": "string", "pattern": PATTERNS["url"]}}
    elif field.kind in ("integer", "number", "boolean"):
        schema["type"] = field.kind
    elif field.kind == "table":
        schema |= _table(field.fields)
    else:  # tables
        schema |= {"type": "array", "items": _table(field.fields)}
        if field.required:
            schema["minItems"] = 1
    if field.choices:
        schema["enum"] = list(field.choices)
    if field.minimum is not None:
        schema["minimum"] = field.minimum
    if field.maximum is not None:
        schema["maximum"] = field.maximum
    return schema
