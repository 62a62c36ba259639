"""The fields of each record file, declared once.

validate reads the field names from here (anything else is an unknown field),
and schema turns the same table into the JSON Schema that editors check files
against, so the two cannot drift apart.
"""

from __future__ import annotations

from typing import NamedTuple

from .vocabulary import COUNTS, MAX_COUNT, STANCES, VERDICTS, WEIGHED

# The kinds of value a field may hold; schema.py says what each one is in JSON Schema.
KINDS = ("text", "line", "slug", "country", "texts", "urls", "date", "integer", "number", "boolean", "table", "tables")

MAX_STALL_DAYS = 36_500  # a century: any longer window is a typo, and would overflow date arithmetic
MAX_MULTIPLIER = 100  # twenty-five times the heaviest default: any more is a typo, and weights stay finite


class Field(NamedTuple):
    """One field of a record. A named tuple, not a dataclass: the command line reads these to word its
    help, and `tracker --version` need not import dataclasses."""

    name: str
    kind: str
    help: str
    required: bool = False
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] = ()
    fields: tuple[Field, ...] = ()  # the inner fields of a table, or of each table in a list


def names(fields: tuple[Field, ...]) -> tuple[str, ...]:
    return tuple(f.name for f in fields)


ID = Field("id", "slug", "The record's ID; it must equal the file name without .toml.")
COUNTRY = Field("country", "country", "ISO 3166-1 alpha-2 code, such as KZ.", required=True)
SOURCE_ID = Field("source_id", "text", "The row's ID in the dataset it was imported from; re-imports match on it.")
SOURCES = Field("sources", "urls", "Web addresses (http or https) that report it.")

STATEMENT = (
    Field("date", "date", "When it was said: YYYY-MM-DD, or \"YYYY-MM\" / \"YYYY\" when only that is known.",
          required=True),
    SOURCES,
    Field("quote", "text", "The words used, quoted from the source."),
    Field("venue", "text", "Where it was said."),
)

RATING = (
    Field("date", "date", "When the verdict was reached.", required=True),
    Field("verdict", "text", "The editorial verdict.", required=True, choices=VERDICTS),
    Field("rationale", "text", "Why, in a sentence or two.", required=True),
    Field("by", "text", "Who rated it."),
    Field("sources", "urls", "Web addresses (http or https) of what the verdict rests on."),
)

PROMISE = (
    Field("kind", "text", "Always \"promise\" (optional).", choices=("promise",)),
    ID,
    COUNTRY,
    Field("official", "text", "The person who made the pledge.", required=True),
    Field("office", "text", "The official's office, such as President."),
    Field("title", "line", "The pledge in one line.", required=True),
    Field("text", "text", "The pledge in full."),
    Field("topics", "texts", "Topic tags, such as assembly."),
    Field("deadline", "date", "The date by which it was to be kept."),
    Field("statements", "tables", "Each time the pledge was made or restated; the first one made it.",
          required=True, fields=STATEMENT),
    Field("ratings", "tables", "Editorial verdicts; the latest one by the as-of date overrides the computed one.",
          fields=RATING),
    SOURCE_ID,
)

LINK = (
    Field("promise", "slug", "The ID of the promise this event bears on.", required=True),
    Field("stance", "text", "How the event bears on the promise.", required=True, choices=tuple(STANCES)),
    Field("note", "text", "Why, in a few words."),
    Field("severity", "integer", "Gravity for this promise, from 1 to 5 (default: the event's).", minimum=1,
          maximum=5),
)

EVENT = (
    ID,
    COUNTRY,
    Field("date", "date", "When it happened: YYYY-MM-DD, or \"YYYY-MM\" / \"YYYY\" when only that is known.",
          required=True),
    Field("title", "line", "What happened, in one line.", required=True),
    Field("kind", "slug", "detention, fine, violence, legal-change, statement, permitted-protest, ..."),
    Field("location", "text", "Where it happened."),
    Field("actors", "texts", "Who took part: the people, groups or forces involved, such as ACLED's actors."),
    Field("counts", "table", "How many people were affected.",
          fields=tuple(Field(name, "integer", f"How many people were {name}.", minimum=0,
                               maximum=MAX_COUNT) for name in COUNTS)),
    Field("severity", "integer", "Gravity from 1 to 5 (default 1).", minimum=1, maximum=5),
    SOURCES,
    Field("notes", "text", "Free notes."),
    Field("links", "tables", "The promises this event bears on.", fields=LINK),
    SOURCE_ID,
)

CONFIG = (
    Field("auto_commit", "boolean", "Commit every write to git."),
    Field("scoring", "table", "The scoring method's settings.", fields=(
        Field("stall_days", "integer", "The window, in days, for in-progress and stalled.", minimum=1,
              maximum=MAX_STALL_DAYS),
        Field("term_due", "boolean", "A promise with no deadline falls due at the end of the term it was made for."),
        Field("multipliers", "table", "Each stance's weight multiplier.",
              fields=tuple(Field(name, "number", STANCES[name].meaning, minimum=0, maximum=MAX_MULTIPLIER)
                           for name in WEIGHED)),
    )),
)

TERM = (
    ID,
    COUNTRY,
    Field("official", "text", "The official, named as on their promises.", required=True),
    Field("office", "text", "The office held, such as President."),
    Field("start", "date", "The first day of the term.", required=True),
    Field("end", "date", "The last day of the term; leave it out while the term runs."),
    SOURCES,
)

RECORDS = {"promise": PROMISE, "event": EVENT, "term": TERM, "config": CONFIG}

# What `tracker import` can fill, flattened: a promise's date, sources, quote and venue go to the
# statement that made it; an event's counts are named on their own.
LIST_TARGETS = ("topics", "sources", "actors")
ONE_LINE_TARGETS = {kind: tuple(f.name for f in RECORDS[kind] if f.kind == "line") for kind in ("promise", "event")}
TARGETS = {
    "promise": ("id", "source_id", "country", "official", "office", "title", "text", "topics", "deadline",
                "date", "sources", "quote", "venue"),
    "event": ("id", "source_id", "country", "date", "title", "kind", "location", "actors", "severity", "sources",
              "notes", *COUNTS),
}
