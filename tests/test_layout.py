"""The layout of one file per fact, with real git: clean merges, conflicts where a person must decide,
orphans, migration, and folder sizes."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO, SHIPPED, run_tracker, snapshot

PROMISE = "kz-assembly-law"
PROMISE_FILE = Path(f"records/kz/promises/{PROMISE}.toml")
MARCH = "kz-2019-08-reform-march-no-detentions"
SRC = "https://www.hrw.org/news/2019/09/24/mass-arrests-cast-doubt-rights-reform-kazakhstan"
AS_OF = "2020-12-31"
OLD_SHIPPED = REPO / "tests" / "data" / "records-before-migrate"


def git(*args: str, cwd: Path | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=check)


@pytest.fixture
def repo(isolated: Path, tracker) -> Path:
    """The shipped records, and two more promises to link to, in a repository on main."""
    shutil.copytree(SHIPPED, isolated / "records", ignore=shutil.ignore_patterns(".tracker-cache"))
    for ident in ("kz-press", "kz-courts"):
        tracker("add-promise", "--country", "KZ", "--official", "Kassym-Jomart Tokayev", "--title", f"Pledge {ident}",
                "--date", "2019-06", "--id", ident, "--source", SRC)
    git("init", "--quiet", "--initial-branch=main")
    git("add", "records")
    git("commit", "--quiet", "-m", "Records")
    return isolated


def on_branch(name: str, *writes: list[str], base: str = "main") -> None:
    """A branch from base with one commit per write command."""
    git("checkout", "--quiet", "-b", name, base)
    for args in writes:
        done = run_tracker(*args, "--commit") if args[0] != "edit" else _edit(*args[1:])
        assert done.returncode == 0, done.stderr
    git("checkout", "--quiet", "main")


def _edit(old: str, new: str) -> subprocess.CompletedProcess[str]:
    PROMISE_FILE.write_text(PROMISE_FILE.read_text().replace(old, new))
    return git("commit", "--quiet", "-am", f"Edit {PROMISE}")


RESTATE = ["restate", PROMISE, "--date", "2019-12-20", "--venue", "Press conference", "--source", SRC]
RATE = ["rate", PROMISE, "--verdict", "compromise", "--date", "2020-05-25", "--rationale", "A weaker law"]
RATE_AGAIN = ["rate", PROMISE, "--verdict", "broken", "--date", "2020-09-01", "--rationale", "Repealed"]
LINK_PRESS = ["link", MARCH, "--consistent", "kz-press"]
LINK_COURTS = ["link", MARCH, "--advances", "kz-courts"]
TITLE = ["edit", 'title = "Reform the law on peaceful assemblies"', 'title = "Reform the assembly law"']


def shown(ident: str) -> dict:
    done = run_tracker("show", ident, "--as-of", AS_OF, "--format", "json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("ours, theirs, expect", [
    (RESTATE, RATE, lambda: "2019-12-20" in shown(PROMISE)["assessment"]["statements"]
     and shown(PROMISE)["ratings"][0]["verdict"] == "compromise"),
    (RATE, RATE_AGAIN, lambda: [r["verdict"] for r in shown(PROMISE)["ratings"]] == ["compromise", "broken"]),
    (LINK_PRESS, LINK_COURTS, lambda: sorted(link["promise"] for link in shown(MARCH)["links"])
     == ["kz-assembly-law", "kz-courts", "kz-press"]),
    (TITLE, RESTATE, lambda: shown(PROMISE)["title"] == "Reform the assembly law"
     and "2019-12-20" in shown(PROMISE)["assessment"]["statements"]),
], ids=["restatement-and-rating", "two-ratings", "two-links-from-one-event", "title-edit-and-restatement"])
def test_parallel_additions_merge_cleanly_with_plain_git(repo, ours, theirs, expect):
    on_branch("ours", ours)
    on_branch("theirs", theirs)
    # As a hosting platform merges: in a bare clone, with no work tree.
    bare = repo.parent / "bare.git"
    git("clone", "--quiet", "--bare", str(repo), str(bare))
    assert git("merge-tree", "--write-tree", "ours", "theirs", cwd=bare, check=False).returncode == 0
    git("merge", "--quiet", "--no-edit", "ours")
    git("merge", "--quiet", "--no-ff", "--no-edit", "theirs")  # raises on a conflict
    assert git("status", "--porcelain").stdout == ""
    assert run_tracker("check", "--as-of", AS_OF).returncode == 0
    assert expect()


def test_three_branches_in_any_order_give_the_same_report(repo):
    on_branch("a", RESTATE, LINK_PRESS)
    on_branch("b", RATE)
    on_branch("c", ["add-event", "--country", "KZ", "--date", "2019-10-01", "--title", "More detained",
                    "--id", "kz-2019-10-01-more", "--contradicts", PROMISE, "--source", SRC], LINK_COURTS)
    reports = set()
    for n, order in enumerate(itertools.permutations("abc")):
        git("checkout", "--quiet", "-b", f"order-{n}", "main")
        for branch in order:
            git("merge", "--quiet", "--no-ff", "--no-edit", branch)
        done = run_tracker("report", "--as-of", AS_OF, "--format", "json")
        assert done.returncode == 0, done.stderr
        reports.add(done.stdout)
        git("checkout", "--quiet", "main")
    assert len(reports) == 1
    assert '"kz-2019-10-01-more"' in reports.pop()


def test_a_rebase_and_a_cherry_pick_are_clean(repo):
    on_branch("work", RESTATE, RATE)
    on_branch("other", RATE_AGAIN, LINK_PRESS)
    git("merge", "--quiet", "--no-ff", "--no-edit", "other")
    git("checkout", "--quiet", "-b", "picked", "main")
    git("cherry-pick", "work~1")
    git("checkout", "--quiet", "work")
    git("rebase", "--quiet", "main")
    assert git("status", "--porcelain").stdout == ""
    assert run_tracker("check", "--as-of", AS_OF).returncode == 0
    assert [r["verdict"] for r in shown(PROMISE)["ratings"]] == ["compromise", "broken"]


def test_the_same_field_edited_differently_still_conflicts(repo):
    on_branch("ours", TITLE)
    on_branch("theirs", ["edit", 'title = "Reform the law on peaceful assemblies"', 'title = "Repeal prior approval"'])
    git("merge", "--quiet", "ours")
    assert git("merge", "--no-edit", "theirs", check=False).returncode != 0
    assert "CONFLICT (content)" in git("status").stdout + git("diff").stdout or \
        git("diff", "--name-only", "--diff-filter=U").stdout.strip() == str(PROMISE_FILE)


def test_two_stances_for_one_pair_are_a_git_conflict(repo):
    on_branch("ours", ["link", MARCH, "--consistent", "kz-press"])
    on_branch("theirs", ["link", MARCH, "--contradicts", "kz-press"])
    git("merge", "--quiet", "ours")
    merged = git("merge", "--no-edit", "theirs", check=False)
    assert merged.returncode != 0 and "add/add" in merged.stdout
    bare = repo.parent / "bare.git"
    git("clone", "--quiet", "--bare", str(repo), str(bare))
    assert git("merge-tree", "--write-tree", "ours", "theirs", cwd=bare, check=False).returncode == 1


def test_a_second_stance_beside_the_events_own_links_names_both_files(repo):
    event = Path(f"records/kz/events/2019/08/{MARCH}.toml")
    event.write_text(event.read_text() + '\n[[links]]\npromise = "kz-assembly-law"\nstance = "contradicts"\n')
    result = run_tracker("check")
    link = f"records/kz/promises/{PROMISE}/links/01/{MARCH}.toml"
    assert result.returncode == 1
    assert f"{event}: links {MARCH} to {PROMISE}, and so does {link}; neither link was counted" in result.stderr
    assert f"{link}: links {MARCH} to {PROMISE}, and so does {event}; neither link was counted" in result.stderr
    assert run_tracker("report").returncode == 1


def test_a_rating_of_a_promise_deleted_on_another_branch_is_an_orphan_that_check_reports(repo):
    git("checkout", "--quiet", "-b", "drop", "main")
    git("rm", "--quiet", "-r", "records/kz/promises/kz-press.toml")
    git("commit", "--quiet", "-m", "Drop kz-press")
    git("checkout", "--quiet", "main")
    on_branch("rate", ["rate", "kz-press", "--verdict", "kept", "--date", "2020-01-01", "--rationale", "Done"])
    git("merge", "--quiet", "drop")
    git("merge", "--quiet", "--no-edit", "rate")  # clean for git: the two branches touched different files
    (orphan,) = Path("records/kz/promises/kz-press/ratings").iterdir()
    result = run_tracker("check")
    assert result.returncode == 1
    assert f"{orphan}: belongs to the promise kz-press, but there is no kz-press.toml beside its folder" \
        in result.stderr
    assert run_tracker("report").returncode == 1


# ---------------------------------------------------------------------------
# Migration

def report_json(root: Path) -> str:
    done = run_tracker("--records", str(root), "report", "--as-of", AS_OF, "--format", "json", timeout=1200)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_migrating_the_shipped_records_loses_nothing_and_gives_what_the_walkthrough_makes(isolated):
    root = isolated / "records"
    shutil.copytree(OLD_SHIPPED, root)
    check = run_tracker("check")
    assert check.returncode == 0
    assert "warning: 6 file(s) are in the earlier layout" in check.stderr and check.stderr.count("warning:") == 1
    assert "run `tracker migrate`" in check.stderr
    before = report_json(root)
    assert run_tracker("migrate").returncode == 0
    assert report_json(root) == before
    assert snapshot(root) == {k: v for k, v in snapshot(SHIPPED).items()}
    again = run_tracker("migrate")
    assert again.returncode == 0 and "Nothing to convert" in again.stderr
    assert snapshot(root) == snapshot(SHIPPED)
    assert "0 errors, 0 warnings" in run_tracker("check").stderr


def test_migrate_commit_commits_every_file_it_moved(isolated):
    shutil.copytree(OLD_SHIPPED, isolated / "records")
    git("init", "--quiet", "--initial-branch=main")
    git("add", "records")
    git("commit", "--quiet", "-m", "Old layout")
    assert run_tracker("migrate", "--commit").returncode == 0
    assert git("status", "--porcelain").stdout == ""
    # Five events moved (ten paths), five links and a statement written, the promise's file cut down; and
    # tracker.toml and two schema files brought up to date with the stances added since.
    assert len(git("diff", "--name-only", "--no-renames", "HEAD~1", "HEAD").stdout.split()) == 20
    assert git("show", "--name-only", "--format=", "HEAD").stdout.split() == \
        git("diff", "--name-only", "HEAD~1", "HEAD").stdout.split()


def generate(target: Path, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "benchmarks.generate", str(target), *args], cwd=REPO, check=True,
                   capture_output=True)


@pytest.mark.parametrize("events", [2000] + ([100_000] if os.environ.get("TRACKER_LARGE") == "1" else []))
def test_migrating_a_generated_corpus_gives_the_same_report_and_the_same_files(tmp_path, events):
    """TRACKER_LARGE=1 adds the run at 100,000 events (a few minutes)."""
    old, new = tmp_path / "old", tmp_path / "new"
    size = ["--promises", str(max(20, events // 50)), "--events", str(events), "--countries", "20", "--seed", "7"]
    generate(old, *size, "--old-layout")
    generate(new, *size)
    before = report_json(old)
    assert run_tracker("--records", str(old), "migrate", timeout=1200).returncode == 0
    assert report_json(old) == before == report_json(new)
    assert snapshot(old) == snapshot(new)  # what the write commands would have written
    assert "Nothing to convert" in run_tracker("--records", str(old), "migrate", timeout=1200).stderr


def test_no_folder_holds_more_than_3000_entries(tmp_path):
    root = tmp_path / "records"
    generate(root, "--promises", "10", "--events", "20000", "--countries", "1", "--years", "2019-2019", "--seed", "2")
    sizes = {folder: len(os.listdir(folder)) for folder, _, _ in os.walk(root)}
    assert max(sizes.values()) <= 3000, max(sizes.items(), key=lambda item: item[1])
    assert sum(1 for _ in root.rglob("*.toml")) > 20000 + 10  # events, promises, and their links


# ---------------------------------------------------------------------------
# The layout's one home

def test_every_shipped_file_has_a_kind_by_its_place():
    from tracker.layout import kind_of_place

    kinds = {path.relative_to(SHIPPED).as_posix(): kind_of_place(path.relative_to(SHIPPED).parts)
             for path in SHIPPED.rglob("*.toml") if path.name != "tracker.toml"}
    assert sorted(set(kinds.values())) == ["event", "link", "promise", "statement"]


def test_migrate_writes_a_line_for_a_new_stance_and_keeps_every_other_byte_of_the_settings(isolated):
    shutil.copytree(OLD_SHIPPED, isolated / "records")
    settings = isolated / "records/tracker.toml"
    mine = settings.read_text(encoding="utf-8").replace("contradicts = 1\n", "contradicts = 1.5  # ours\n")
    settings.write_text(mine, encoding="utf-8")
    assert run_tracker("migrate").returncode == 0
    assert settings.read_text(encoding="utf-8") == mine.replace("# ours\n", "# ours\npartly-breaks = 2\n")
    assert run_tracker("migrate").returncode == 0  # nothing more to add
    assert settings.read_text(encoding="utf-8").count("partly-breaks") == 1


def test_migrate_leaves_settings_written_another_way_and_schemas_it_did_not_write(isolated):
    shutil.copytree(OLD_SHIPPED, isolated / "records")
    settings = isolated / "records/tracker.toml"
    inline = '[scoring]\nmultipliers = { fulfills = 3 }\n'
    settings.write_text(inline, encoding="utf-8")
    theirs = isolated / "records/schema/event.schema.json"
    theirs.write_text('{"title": "Our own event schema"}\n', encoding="utf-8")
    assert run_tracker("migrate").returncode == 0
    assert settings.read_text(encoding="utf-8") == inline
    assert theirs.read_text(encoding="utf-8") == '{"title": "Our own event schema"}\n'
    assert "partly-breaks" in (isolated / "records/schema/config.schema.json").read_text(encoding="utf-8")


def test_migrate_keeps_crlf_line_endings_and_leaves_a_file_it_cannot_read(isolated):
    shutil.copytree(OLD_SHIPPED, isolated / "records")
    settings = isolated / "records/tracker.toml"
    crlf = settings.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    settings.write_bytes(crlf)
    assert run_tracker("migrate").returncode == 0
    assert settings.read_bytes() == crlf.replace(b"contradicts = 1\r\n", b"contradicts = 1\r\npartly-breaks = 2\r\n")
    latin1 = crlf + "# café\n".encode("latin-1")
    settings.write_bytes(latin1)
    result = run_tracker("migrate")
    assert "Traceback" not in result.stderr and settings.read_bytes() == latin1


def test_migrate_leaves_a_schema_a_person_edited(isolated):
    shutil.copytree(OLD_SHIPPED, isolated / "records")
    edited = isolated / "records/schema/event.schema.json"
    text = edited.read_text(encoding="utf-8").replace('"title": ', '"description": "our notes",\n  "title": ', 1)
    edited.write_text(text, encoding="utf-8")
    assert run_tracker("migrate").returncode == 0
    assert edited.read_text(encoding="utf-8") == text
    assert "partly-breaks" in (isolated / "records/schema/config.schema.json").read_text(encoding="utf-8")
