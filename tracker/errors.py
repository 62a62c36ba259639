"""The one base class of every error the library raises on purpose, and how a message names an option.

A message speaks of values and of the fields or options a caller gave; it never spells a command-line
flag. Where it names an option it holds `option(name, value)`, a marker that `worded` turns into words:
`in_python` words it as the argument (`encoding`), and the command line as its flag (`--encoding`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

Wording = Callable[[str, str], str]  # (option's name, value or "") -> the words for it

_MARK, _SEP = "\x00", "\x1f"  # control characters, which no message's own text keeps (they are escaped)
_OPTION = re.compile(f"{_MARK}([a-z_]+){_SEP}([^{_MARK}]*){_MARK}")


def option(name: str, value: str = "") -> str:
    """An option named inside a message, with the value given to it, if any."""
    return f"{_MARK}{name}{_SEP}{value}{_MARK}"


def worded(text: str, wording: Wording) -> str:
    """The text with every option in it worded by wording."""
    return _OPTION.sub(lambda found: wording(found[1], found[2]), text).replace(_MARK, "").replace(_SEP, "")


def python_wording(name: str, value: str) -> str:
    """An option as a Python caller gives it: the argument's name (and its value)."""
    return f"`{name}`" + (f" {value}" if value else "")


def in_python(text: str) -> str:
    return worded(text, python_wording)


class TrackerError(Exception):
    """Something tracker refused or could not do; the message says what, in terms of fields and values.

    `field` is the option or field at fault, where there is one. `str()` gives the message in Python's
    terms; `worded(error.message, ...)` in other terms, as the command line does.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(in_python(message))
        self.message, self.field = message, field


class StoreError(TrackerError):
    """A write that was refused; nothing was written."""


# The git errors live here, not in tracker.gitrepo, so that the command line can catch them without importing
# git's module (and subprocess) for every command; gitrepo re-exports them.
class GitError(TrackerError):
    """git is missing, or the records are not in a repository, or git refused."""


class RevisionError(GitError):
    """A revision named on the command line does not exist (a usage error)."""
