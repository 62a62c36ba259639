"""Serialisation: the plain data every command prints (dicts for JSON, rows for CSV and Markdown),
and the text of the machine formats, defined once. Nothing here draws for a terminal (see render).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from . import csvcell
from .dates import PartialDate
from .model import Event, Problem, Promise
from .score import Assessment, ratings_by, statements_by, tally
from .terminal import safe

if TYPE_CHECKING:
    import datetime as dt


def date_text(date: PartialDate | None) -> str | None:
    return str(date) if date else None


def number(value: float) -> int | float:
    """Weights print as whole numbers when they are whole."""
    return int(value) if float(value).is_integer() else value


# ---------------------------------------------------------------------------
# Plain data.

def assessment_dict(a: Assessment) -> dict[str, Any]:
    return summary_dict(a) | {
        "evidence": [{"event": e.event.id, "date": str(e.event.date), "title": e.event.title,
                      "actors": list(e.event.actors), "stance": e.link.stance, "weight": number(e.weight),
                      "scored": e.scored}
                     for e in a.evidence],
    }


def summary_dict(a: Assessment) -> dict[str, Any]:
    """Everything about an assessment but its list of evidence (which can run to thousands of events)."""
    p = a.promise
    return {
        "id": p.id, "title": p.title, "official": p.official, "office": p.office, "country": p.country,
        "topics": list(p.topics), "made": str(a.made), "statements": [str(d) for d in a.statements],
        "restatements": len(a.statements) - 1, "deadline": date_text(p.deadline),
        "due": a.due.date.isoformat() if a.due else None,
        "verdict": a.verdict, "verdict_source": a.verdict_source, "computed_verdict": a.computed_verdict,
        "reason": a.reason, "rating": rating_dict(a.rating) if a.rating else None,
        "score": a.score, "support": number(a.support), "against": number(a.against),
        "latest_evidence": date_text(a.latest_evidence),
    }


def rating_dict(rating: Any) -> dict[str, Any]:
    return {"date": str(rating.date), "verdict": rating.verdict, "rationale": rating.rationale, "by": rating.by,
            "sources": list(rating.sources)}


def report_dict(assessments: list[Assessment], as_of: Any, filters: dict[str, Any]) -> dict[str, Any]:
    return {"as_of": as_of.isoformat(), "filters": filters, "summary": tally(assessments),
            "promises": [assessment_dict(a) for a in assessments]}


CSV_COLUMNS = ("id", "title", "official", "country", "made", "restatements", "deadline", "support", "against",
               "score", "verdict", "verdict_source", "computed_verdict", "latest_evidence")


def report_rows(assessments: list[Assessment]) -> list[dict[str, Any]]:
    return [{k: v for k, v in summary_dict(a).items() if k in CSV_COLUMNS} for a in assessments]


def promise_dict(p: Promise) -> dict[str, Any]:
    return {"id": p.id, "kind": "promise", "country": p.country, "official": p.official, "office": p.office,
            "title": p.title, "text": p.text, "topics": list(p.topics), "deadline": date_text(p.deadline),
            "statements": [{"date": str(s.date), "sources": list(s.sources), "quote": s.quote, "venue": s.venue}
                           for s in p.statements],
            "ratings": [rating_dict(r) for r in p.ratings], "path": p.path}


def event_dict(e: Event) -> dict[str, Any]:
    return {"id": e.id, "kind": e.kind, "country": e.country, "date": str(e.date), "title": e.title,
            "location": e.location, "actors": list(e.actors), "counts": dict(e.counts), "severity": e.severity,
            "sources": list(e.sources), "notes": e.notes,
            "links": [{"promise": link.promise, "stance": link.stance, "note": link.note, "severity": link.severity}
                      for link in e.links], "path": e.path}


def problem_dict(p: Problem) -> dict[str, Any]:
    return {"path": p.path, "line": p.line, "level": p.level, "message": p.message, "hint": p.hint,
            "excerpt": p.excerpt}


# ---------------------------------------------------------------------------
# Machine formats.

def to_json(data: Any) -> str:
    # allow_nan=False: NaN and Infinity are not JSON, and no reader may get them; the validator keeps
    # every number finite, so this raising would be a bug, not bad input.
    return json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False)


def to_csv(rows: list[dict[str, Any]], columns: Iterable[str]) -> str:
    """Every cell through the one CSV cell rule (tracker.csvcell): no cell can become a spreadsheet formula."""
    names = list(columns)
    return csvcell.line(names) + "".join(csvcell.line(row.get(name) for name in names) for row in rows)


def to_markdown(rows: list[dict[str, Any]], columns: Iterable[str]) -> str:
    columns = list(columns)
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        lines.append("| " + " | ".join(markdown_cell(row.get(c)) for c in columns) + " |")
    return "\n".join(lines) + "\n"


def markdown_cell(value: Any) -> str:
    """Cell text that cannot break the table or inject markup or HTML."""
    if value is None:
        return ""
    text = safe(str(value))
    for char in "\\|*_`[]<>#":
        text = text.replace(char, "\\" + char)
    return text


def tally_line(counts: dict[str, int]) -> str:
    return ", ".join(f"{count} {verdict}" for verdict, count in counts.items() if count) or "no promises"


def timeline_rows(a: Assessment) -> list[tuple[str, str, str, str]]:
    """Statements, evidence and ratings in date order (as of the assessment's date)."""
    items: list[tuple[tuple[dt.date, dt.date], str, str, str, str]] = []
    for n, statement in enumerate(statements_by(a.promise, a.as_of)):
        what = ("Pledge made" if n == 0 else "Restated") + (f" at {statement.venue}" if statement.venue else "")
        what += f': "{statement.quote}"' if statement.quote else ""
        items.append((statement.date.sort_key(), str(statement.date), what, "", ""))
    for e in a.evidence:
        stance = e.link.stance if e.scored else f"{e.link.stance} (context: before the pledge)"
        items.append((e.event.date.sort_key(), str(e.event.date), f"{e.event.id}: {e.event.title}", stance,
                      str(number(e.weight)) if e.scored else "–"))
    for r in ratings_by(a.promise, a.as_of):
        items.append((r.date.sort_key(), str(r.date), f"Rated {r.verdict}" + (f" by {r.by}" if r.by else "")
                      + f": {r.rationale}", "editorial", ""))
    return [item[1:] for item in sorted(items, key=lambda item: item[0])]
