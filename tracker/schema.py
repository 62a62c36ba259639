"""JSON Schema for the record files, built from the field table in tracker/fields.py.

The built schemas are shipped in tracker/schemas/ (a test keeps them in step
with the table) and copied into each records directory's schema/ folder, which
every file the tool writes names in its first line, `#:schema ...`: the
convention TOML language servers (taplo, Even Better TOML) read, so an editor
checks a record while a person types it.
"""

from __future__ import annotations

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

# The SHA-256 of each version of each schema that tracker has shipped (and so written into records
# directories): migrate replaces a schema file only when it is one of these, never one a person edited.
# tests/test_schema.py fails, naming the hash to add, when the current schema is not listed.
WRITTEN: dict[str, frozenset[str]] = {
    "config": frozenset({
        "13f6cd530e98f6957fc01539e6a4adf4949b382876a9ec066dc17aa3d85b187c",
        "32a4f934c61ebb63830d52dd301b30304364a0bcd8a2044d32b83d578a99c58e",
        "aef51f9095f146c23593225d2fa764d139d0345f5ec42cda8484aeadfde6b09b",
        "b1b28178ff33e6c7b715cd1f86efcc3e84352d6f6fd9dcc9612879b0625dd6d7",
        "f04c4e8d8242584d450b3a3d3f8b5d033ec47d0c8fca6b68eca0f4b37e6eefc9",
        "fe63e82557dfb7c1de2e634dd47cc29f88c757b4da833a4dd1fa57e7de8acde3",
    }),
    "event": frozenset({
        "1616976e6ed169a569d73ec4829ee245840adaac1f26fab44fb88fadcbe776f8",
        "47cd5cddcf58dd0f9c7137abad32b3a022a97a4367fe9cff68705a002aff015c",
        "4d178dfee7f333fe2d5219932885100cd0115e3bbd22f280f897d94fa90264ec",
        "60e2ea4d930360e7b4da1b2e71a5198c592d1c4cb94a3ceb83b147219e46150e",
        "7a1e46a9317d2d46e6e7b79c39c46b9b1f199f31644e72278f40c62347184f8e",
        "992d2d950d3251d6c7f5c15d9bfe6b1b1c9aecbc1465ac36520670b7813d21d5",
        "9fc81a5b4814557d519e8eb233c0da1cadfb68811d4040601bdb2860ea82a306",
        "de211de2b31c591e666e267404b1a9995048c49b64e309b739bb0aef242ccee9",
    }),
    "promise": frozenset({
        "20c4022c4281d17d4e083a616c30357033cb1c4a4a51eac1fc10d09835ce2c20",
        "e8714d42d8cad9a2c7ae603f63f78877176ae36c722c48c0a66098fb79751313",
    }),
    "term": frozenset({
        "83e585d93e20f9e49c4b269fd378d42f7a5b999a75b6955587cc3e63d9a580a2",
        "9d548a9c70a3e922bd6b3a6558ef702a590f8a2740a07f0c22a7503c1b6cf63e",
    }),
}


def file_name(kind: str) -> str:
    return f"{kind}.schema.json"


def schema_of(kind: str) -> dict[str, Any]:
    """The JSON Schema (draft 7, which editors support widely) for one kind of file."""
    return {"$schema": "http://json-schema.org/draft-07/schema#", "title": TITLES[kind], **_table(RECORDS[kind])}


def text(kind: str) -> str:
    import json  # json and importlib.resources only where a schema's text is made or read: not on every write

    return json.dumps(schema_of(kind), indent=2, ensure_ascii=False) + "\n"


def shipped(kind: str) -> str:
    """The schema as shipped inside the package."""
    from importlib import resources

    return resources.files("tracker").joinpath("schemas", file_name(kind)).read_text(encoding="utf-8")


def rebuild() -> None:
    """Rewrite the shipped schemas after a change to the field table (a test says when)."""
    from importlib import resources

    folder = resources.files("tracker").joinpath("schemas")
    for kind in RECORDS:
        with resources.as_file(folder.joinpath(file_name(kind))) as path:
            path.write_text(text(kind), encoding="utf-8")


def is_ours(content: bytes, kind: str) -> bool:
    """Whether content is a schema of this kind exactly as some version of tracker wrote it."""
    import hashlib  # only refreshing the schema files pays for it (a write does not: tracker.layout.sha256)

    return hashlib.sha256(content).hexdigest() in WRITTEN[kind]


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
