"""Column mappings for well-known datasets, chosen with `tracker import events --preset NAME`.

ACLED (Armed Conflict Location & Event Data) exports one event per row. Its
`time_precision` says how well the date is known: 1, the day itself; 2, a
span of days around it (a week or a weekend); 3, only a month or a longer span.
A record must never claim more precision than its source, so the date is
kept as a day for 1, cut to its month for 2, and cut to its year for 3. A
partial date counts from its last day (see docs/method.md), so an event known
only roughly is never counted before it can have happened.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

from .importing import RowError, country_code, text_value
from .store import slugify


def acled(row: dict[str, Any]) -> dict[str, Any]:
    """One ACLED row as record fields; `--field` and `--set` may still override any of them."""
    kind = text_value(row.get("sub_event_type") or row.get("event_type") or "")
    place = ", ".join(dict.fromkeys(text_value(row[k]) for k in ("location", "admin1") if row.get(k)))
    notes = text_value(row.get("notes") or "")
    if row.get("source"):
        notes += ("\n\n" if notes else "") + f"ACLED sources: {text_value(row['source'])}"
    return {
        "source_id": row.get("event_id_cnty"),
        "date": acled_date(text_value(row.get("event_date") or ""), text_value(row.get("time_precision") or "1")),
        "kind": slugify(kind) or None,
        "title": f"{kind} in {place}" if kind and place else kind or None,
        "country": country_code(row["iso"]) if row.get("iso") not in (None, "", "0") else row.get("country"),
        "location": place or None,
        "killed": row.get("fatalities"),
        "notes": notes or None,
    }


def acled_date(value: str, precision: str) -> str:
    """ACLED's date (2019-09-21, or 21 September 2019 in older exports) at the precision its source gives."""
    for pattern in ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d/%m/%Y"):
        try:
            day = dt.datetime.strptime(value.strip(), pattern).date()
            break
        except ValueError:
            continue
    else:
        return value  # not a date: validate refuses the row and names the value
    cut = {"1": 10, "2": 7, "3": 4}.get(precision.strip())
    if cut is None:
        raise RowError(f"time_precision is {precision!r}; ACLED uses 1, 2 or 3")
    return day.isoformat()[:cut]


PRESETS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {"acled": acled}
