"""The walk of the records (tracker.load.records_in) hands out record files in the order of their paths as it
lists the folders, so that a cold load can parse them as they come: that order must be sorted()'s, whatever
the names, or problems and reports would come out in another order than before."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from tracker import layout
from tracker.load import discover, records_in

# Names that sort before, at and after a separator ("a-b" < "a.toml" < "a/" < "ab"), for each part of the
# layout's places; and stray folders and files, in no place or hidden.
NAMES = {"CC": ("kz", "kz-x", "kz.x", "KZ", "kz x"), "ID": ("a", "a-b", "a.b", "ab", "é"), "YYYY": ("2019", "2020"),
         "MM": ("05", "12"), "XX": ("ab", "0a"), "FILE": ("a.toml", "a-b.toml", "a.b.toml", "ab.toml", "é.toml")}
STRAYS = ("kz", "a", "a-b", ".hidden", "promises", "events", "links", "2019", "x.txt", ".a.toml", "tracker.toml")

places = st.sampled_from(layout.PLACES).flatmap(
    lambda place: st.tuples(*(st.sampled_from(NAMES.get(part, (part,))) for part in place.parts)))
strays = st.lists(st.sampled_from(STRAYS), min_size=1, max_size=6).map(lambda parts: (*parts[:-1], parts[-1] + ".toml"))
trees = st.lists(st.one_of(places, places, strays), min_size=1, max_size=30)


def expected(root: Path) -> tuple[list[tuple[str, str]], set[str]]:
    """(path, kind) of each record file, sorted, and the paths of the .toml files in no place: from os.walk."""
    found, misplaced = [], set()
    for folder, folders, files in os.walk(root):
        folders[:] = [name for name in folders if not name.startswith(".")]
        parts = Path(folder).relative_to(root).parts
        for name in files:
            if name.startswith(".") or not name.endswith(".toml") or (not parts and name == "tracker.toml"):
                continue
            kind = layout.kind_of_place([*parts, name])
            path = os.path.join(folder, name)
            if kind is None:
                misplaced.add(path)
            else:
                found.append((path, kind))
    return sorted(found), misplaced


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trees)
def test_record_files_come_in_the_order_of_their_paths(tree: list[tuple[str, ...]]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "records"
        root.mkdir()
        for parts in tree:
            path = root.joinpath(*parts)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.touch()
            except (FileExistsError, NotADirectoryError):  # a file already has the name of a folder, or the reverse
                continue
        found, misplaced = expected(root)
        problems: list = []
        assert list(records_in(root, problems)) == found
        assert {problem.path for problem in problems} == misplaced
        assert discover(root) == (found, problems)
