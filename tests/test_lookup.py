"""Writers find a record by its file name (tracker/lookup.py) exactly as glob would find it: the same file,
the first in sorted order, whatever else lies in the records directory."""

from __future__ import annotations

import glob
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from tracker import layout
from tracker.lookup import least
from tracker.store import find_record

ID = "kz-2019-rally"


def by_glob(root: Path, patterns: list[str]) -> str | None:
    """What glob finds for the patterns, the first of it in sorted order."""
    hits = [hit for pattern in patterns for hit in glob.glob(pattern, root_dir=root)]
    return min(hits) if hits else None


def touch(root: Path, *paths: str) -> None:
    for path in paths:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text("")


@pytest.fixture
def maze(isolated: Path) -> Path:
    """A records directory with the ID in many places, some of them where no pattern looks, and names that
    sort before a separator (ad-x before ad/)."""
    root = isolated / "maze"
    touch(root, "tracker.toml", "zz", f"ad/events/2020/{ID}.toml", f"ad-x/events/2019/05/{ID}.toml",
          f"zw/events/2018/01/{ID}.toml", f".hidden/events/2000/01/{ID}.toml", f"ad/events/.2000/01/{ID}.toml",
          f"ad/events/20x9/01/{ID}.toml", f"ad/events/2019/1/{ID}.toml", "ad/events/2019/12/other.toml",
          "ad/events/2019/07", f"kz/promises/{ID}-not.toml", f"kz/terms/{ID}.toml", f"kz/promises/{ID}/links/ab/x.toml")
    (root / f"ae/events/2017/03/{ID}.toml").mkdir(parents=True)  # a folder by the name is something there
    (root / "af/events/2016/02").mkdir(parents=True)
    (root / f"af/events/2016/02/{ID}.toml").symlink_to(root / "nowhere")  # so is a dangling link
    (root / "ag/events").mkdir(parents=True)
    (root / "ag/events/2015").symlink_to(root / "ad-x/events/2019")  # a linked year folder is gone into
    return root


@pytest.mark.parametrize("kind", layout.TOP_KINDS)
@pytest.mark.parametrize("name", [ID, "other", f"{ID}-not", "x", "missing"])
def test_the_first_match_is_globs(maze: Path, kind: str, name: str):
    patterns = layout.globs(kind, name)
    assert least(str(maze), patterns) == by_glob(maze, patterns)


def test_the_search_sees_every_place(maze: Path):
    """Each match glob finds is found, the first in sorted order each time another goes."""
    patterns = layout.globs("event", ID)
    while (expected := by_glob(maze, patterns)) is not None:
        assert least(str(maze), patterns) == expected
        path = maze / expected
        path.rmdir() if path.is_dir() and not path.is_symlink() else path.unlink()
    assert least(str(maze), patterns) is None


def test_several_patterns_and_wildcards_at_the_end(maze: Path):
    patterns = ["*/events/*/*/*.toml", "*/events/*/*.toml", "*/terms/*", "zz", "*"]
    for count in range(1, len(patterns) + 1):
        assert least(str(maze), patterns[:count]) == by_glob(maze, patterns[:count])


def test_find_record_takes_the_kinds_in_order(maze: Path):
    assert find_record(maze, ID) == (maze / f"ad-x/events/2019/05/{ID}.toml".replace("/", os.sep), "event")
    touch(maze, f"zz-last/promises/{ID}.toml")
    assert find_record(maze, ID) == (maze / "zz-last" / "promises" / f"{ID}.toml", "promise")
    assert find_record(maze, "missing") is None


# Any directory shaped like a records directory: at each level a name that fits the patterns or nearly does
# (hidden ones, names that sort before a separator), paths that stop at any level, the ID as a file or a folder.
LEVELS = [["ad", "ad", "ad-x", "a", ".h"], ["events", "events", "events", "promises", "terms", "event"],
          ["2019", "2019", "2020", "20x9", ".2019", f"{ID}.toml"],
          ["05", "05", "12", "1", ".05", f"{ID}.toml", f"{ID}.toml", "other.toml"], [f"{ID}.toml", f"{ID}.toml", "x"]]
DEPTH = st.integers(1, len(LEVELS)) | st.integers(len(LEVELS) - 1, len(LEVELS))  # mostly as deep as an event
PATH = DEPTH.flatmap(lambda depth: st.tuples(*map(st.sampled_from, LEVELS[:depth])))
TREE = st.lists(st.tuples(PATH, st.booleans()), min_size=1, max_size=40)


@settings(max_examples=int(os.environ.get("TRACKER_HYPOTHESIS_EXAMPLES", "60")), deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tree=TREE)
def test_any_directory_is_searched_as_glob_searches_it(isolated: Path, tree: list[tuple[tuple[str, ...], bool]]):
    root = isolated / "random"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir()
    for parts, is_folder in tree:
        path = root.joinpath(*parts)
        try:
            path.mkdir(parents=True, exist_ok=True) if is_folder else touch(root, os.path.join(*parts))
        except OSError:  # a file already stands where a folder was to go, or the other way round
            continue
    for kind in layout.TOP_KINDS:
        patterns = layout.globs(kind, ID)
        assert least(str(root), patterns) == by_glob(root, patterns), kind
