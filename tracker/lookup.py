"""Find a record's file by its ID from the layout's patterns, listing only the folders the patterns name.

The same answer as min() of glob.glob(pattern, root_dir=root) over the patterns of layout.globs (hidden
names never match a wildcard), at a fraction of its cost. glob joins, splits and matches each path in
Python, and lists a folder again for each pattern: at 100,000 events (some twenty thousand month folders
to look into) that made every write wait on it. Here the patterns share their listings (an event's two
patterns list each year folder once, and that listing shows whether the file is in the year folder
itself), a file in a folder that need not be listed costs one check of its name, and the search stops at
the first top-level folder (a country) that holds a match.
"""

from __future__ import annotations

import fnmatch
import functools
import os
import re
from collections.abc import Callable, Iterable


class _Node:
    """What follows one part of the patterns: whether a pattern ends there, and the parts after it; once the
    patterns are all in, the parts after it sorted into the literal names that end a pattern, the literal
    folder names to go into, and the wildcards (with their matcher)."""

    __slots__ = ("end", "after", "ends", "folders", "wild")

    def __init__(self) -> None:
        self.end = False
        self.after: dict[str, _Node] = {}
        self.ends: list[str] = []
        self.folders: list[tuple[str, _Node]] = []
        self.wild: list[tuple[Callable[[str], object], _Node]] = []

    def finish(self) -> None:
        for part, node in self.after.items():
            if any(char in part for char in "*?["):  # what glob.has_magic looks for
                self.wild.append((re.compile(fnmatch.translate(part)).match, node))
            else:
                if node.end:
                    self.ends.append(part)
                if node.after:
                    self.folders.append((part, node))
            node.finish()


Group = tuple[_Node, list[str]]  # a node of the patterns, and the folders it applies to (each ending in a separator)


def least(root: str, patterns: Iterable[str]) -> str | None:
    """The first, as sorted() orders them, of the paths below root (relative to it, joined by os.sep) that
    match any of the patterns, whose parts are separated by "/"; wildcards in any part, as glob has them.
    None if no path matches."""
    tree = _Node()
    for pattern in patterns:
        node = tree
        for part in pattern.split("/"):
            node = node.after.setdefault(part, _Node())
        node.end = True
    tree.finish()
    # Paths are built whole, root included (each folder's with its separator): the one string a check or a
    # listing takes is made once, by one concatenation, for each of the thousands of month folders. All
    # begin with the root, so they sort as the paths below it do.
    prefix = os.path.join(root, "")
    hits, deeper = _step(tree, [prefix])
    # The paths below a top-level folder sort together, right after the name of the folder and a separator:
    # the top-level folders are searched one by one in that order, and the first one with a match holds the least.
    folders: dict[str, list[_Node]] = {}
    for node, paths in deeper:
        for path in paths:
            folders.setdefault(path, []).append(node)
    places: list[tuple[str, list[_Node]]] = [(hit, []) for hit in hits] + list(folders.items())
    for path, nodes in sorted(places, key=lambda place: place[0]):
        found = _all_below([(node, [path]) for node in nodes]) if nodes else [path]
        if found:
            return min(found)[len(prefix):]
    return None


def _all_below(groups: list[Group]) -> list[str]:
    """Every path that the nodes match below their folders, a level at a time."""
    found: list[str] = []
    while groups:
        deeper: list[Group] = []
        for node, folders in groups:
            hits, more = _step(node, folders)
            found += hits
            deeper += more
        groups = deeper
    return found


def _step(node: _Node, folders: list[str]) -> tuple[list[str], list[Group]]:
    """The paths one part below these folders that end a pattern, and the folders there to go on into."""
    sep = os.sep
    hits: list[str] = []
    # Not looked at: a folder that is not there lists as empty, and a file below it does not exist.
    deeper: list[Group] = [(after, [f"{folder}{part}{sep}" for folder in folders]) for part, after in node.folders]
    if not node.wild:
        for part in node.ends:
            if _NO_FOLLOW:  # the call itself, not through _exists: a tenth of the search, once a month folder
                hits += [path for folder in folders if os.access(path := folder + part, os.F_OK, follow_symlinks=False)]
            else:
                hits += [path for folder in folders if _exists(path := folder + part)]
        return hits, deeper
    for folder in folders:
        try:
            names = os.listdir(folder)
        except OSError:  # not a folder, or not one that can be listed: a name in it may still be there
            names = None
        for part in node.ends:
            if (part in names) if names is not None else _exists(folder + part):
                hits.append(folder + part)
        for match, after in node.wild:
            # Listed names that are not folders are gone into too: nothing is below them, so nothing matches.
            matched = [name for name in filter(match, names or ()) if not name.startswith(".")]
            if after.end:
                hits += [folder + name for name in matched]
            if after.after and matched:
                deeper.append((after, [f"{folder}{name}{sep}" for name in matched]))
    return hits, deeper


# Whether there is anything at a path, a link included (os.path.lexists), without raising an exception for
# each of the thousands of folders where there is not, where the system can tell (faccessat).
_NO_FOLLOW = os.access in os.supports_follow_symlinks
_exists: Callable[[str], bool] = (functools.partial(os.access, mode=os.F_OK, follow_symlinks=False)
                                  if _NO_FOLLOW else os.path.lexists)
