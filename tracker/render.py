"""Rich rendering: the tables and detail views a command draws for people, from `safe()` text only.

The plain data and the machine formats are in `serialise`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .model import Event
from .score import Assessment, meaning, tally
from .serialise import date_text, number, tally_line, timeline_rows
from .terminal import safe
from .vocabulary import STANCES

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

VERDICT_STYLES = {
    "kept": "bold green", "compromise": "yellow", "broken": "bold red", "contradicted": "red",
    "in-progress": "cyan", "stalled": "magenta", "not-rated": "dim",
}


# ---------------------------------------------------------------------------
# Rich tables for people.

def text_cell(value: Any, style: str | None = None) -> Text:
    from rich.text import Text

    return Text("" if value is None else safe(str(value)), style=style or "")


def lines_cell(*parts: Any, style: str | None = None) -> Text:
    """A cell of several lines, each made safe on its own."""
    from rich.text import Text

    return Text("\n".join(safe(str(part)) for part in parts if part is not None), style=style or "")


# Above this many promises the report is drawn by `plaintable` (same look, a fraction of the time);
# below it by Rich, whose layout the README shows.
PLAIN_TABLE_ROWS = 200


FIXED = ("Made", "For", "Against", "Score", "Verdict", "Latest")
# What a narrow terminal gives up first, so that no ID is broken: the latest evidence, then the two sides.
DROPPED = ((), ("Latest",), ("Latest", "For", "Against"))


@dataclass(frozen=True)
class Shape:
    """How the report table is laid out: whether the official is stacked under the promise (narrow), which
    columns are left out to fit, and the narrowest the promise column may be (its longest ID)."""

    narrow: bool
    shown: tuple[str, ...]
    promise_width: int


def report_table(assessments: list[Assessment], console: Console) -> list[str]:
    """The table and the tally; returns the columns left out to fit the terminal (for a note on stderr)."""
    shape = _report_shape(assessments, console.width)
    if len(assessments) <= PLAIN_TABLE_ROWS or not _plain_report_table(assessments, console, shape):
        _rich_report_table(assessments, console, shape)
    console.print(tally_line(tally(assessments)))
    return [name.lower() for name in FIXED if name not in shape.shown]


def _report_shape(assessments: list[Assessment], width: int) -> Shape:
    """The first layout, from the fullest, in which no ID has to be broken. Below 100 columns the official
    moves into the promise cell; then columns are left out. It is worked out by plaintable's copy of
    Rich's layout rule, so both renderers draw the same table."""
    from rich.cells import cell_len

    from .plaintable import layout

    promise_width = max([12, *(cell_len(safe(a.promise.id)) for a in assessments)])
    shapes = [Shape(narrow, tuple(n for n in FIXED if n not in dropped), promise_width)
              for dropped in DROPPED for narrow in ((False, True) if width >= 100 else (True,))]
    for shape in shapes:
        if layout(_plain_columns(shape), [_plain_report_row(a, shape) for a in assessments], width) is not None:
            return shape
    # Narrower than an ID beside the verdict: every column is kept, and the ID folds.
    return Shape(True, FIXED, 12)


def _rich_report_table(assessments: list[Assessment], console: Console, shape: Shape) -> None:
    from rich import box
    from rich.table import Table

    # Fixed-width columns never wrap. Below 100 columns the official moves into the promise cell,
    # so that the table still fits 80 columns without cropping a date or a verdict.
    narrow = shape.narrow
    table = Table(box=box.SIMPLE_HEAD, header_style="bold", show_edge=False, pad_edge=False, padding=(0, 1),
                  collapse_padding=True)
    table.add_column("Promise", overflow="fold", min_width=shape.promise_width)
    if not narrow:
        table.add_column("Official", overflow="fold", max_width=24)
    for name in shape.shown:
        table.add_column(name, no_wrap=True, justify="right" if name in ("For", "Against", "Score") else "left")
    for a in assessments:
        promise = text_cell(a.promise.id, "bold")
        promise.append("\n" + safe(a.promise.title))
        if narrow:
            promise.append("\n" + safe(a.promise.official), style="dim")
        restated = f"+{len(a.statements) - 1} more" if len(a.statements) > 1 else None
        verdict = text_cell(a.verdict, VERDICT_STYLES[a.verdict])
        if a.verdict_source == "editorial":
            verdict.append(f"\neditorial;\ncomputed:\n{a.computed_verdict}", style="dim")
        cells = {"Made": lines_cell(a.made, restated), "For": text_cell(number(a.support)),
                 "Against": text_cell(number(a.against)),
                 "Score": text_cell("–" if a.score is None else a.score), "Verdict": verdict,
                 "Latest": text_cell(a.latest_evidence or "–")}
        table.add_row(promise, *([] if narrow else [text_cell(a.promise.official)]), *(cells[n] for n in shape.shown))
    console.print(table)


