"""The one way tracker writes a CSV cell, for every CSV it writes (report, export).

Record text is untrusted, and a spreadsheet runs a cell that starts with a formula character. As
OWASP's "CSV Injection" advises, a text cell that starts with = + - @, a tab, a carriage return or
a line feed (or with one of them after leading spaces, which some spreadsheets skip; or with their
full-width forms, which some read as the same) gets a leading apostrophe, so it shows as text.
Every cell that holds a comma, a quote, a CR or an LF is quoted (Python's csv module leaves a lone CR
unquoted when lines end in LF, and a reader then splits the row).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FORMULA_START = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")
_SKIPPED = " \u00a0\u3000"  # spaces a spreadsheet may skip before a formula
_QUOTED = frozenset(',"\r\n')


def cell(value: Any) -> str:
    """A value as the text of one cell: lists joined with "; ", None empty, text neutralised."""
    if isinstance(value, list):
        value = "; ".join(map(str, value))
    if value is None:
        return ""
    if not isinstance(value, str):
        return str(value)  # a number is data, never a formula
    return neutralise(value)


def neutralise(text: str) -> str:
    if text[:1] in FORMULA_START or text.lstrip(_SKIPPED)[:1] in FORMULA_START:
        return "'" + text
    return text


def quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if _QUOTED.intersection(text) else text


def line(values: Iterable[Any]) -> str:
    """One CSV row, each cell neutralised and quoted as needed, ending in LF."""
    return ",".join(quote(cell(value)) for value in values) + "\n"
