"""Column mappings for well-known datasets, chosen with `tracker import events --preset NAME`.

ACLED (Armed Conflict Location & Event Data) exports one event per row, or, in
its dyadic files, one row for each pair of actors, repeating the event's ID.
Its `time_precision` says how well the date is known (ACLED codebook):

- 1: the source gives the day. The day is kept.
- 2: the source gives a span of days, such as "last week" or "the weekend";
  ACLED codes the middle of the span (or its start or end where the source
  says so). The day ACLED coded is kept: it is at most a few days off, and a
  week is too short a span to change a verdict.
- 3: the source gives only a month (or a longer span); ACLED codes a day in
  it by convention. The month is kept, so the record never claims a day that
  nobody reported; a partial date counts from its last day (see
  docs/method.md), so such an event is never counted before it happened.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .importing import RowError, as_list, country_code, parse_day, text_value
from .layout import slugify

ACLED_REQUIRED = ("event_id_cnty", "event_date", "time_precision", "country")
ACLED_ACTORS = ("actor1", "assoc_actor_1", "actor2", "assoc_actor_2")


def acled(row: dict[str, Any], date_format: str | None = None) -> dict[str, Any]:
    """One ACLED row as record fields; `--field` and `--set` may still override any of them."""
    kind = text_value(row.get("sub_event_type") or row.get("event_type") or "")
    place = ", ".join(dict.fromkeys(text_value(row[k]) for k in ("location", "admin1") if row.get(k)))
    notes = text_value(row.get("notes") or "")
    if row.get("source"):
        notes += ("\n\n" if notes else "") + f"ACLED sources: {text_value(row['source'])}"
    return {
        "source_id": row.get("event_id_cnty"),
        "date": acled_date(text_value(row.get("event_date") or ""), text_value(row.get("time_precision") or ""),
                           date_format),
        "kind": slugify(kind) or None,
        "title": f"{kind} in {place}" if kind and place else kind or None,
        "country": country_code(row["iso"]) if row.get("iso") not in (None, "", "0") else row.get("country"),
        "location": place or None,
        "actors": list(dict.fromkeys(actor for column in ACLED_ACTORS for actor in as_list(row.get(column)))),
        "killed": row.get("fatalities"),
        "notes": notes or None,
    }


def acled_date(value: str, precision: str, date_format: str | None = None) -> str:
    """ACLED's date (2019-09-21, 21 September 2019 in older exports, 21-Sep-19 once a spreadsheet has saved
    it) at the precision its source gives: the day for 1 and 2, the month for 3."""
    day = parse_day(value.strip(), date_format)
    if day is None:
        return value  # not a date: validate refuses the row and names the value
    cut = {"1": 10, "2": 10, "3": 7}.get(precision.strip())
    if cut is None:
        raise RowError(f"time_precision is {precision!r}; ACLED uses 1, 2 or 3")
    return day[:cut]


PRESETS: dict[str, Callable[[dict[str, Any], str | None], dict[str, Any]]] = {"acled": acled}
