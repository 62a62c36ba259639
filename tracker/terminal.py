"""The one object that owns the terminal.

Record text is untrusted: it may hold Rich markup, escape sequences or
bidirectional overrides. Every human output goes through `safe()` and a Rich
Console with markup off, so such text is shown, never obeyed. Rich is
imported only when something is printed through it, to keep start-up fast.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any

from .model import Problem

if TYPE_CHECKING:
    from rich.console import Console

# C0 and C1 controls (but newline and tab), DEL, the invisible direction marks and overrides, and other
# invisible format characters that can hide text: interlinear annotations, tag characters, lone surrogates.
_UNSAFE = ("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f"
           "\ud800-\udfff\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]")


@cache
def _unsafe() -> re.Pattern[str]:
    """_UNSAFE compiled, on first use: compiling it takes over a millisecond, which a write that prints only
    its own line would pay for nothing."""
    return re.compile(_UNSAFE)


_RICH_DROPS = {code: None for code in (0x07, 0x08, 0x0B, 0x0C, 0x0D)}  # rich.control.STRIP_CONTROL_CODES


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def safe(text: str, one_line: bool = True) -> str:
    """Text made inert: controls and direction overrides shown as escapes, never passed through."""
    text = _unsafe().sub(_visible, text.replace("\t", " "))
    return text.replace("\n", " ") if one_line else text


class Terminal:
    """Data goes to stdout, messages to stderr; colour follows the terminal, NO_COLOR and --color."""

    def __init__(self, color: bool | None = None) -> None:
        self.color = color

    def _console(self, stream: Any) -> Console:
        from rich.console import Console

        # --color forces colour even when piped; --no-color turns off every escape sequence (even bold, and
        # even with FORCE_COLOR set); NO_COLOR, read by Rich, turns off colour.
        return Console(file=stream, markup=False, highlight=False, emoji=False, force_terminal=self.color,
                       no_color=None if self.color is None else not self.color)

    @cached_property
    def out(self) -> Console:
        return self._console(sys.stdout)

    @cached_property
    def err(self) -> Console:
        return self._console(sys.stderr)

    def message(self, text: str) -> None:
        if "\t" not in text and not self._styled(sys.stderr):
            # What Rich would write (it drops these controls), without importing it: a write command
            # prints one line, and Rich's import was a third of its time.
            sys.stderr.write(text.translate(_RICH_DROPS) + "\n")
            return
        self.err.print(text, soft_wrap=True)

    def _styled(self, stream: Any) -> bool:
        """Whether Rich would treat the stream as a terminal (--color, TTY_COMPATIBLE=1, FORCE_COLOR, a tty)."""
        if self.color is not None:
            return self.color
        compatible = os.environ.get("TTY_COMPATIBLE", "")
        if compatible in ("0", "1"):
            return compatible == "1"
        if os.environ.get("FORCE_COLOR") is not None:
            return os.environ["FORCE_COLOR"] != ""
        return bool(stream.isatty())

    def problem(self, problem: Problem) -> None:
        """`path:line: message`, then the line itself and how to fix it."""
        where = f"{problem.path}:{problem.line}" if problem.line else problem.path
        level = "warning: " if problem.level == "warning" else ""
        lines = [(f"{safe(where)}: {level}{safe(problem.message)}", "yellow" if level else "red")]
        if problem.excerpt is not None:
            lines.append((f"  {problem.line} | {safe(problem.excerpt)}", "dim"))
        if problem.hint:
            lines.append((f"  hint: {safe(problem.hint)}", "dim"))
        if self.err.color_system is None:
            # No styles to draw (not a terminal, no --color): the same text, without Rich's cost per call,
            # which is most of `check`'s time when a file has thousands of problems.
            self.err.file.write("".join(f"{text}\n" for text, _ in lines))
            return
        for text, style in lines:
            self.err.print(text, soft_wrap=True, style=style)

    @contextmanager
    def progress(self, total: int) -> Iterator[Callable[[], None]]:
        """A progress bar for reading `total` files, on stderr and only when stderr is a terminal."""
        if not sys.stderr.isatty():
            yield lambda: None
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        with Progress(TextColumn("Reading records"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      console=self.err, transient=True) as bar:
            task = bar.add_task("read", total=total)
            yield lambda: bar.advance(task)

    def data(self, text: str) -> None:
        """Machine-readable output, exactly as given."""
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
