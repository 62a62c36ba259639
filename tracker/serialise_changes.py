"""Serialisation of what changed: `tracker diff` and `tracker history` as plain data, lines of text and
Markdown. Nothing here draws for a terminal (see render_changes).

Record text is untrusted here as everywhere: Markdown cells go through serialise's escaping, and
mentions are made inert.
"""

from __future__ import annotations

import re
from typing import Any

from .changes import Step
from .compare import PromiseDiff, summary
from .revisions import Revision
from .score import Evidence
from .serialise import markdown_cell, number, rating_dict

ARROW = "→"


# ---------------------------------------------------------------------------
# diff

def evidence_dict(e: Evidence) -> dict[str, Any]:
    return {"event": e.event.id, "date": str(e.event.date), "title": e.event.title, "stance": e.link.stance,
            "weight": number(e.weight), "scored": e.scored}


def change_dict(c: PromiseDiff) -> dict[str, Any]:
    return {"id": c.id, "title": c.title, "change": c.kind, "verdict_changed": c.verdict_changed,
            "verdict": {"before": c.verdicts[0], "after": c.verdicts[1]},
            "score": {"before": c.scores[0], "after": c.scores[1]},
            "evidence_added": [evidence_dict(e) for e in c.evidence_added],
            "evidence_removed": [evidence_dict(e) for e in c.evidence_removed],
            "statements_added": [str(d) for d in c.statements_added],
            "statements_removed": [str(d) for d in c.statements_removed],
            "ratings_added": [rating_dict(r) for r in c.ratings_added],
            "ratings_removed": [rating_dict(r) for r in c.ratings_removed]}


def diff_dict(changes: list[PromiseDiff], sides: tuple[dict[str, Any], dict[str, Any]], as_of: Any) -> dict[str, Any]:
    return {"from": sides[0], "to": sides[1], "as_of": as_of.isoformat(), "summary": summary(changes),
            "changes": [change_dict(c) for c in changes]}


def change_lines(c: PromiseDiff) -> list[str]:
    """The evidence, statements and ratings behind a change, one `+ ...` or `- ...` line each."""
    def evidence(sign: str, e: Evidence) -> str:
        weight = f"weight {number(e.weight)}" if e.scored else "context: before the pledge"
        return f"{sign} {e.event.date} {e.event.id} {e.link.stance} ({weight}): {e.event.title}"

    def statement(d: Any) -> str:
        return f"+ {'made' if c.before is None and c.after and d == c.after.made else 'restated'} {d}"

    return [*(statement(d) for d in c.statements_added), *(f"- statement {d}" for d in c.statements_removed),
            *(evidence("+", e) for e in c.evidence_added), *(evidence("-", e) for e in c.evidence_removed),
            *(f"+ rated {r.verdict} {r.date}: {r.rationale}" for r in c.ratings_added),
            *(f"- rating {r.verdict} {r.date}: {r.rationale}" for r in c.ratings_removed)]


def pair_text(before: Any, after: Any) -> str:
    def show(value: Any) -> str:
        return "–" if value is None else str(value)

    return show(after) if before == after else f"{show(before)} {ARROW} {show(after)}"


def summary_line(changes: list[PromiseDiff], sides: tuple[str, str] | None = None, as_of: Any = None) -> str:
    """The tally of changes, and (unless a heading says it already) between what and as of when."""
    counts = summary(changes)
    names = {"verdicts_changed": "verdict(s) changed", "scores_changed": "score(s) changed",
             "added": "promise(s) added", "removed": "promise(s) removed",
             "evidence_only": "promise(s) with new evidence but the same verdict and score"}
    said = ", ".join(f"{counts[key]} {name}" for key, name in names.items() if counts[key]) or "no changes"
    return f"{said}: {sides[0]} {ARROW} {sides[1]}, as of {as_of}" if sides else f"{said}."


def diff_markdown(changes: list[PromiseDiff], sides: tuple[str, str], as_of: Any) -> str:
    """For a pull request's description: what the change does to the published verdicts."""
    lines = [f"### Verdicts: {markdown_cell(sides[0])} {ARROW} {markdown_cell(sides[1])}, as of {as_of}", ""]
    if not changes:
        return _quiet("\n".join(lines + ["No verdict, score or evidence changed."]) + "\n")
    lines += [markdown_cell(summary_line(changes)), "",
              "| Promise | Verdict | Score | Evidence |", "|---|---|---|---|"]
    for c in changes:
        kind = "" if c.kind == "changed" else f" ({c.kind})"
        promise = f"**{markdown_cell(c.id)}** {markdown_cell(c.title)}{kind}"
        before, after = (markdown_cell(v) if v else "–" for v in c.verdicts)
        verdict = f"{before} {ARROW} **{after}**" if c.verdict_changed else after
        evidence = "<br>".join(markdown_cell(line) for line in change_lines(c))
        lines.append(f"| {promise} | {verdict} | {markdown_cell(pair_text(*c.scores))} | {evidence} |")
    return _quiet("\n".join(lines) + "\n")


ZERO_WIDTH = "&#8203;"


def _quiet(markdown: str) -> str:
    """Record text pasted into a pull request must notify no one: a zero-width space after each @ and each #
    before a digit keeps `@someone` from being a mention and `#123` from being a reference, and reads the same."""
    return re.sub(r"(?<=[@#])(?=[\w-])", ZERO_WIDTH, markdown.replace("\\#", "#"))


# ---------------------------------------------------------------------------
# history

def _standing(a: Any) -> dict[str, Any]:
    if a is None:
        return {"verdict": None, "verdict_source": None, "score": None, "support": None, "against": None}
    return {"verdict": a.verdict, "verdict_source": a.verdict_source, "score": a.score,
            "support": number(a.support), "against": number(a.against)}


def steps_dict(ident: str, as_of: Any, steps: list[Step]) -> dict[str, Any]:
    return {"id": ident, "as_of": as_of.isoformat(), "by": "date",
            "steps": [{"date": s.day.isoformat(), "what": list(s.what)} | _standing(s.assessment) for s in steps]}


def revisions_dict(ident: str, revisions: list[Revision]) -> dict[str, Any]:
    return {"id": ident, "by": "revision",
            "revisions": [{"commit": r.commit.sha, "date": r.commit.date.isoformat(), "author": r.commit.author,
                           "subject": r.commit.subject, "as_of": r.as_of.isoformat(), "note": r.note}
                          | _standing(r.assessment) for r in revisions]}
