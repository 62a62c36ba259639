"""Rich rendering of what changed: `tracker diff` and `tracker history` as tables for people, from
`safe()` text only. Their plain data, text lines and Markdown are in serialise_changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .changes import Step
from .compare import PromiseDiff
from .render import VERDICT_STYLES, lines_cell, text_cell
from .revisions import Revision
from .serialise_changes import change_lines, pair_text, summary_line
from .terminal import safe

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

# ---------------------------------------------------------------------------
# diff

def diff_table(changes: list[PromiseDiff], sides: tuple[str, str], as_of: Any, console: Console) -> None:
    """For people, in the manner of `git diff`: a block per promise, then the tally."""
    for c in changes:
        head = text_cell(c.id, "bold").append(f"  {safe(c.title)}" + ("" if c.kind == "changed" else f"  ({c.kind})"))
        console.print(head, soft_wrap=True)
        style = VERDICT_STYLES.get(c.verdicts[1] or "", "") if c.verdict_changed else ""
        console.print(text_cell("  verdict  ").append(pair_text(*c.verdicts), style=style), soft_wrap=True)
        console.print(text_cell(f"  score    {pair_text(*c.scores)}"), soft_wrap=True)
        for line in change_lines(c):
            console.print(text_cell(f"  {line}", "green" if line.startswith("+") else "red"), soft_wrap=True)
        console.print()
    console.print(text_cell(summary_line(changes, sides, as_of)), soft_wrap=True)


# ---------------------------------------------------------------------------
# history

def _verdict_cell(a: Any, note: str | None = None) -> Text:
    if a is None:
        return text_cell(note or "not yet made", "dim")
    cell = text_cell(a.verdict, VERDICT_STYLES[a.verdict])
    if a.verdict_source == "editorial":
        cell.append("\n(editorial)", style="dim")
    return cell


def _table(*columns: str) -> Table:
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, header_style="bold", show_edge=False, pad_edge=False)
    for name in columns:
        table.add_column(name, overflow="fold", justify="right" if name == "Score" else "left",
                         no_wrap=name in ("Date", "Commit", "Verdict", "Score"))
    return table


def steps_table(steps: list[Step], console: Console) -> None:
    table = _table("Date", "What", "Verdict", "Score")
    for s in steps:
        score = "–" if s.assessment is None or s.assessment.score is None else s.assessment.score
        table.add_row(text_cell(s.day), text_cell("\n".join(s.what)), _verdict_cell(s.assessment), text_cell(score))
    console.print(table)


def revisions_table(revisions: list[Revision], console: Console) -> None:
    table = _table("Commit", "Author", "Subject", "Verdict", "Score")
    for r in revisions:
        a = r.assessment
        score = "–" if a is None or a.score is None else a.score
        table.add_row(lines_cell(r.commit.sha[:10], r.commit.date.date()), text_cell(r.commit.author),
                      text_cell(r.commit.subject), _verdict_cell(a, r.note), text_cell(score))
    console.print(table)
    if not revisions:
        console.print("No commit touched this promise's files.")