def _plain_columns(shape: Shape) -> list[Any]:
    from .plaintable import Column

    columns = [Column("Promise", wrap=True, min_width=shape.promise_width)]
    if not shape.narrow:
        columns.append(Column("Official", wrap=True, max_width=24))
    return columns + [Column(name, right=name in ("For", "Against", "Score")) for name in shape.shown]


def _plain_report_table(assessments: list[Assessment], console: Console, shape: Shape) -> bool:
    """The table `_rich_report_table` draws, drawn as plain text; False (nothing drawn) when it cannot fit
    the terminal without squeezing a fixed-width column, which only Rich's layout does."""
    from .plaintable import draw, layout

    columns = _plain_columns(shape)
    rows = [_plain_report_row(a, shape) for a in assessments]
    widths = layout(columns, rows, console.width)
    if widths is None:
        return False
    draw(columns, widths, rows, console)
    return True


def _plain_report_row(a: Assessment, shape: Shape) -> list[list[tuple[str, str]]]:
    # Styles as in Rich's cells, where a cell's first style carries on to the lines after it.
    narrow = shape.narrow
    promise = [(safe(a.promise.id), "bold"), (safe(a.promise.title), "bold")]
    official = [(safe(a.promise.official), "bold dim" if narrow else "")]
    made = [(str(a.made), "")] + ([(f"+{len(a.statements) - 1} more", "")] if len(a.statements) > 1 else [])
    style = VERDICT_STYLES[a.verdict]
    verdict = [(a.verdict, style)]
    if a.verdict_source == "editorial":
        verdict += [(line, f"{style} dim") for line in ("editorial;", "computed:", a.computed_verdict)]
    score = "–" if a.score is None else str(a.score)
    cells = {"Made": made, "For": [(str(number(a.support)), "")], "Against": [(str(number(a.against)), "")],
             "Score": [(score, "")], "Verdict": verdict, "Latest": [(safe(str(a.latest_evidence or "–")), "")]}
    return ([promise + official] if narrow else [promise, official]) + [cells[n] for n in shape.shown]


def promise_detail(a: Assessment, console: Console) -> None:
    from rich.table import Table

    p = a.promise
    _fields(console, [("Promise", p.id), ("Title", p.title),
                      ("Official", p.official + (f", {p.office}" if p.office else "")),
                      ("Country", p.country), ("Topics", ", ".join(p.topics) or None),
                      ("Deadline", date_text(p.deadline)),
                      ("Due", _due(a)),
                      ("Text", p.text), ("File", p.path)])
    timeline = Table(title="Timeline", title_justify="left", header_style="bold")
    for name in ("Date", "What", "Stance", "Weight"):
        timeline.add_column(name, overflow="fold")
    for date, what, stance, weight in timeline_rows(a):
        timeline.add_row(text_cell(date), text_cell(what), text_cell(stance, _stance_style(stance)), text_cell(weight))
    console.print(timeline)
    verdict = text_cell(a.verdict, VERDICT_STYLES[a.verdict])
    verdict.append(f" ({a.verdict_source}) as of {a.as_of}")
    console.print(text_cell("Verdict: ").append_text(verdict))
    console.print(text_cell(f"Computed: {a.computed_verdict}, because {a.reason}. "
                        f"Support {number(a.support)}, against {number(a.against)}, score "
                        f"{'–' if a.score is None else a.score}."))
    console.print(text_cell(f"What it means: {meaning(a)}"))


def _due(a: Assessment) -> str | None:
    if a.due is None:
        return None
    return f"{a.due.date} (the deadline)" if a.due.term is None else \
        f"{a.due.date} (the end of the term that began on {a.due.term.start})"


def _stance_style(name: str) -> str:
    stance = STANCES.get(name)
    return {"support": "green", "against": "red"}.get(stance.side if stance else "", "")


