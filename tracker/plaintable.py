"""A table laid out as plain text, for reports too long for Rich to draw quickly.

Rich measures and renders every cell through several layers of objects: about 2 ms a row, seconds for
thousands of promises. This draws the same look (columns two spaces apart, a bold header, a rule under
it, cells that fold words to fit, fixed-width columns that never wrap) with string operations only.
Cell text must already be made safe (`tracker.terminal.safe`); styles come from the console itself, so
colour follows the terminal, NO_COLOR and --color exactly as for Rich's tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.cells import cell_len, chop_cells, set_cell_size

if TYPE_CHECKING:
    from rich.console import Console

GAP = 2
RULE = "─"

Line = tuple[str, str]  # (safe text, Rich style name or "")
Cell = list[Line]


@dataclass(frozen=True)
class Column:
    header: str
    right: bool = False
    wrap: bool = False  # folds to fit the terminal; a column that does not wrap keeps its widest line
    min_width: int = 1
    max_width: int | None = None


def draw(columns: list[Column], widths: list[int], rows: list[list[Cell]], console: Console) -> None:
    """The table in the `widths` that `layout` gave, written to the console's file."""
    styles = _Styles(console)
    out = [_row(columns, widths, [[(c.header, "bold")] for c in columns], styles),
           RULE * (sum(widths) + GAP * (len(widths) - 1))]
    out.extend(_row(columns, widths, row, styles) for row in rows)
    console.file.write("\n".join(out) + "\n")


def layout(columns: list[Column], rows: list[list[Cell]], total: int) -> list[int] | None:
    """Each column as wide as its widest line, then the wrapping columns narrowed as Rich narrows them.
    None when that cannot fit `total` cells (Rich would then squeeze the fixed-width columns too)."""
    widths = []
    for i, column in enumerate(columns):
        natural = max([cell_len(column.header)] + [cell_len(text) for row in rows for text, _ in row[i]])
        widths.append(max(column.min_width, min(natural, column.max_width or natural)))
    widths = _collapse(widths, [c.wrap for c in columns], sum(widths) + GAP * (len(widths) - 1) - total)
    fits = sum(widths) + GAP * (len(widths) - 1) <= total
    return widths if fits and all(w >= c.min_width for w, c in zip(widths, columns, strict=True)) else None


def _collapse(widths: list[int], wrap: list[bool], excess: int) -> list[int]:
    """Rich's rule (Table._collapse_widths): the widest wrapping columns give way first, down to the next
    widest, sharing the cut evenly, until the table fits or nothing can give way."""
    widths = widths[:]
    while excess > 0 and any(wrap):
        top = max(w for w, can in zip(widths, wrap, strict=True) if can)
        second = max((w for w, can in zip(widths, wrap, strict=True) if can and w != top), default=0)
        widest = [i for i, (w, can) in enumerate(zip(widths, wrap, strict=True)) if can and w == top]
        if top == second:
            break
        left, cut = excess, min(excess, top - second)
        for n, i in enumerate(widest):
            share = min(cut, round(left / (len(widest) - n)))
            widths[i] -= share
            left -= share
            excess -= share
    return widths


def _row(columns: list[Column], widths: list[int], cells: list[Cell], styles: _Styles) -> str:
    blocks = []
    for column, width, cell in zip(columns, widths, cells, strict=False):
        lines = [(piece, style) for text, style in cell
                 for piece in (_fold(text, width) if column.wrap else [text])]
        blocks.append([styles.apply(_fit(text, width, column.right), style) for text, style in lines])
    height = max(len(block) for block in blocks)
    return "\n".join((" " * GAP).join(block[n] if n < len(block) else " " * width
                                      for block, width in zip(blocks, widths, strict=False))
                     for n in range(height))


def _fit(text: str, width: int, right: bool) -> str:
    if right:
        return " " * (width - cell_len(text)) + text
    return set_cell_size(text, width)


_WORDS = re.compile(r"\s*\S+\s*")


def _fold(text: str, width: int) -> list[str]:
    """Words wrapped to `width` cells; a word longer than a line is cut into pieces, as Rich folds it."""
    if cell_len(text) <= width:
        return [text]
    lines: list[str] = []
    line = ""
    for word in _WORDS.findall(text):
        if cell_len(line + word.rstrip()) <= width:
            line += word
            continue
        if line:
            lines.append(line.rstrip())
        stripped = word.rstrip()
        if cell_len(stripped) <= width:
            line = word
            continue
        pieces = chop_cells(stripped, width)
        lines.extend(pieces[:-1])
        line = pieces[-1] + word[len(stripped):]
    lines.append(line.rstrip())
    return lines


class _Styles:
    """The escape codes the console itself writes around styled text: none when it has no colour."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.codes: dict[str, tuple[str, str]] = {"": ("", "")}

    def apply(self, text: str, style: str) -> str:
        if style not in self.codes:
            self.codes[style] = self._codes(style)
        before, after = self.codes[style]
        return before + text + after

    def _codes(self, style: str) -> tuple[str, str]:
        from rich.text import Text

        with self.console.capture() as capture:
            self.console.print(Text("x", style=style), end="")
        before, _, after = capture.get().partition("x")
        return before, after