def event_detail(e: Event, console: Console) -> None:
    counts = ", ".join(f"{v:,} {k}" for k, v in e.counts.items()) or None
    _fields(console, [("Event", e.id), ("Title", e.title), ("Date", str(e.date)), ("Country", e.country),
                      ("Kind", e.kind), ("Location", e.location), ("Actors", "\n".join(e.actors) or None),
                      ("Counts", counts), ("Severity", str(e.severity)),
                      ("Sources", "\n".join(e.sources) or None), ("Notes", e.notes), ("File", e.path)])
    for link in e.links:
        line = text_cell(f"  {link.stance} ", _stance_style(link.stance)).append(safe(link.promise))
        if link.severity:
            line.append(f" (severity {link.severity})")
        if link.note:
            line.append(f": {safe(link.note)}")
        console.print(line)


def _fields(console: Console, pairs: list[tuple[str, str | None]]) -> None:
    for label, value in pairs:
        if value:
            console.print(text_cell(f"{label}: ", "bold").append(safe(value, one_line=False)), soft_wrap=False)


def list_table(rows: list[dict[str, Any]], columns: list[str], console: Console) -> list[str]:
    """A list with each record's title under its ID. An ID or a word is never broken: when the terminal is
    too narrow for every column, the least needed ones are left out (returned, for a note on stderr), and
    when it is too narrow for the ID beside the date, each record's fields are stacked."""
    titles = "title" in columns
    droppable = [c for c in ("links", "kind", "official", "country") if c in columns]
    shown = [c for c in columns if c != "title"]
    # Each column needs its longest unbreakable piece; columns are two apart.
    while droppable and sum(_least_width(rows, c, titles) + 2 for c in shown) - 2 > console.width:
        shown.remove(droppable.pop(0))
    if sum(_least_width(rows, c, titles) + 2 for c in shown) - 2 > console.width:
        _stacked_list(rows, columns, console)  # not even the ID and the date side by side: one under another
        shown = columns
    else:
        console.print(_list_table(rows, shown, titles))
    console.print(f"{len(rows)} record{'s' if len(rows) != 1 else ''}")
    return [c for c in columns if c not in shown and c != "title"]


def _stacked_list(rows: list[dict[str, Any]], columns: list[str], console: Console) -> None:
    """Each record as a few lines: its ID, then its other fields, then its title."""
    from rich.text import Text

    others = [c for c in columns if c not in ("id", "title")]
    for row in rows:
        text = text_cell(row.get("id"), "bold")
        text.append("\n" + "  ".join(safe(str(row.get(c))) for c in others if row.get(c) not in (None, "")))
        if row.get("title"):
            text.append("\n" + safe(str(row["title"])))
        console.print(text, Text(""), sep="\n", overflow="fold")


def _header(column: str, titles: bool) -> str:
    return "Id / title" if column == "id" and titles else column.capitalize()


def _least_width(rows: list[dict[str, Any]], column: str, titles: bool) -> int:
    """The narrowest the column can be without breaking an ID or a word. The titles under the IDs wrap at
    the IDs' width (a "word" longer than every ID is folded); an official's name at the column's 24."""
    from rich.cells import cell_len

    def pieces(row: dict[str, Any]) -> list[str]:
        text = safe(str(row.get(column) or ""))
        return [word[:24] for word in text.split()] if column == "official" else [text]

    return max([cell_len(_header(column, titles)), *(cell_len(piece) for row in rows for piece in pieces(row))])


def _list_table(rows: list[dict[str, Any]], columns: list[str], titles: bool) -> Table:
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, header_style="bold", show_edge=False, pad_edge=False, padding=(0, 1),
                  collapse_padding=True)
    for column in columns:
        # The ID and the title share the first column; only the title and the official wrap, at spaces.
        # Below the width of its longest ID (a terminal narrower than that), an ID folds rather than lose its end.
        table.add_column(_header(column, titles), no_wrap=column not in ("id", "official"), overflow="fold",
                         max_width=24 if column == "official" else None)
    for row in rows:
        cells = [text_cell(row.get(c)) for c in columns]
        if titles:
            cells[0].stylize("bold")
            cells[0].append("\n" + safe(str(row.get("title") or "")))
        table.add_row(*cells)
    return table
