"""Git-native tracking, on real git repositories in temporary directories."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO, SHIPPED, run_tracker, shell_env, snapshot

from tracker.dates import PartialDate
from tracker.layout import hook_regex

PROMISE = "kz-assembly-law"
RALLY = "records/kz/events/2019/09/kz-2019-09-21-dvk-rally.toml"
PROMISE_FILE = f"records/kz/promises/{PROMISE}.toml"
RALLY_LINK = f"records/kz/promises/{PROMISE}/links/c7/kz-2019-09-21-dvk-rally.toml"
SOURCE = "https://www.hrw.org/news/2019/09/24/mass-arrests-cast-doubt-rights-reform-kazakhstan"


def git(*args: str, cwd: Path | None = None) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture
def repo(kz: Path) -> Path:
    """The shipped records in a git repository with one commit; returns the work tree's root."""
    work = kz.parent
    git("init", "--quiet", "--initial-branch=main", cwd=work)
    git("add", "records", cwd=work)
    git("commit", "--quiet", "-m", "Shipped records", cwd=work)
    return work


def add_event(tracker, ident: str, stance: str = "contradicts", date: str = "2019-09-25", *extra: str):
    return tracker("add-event", "--country", "KZ", "--date", date, "--title", f"Event {ident}", "--id", ident,
                   f"--{stance}", PROMISE, "--source", SOURCE, *extra)


def committed_files(rev: str = "HEAD") -> list[str]:
    return git("show", "--name-only", "--format=", rev).split()


def subject(rev: str = "HEAD") -> str:
    return git("log", "-1", "--format=%s", rev).strip()


def verdict(tracker, *args: str) -> tuple[str, int | None]:
    data = json.loads(tracker("report", "--format", "json", *args).stdout)
    (promise,) = data["promises"]
    return promise["verdict"], promise["score"]


# ---------------------------------------------------------------------------
# --commit

def test_commit_commits_exactly_the_written_file_and_leaves_other_staged_changes(tracker, repo):
    Path("notes.txt").write_text("draft\n")
    Path(RALLY).write_text(Path(RALLY).read_text() + "# staged edit\n")
    git("add", "notes.txt", RALLY)
    Path(PROMISE_FILE).write_text(Path(PROMISE_FILE).read_text() + "# unstaged edit\n")

    result = add_event(tracker, "kz-2019-09-25-new", "contradicts", "2019-09-25", "--commit")

    assert committed_files() == ["records/kz/events/2019/09/kz-2019-09-25-new.toml",
                                 f"records/kz/promises/{PROMISE}/links/6c/kz-2019-09-25-new.toml"]
    assert subject() == f"Add event kz-2019-09-25-new (contradicts {PROMISE})"
    assert git("diff", "--cached", "--name-only").split() == ["notes.txt", RALLY]
    assert git("diff", "--name-only").split() == [PROMISE_FILE]
    assert "Committed" in result.stderr and result.stdout.splitlines()[-1] == "kz-2019-09-25-new"


@pytest.mark.parametrize("args, message", [
    (["add-promise", "--country", "KZ", "--official", "Kassym-Jomart Tokayev", "--title", "Free the press",
      "--date", "2019-06", "--id", "kz-press"], "Add promise kz-press (Kassym-Jomart Tokayev, 2019-06)"),
    (["restate", PROMISE, "--date", "2019-12-20", "--venue", "Press conference"],
     f"Restate {PROMISE} (2019-12-20, Press conference)"),
    (["rate", PROMISE, "--verdict", "compromise", "--date", "2020-05-25", "--rationale", "New law", "--by", "Ana"],
     f"Rate {PROMISE} compromise (2020-05-25, by Ana)"),
])
def test_every_write_command_commits(tracker, repo, args, message):
    tracker(*args, "--commit")
    assert subject() == message
    (path,) = committed_files()
    assert git("status", "--porcelain") == ""
    assert path.startswith("records/kz/promises/")


def test_auto_commit_in_tracker_toml_makes_commit_the_default(tracker, repo):
    config = Path("records/tracker.toml")
    config.write_text("auto_commit = true\n" + config.read_text())
    git("commit", "--quiet", "-am", "Commit by default")
    add_event(tracker, "kz-2019-09-25-auto")
    assert subject() == f"Add event kz-2019-09-25-auto (contradicts {PROMISE})"
    add_event(tracker, "kz-2019-09-26-not", "contradicts", "2019-09-26", "--no-commit")
    assert subject() == f"Add event kz-2019-09-25-auto (contradicts {PROMISE})"
    assert git("status", "--porcelain", "--untracked-files=all").split() == [
        "??", "records/kz/events/2019/09/kz-2019-09-26-not.toml",
        "??", f"records/kz/promises/{PROMISE}/links/e0/kz-2019-09-26-not.toml"]


@pytest.mark.parametrize("args", [["restate", PROMISE, "--date", "2019-12-20", "--commit"],
                                  ["restate", PROMISE, "--date", "2019-12-20"]])  # the second by auto_commit
def test_commit_outside_a_work_tree_is_refused_and_writes_nothing(tracker, kz, args):
    if "--commit" not in args:
        config = kz / "tracker.toml"
        config.write_text("auto_commit = true\n" + config.read_text())
    before = snapshot(kz)
    result = tracker(*args, code=1)
    assert result.stderr.splitlines() == [
        "error: records is not inside a git work tree, so nothing can be committed; nothing was written. "
        "Run `git init`, or write without committing (--no-commit)"]
    assert snapshot(kz) == before


def test_init_git_creates_a_repository_and_commits_the_settings(tracker, isolated):
    tracker("init", "--git", "data")
    assert (isolated / "data" / ".git").is_dir()
    assert git("log", "--format=%s", cwd=isolated / "data").strip() == "Start a records directory in data"
    assert git("ls-files", cwd=isolated / "data").split() == [
        ".gitignore", "schema/config.schema.json", "schema/event.schema.json", "schema/promise.schema.json",
        "schema/term.schema.json", "tracker.toml"]


def test_init_git_inside_a_repository_adds_no_second_one(tracker, isolated):
    git("init", "--quiet")
    Path("other.txt").write_text("x\n")
    git("add", "other.txt")
    result = tracker("init", "--git")
    assert f"Already in the git repository at {isolated}" in result.stderr
    assert not (isolated / "records" / ".git").exists()
    assert committed_files() == ["records/.gitignore", "records/schema/config.schema.json",
                                 "records/schema/event.schema.json", "records/schema/promise.schema.json",
                                 "records/schema/term.schema.json", "records/tracker.toml"]
    assert git("diff", "--cached", "--name-only").split() == ["other.txt"]


# ---------------------------------------------------------------------------
# report --at

def test_report_at_reads_older_commits_from_git_only(tracker, repo):
    tracker("rate", PROMISE, "--verdict", "compromise", "--date", "2019-09-28", "--rationale", "Draft law",
            "--commit")
    add_event(tracker, "kz-2019-09-25-more", "consistent", "2019-09-25", "--commit")
    Path(RALLY).unlink()  # the work tree differs from every commit; --at must not look at it
    Path(RALLY_LINK).unlink()
    before = snapshot(repo)

    assert verdict(tracker, "--at", "HEAD~2", "--as-of", "2019-09-30") == ("contradicted", 17)
    assert verdict(tracker, "--at", "HEAD~1", "--as-of", "2019-09-30") == ("compromise", 17)
    assert verdict(tracker, "--at", "HEAD", "--as-of", "2019-09-30") == ("compromise", 23)
    assert verdict(tracker, "--at", "main~2", "--as-of", "2019-06-30") == ("contradicted", 0)
    assert verdict(tracker, "--as-of", "2019-09-30") == ("compromise", 30)  # the work tree, without the rally
    assert snapshot(repo) == before


@pytest.mark.parametrize("fmt, expected", [("table", "contradicted"), ("csv", ",17,contradicted,"),
                                           ("markdown", "| contradicted |")])
def test_report_at_in_every_format(tracker, repo, fmt, expected):
    tracker("rate", PROMISE, "--verdict", "kept", "--date", "2019-09-28", "--rationale", "x", "--commit")
    result = tracker("report", "--at", "HEAD~1", "--as-of", "2019-09-30", "--format", fmt)
    assert expected in result.stdout and "kept" not in result.stdout


def test_report_at_a_revision_with_errors_names_the_file_as_git_does(tracker, repo):
    Path(RALLY_LINK).write_text('stance = "contradict"\n')
    git("commit", "--quiet", "-am", "Typo")
    commit = git("rev-parse", "HEAD").strip()[:10]
    result = tracker("report", "--at", "HEAD", code=1)
    assert f"{commit}:{RALLY_LINK}:1: stance:" in result.stderr and "'contradict' is not a stance" in result.stderr
    assert "1 error in records at HEAD" in result.stderr


# ---------------------------------------------------------------------------
# diff

@pytest.fixture
def rated(tracker, repo) -> Path:
    """One commit after the shipped records: a rating (verdict change) and an event, both committed."""
    add_event(tracker, "kz-2019-09-25-more", "consistent", "2019-09-25")
    tracker("rate", PROMISE, "--verdict", "compromise", "--date", "2019-09-28", "--rationale", "Draft law")
    git("add", "records")
    git("commit", "--quiet", "-m", "Rate and add an event")
    return repo


def test_diff_table_shows_verdict_score_and_evidence(tracker, rated):
    result = tracker("diff", "HEAD~1", "HEAD", "--as-of", "2019-09-30")
    lines = result.stdout.splitlines()
    assert lines[0] == f"{PROMISE}  Reform the law on peaceful assemblies"
    assert lines[1:4] == ["  verdict  contradicted → compromise", "  score    17 → 23",
                          "  + 2019-09-25 kz-2019-09-25-more consistent (weight 1): Event kz-2019-09-25-more"]
    assert lines[4] == "  + rated compromise 2019-09-28: Draft law"
    assert lines[-1].startswith("1 verdict(s) changed, 1 score(s) changed: HEAD~1 (")


def test_diff_json(tracker, rated):
    data = json.loads(tracker("diff", "HEAD~1", "HEAD", "--as-of", "2019-09-30", "--format", "json").stdout)
    assert data["from"] == {"revision": "HEAD~1", "commit": git("rev-parse", "HEAD~1").strip()}
    assert data["summary"]["verdicts_changed"] == 1
    (change,) = data["changes"]
    assert change["verdict"] == {"before": "contradicted", "after": "compromise"}
    assert change["score"] == {"before": 17, "after": 23}
    assert [e["event"] for e in change["evidence_added"]] == ["kz-2019-09-25-more"]
    assert change["evidence_removed"] == [] and change["ratings_added"][0]["verdict"] == "compromise"


def test_diff_markdown_for_a_pull_request(tracker, rated):
    result = tracker("diff", "HEAD~1", "HEAD", "--as-of", "2019-09-30", "--format", "markdown")
    assert result.stdout.startswith("### Verdicts: HEAD~1 (")
    assert "| Promise | Verdict | Score | Evidence |" in result.stdout
    assert (f"| **{PROMISE}** Reform the law on peaceful assemblies | contradicted → **compromise** | 17 → 23 | "
            "+ 2019-09-25 kz-2019-09-25-more consistent (weight 1): Event kz-2019-09-25-more<br>"
            "+ rated compromise 2019-09-28: Draft law |") in result.stdout


def test_diff_defaults_to_head_against_the_work_tree_and_sees_removed_evidence(tracker, repo):
    assert tracker("diff", "--exit-code").stdout.strip().startswith("no changes: HEAD (")
    Path(RALLY).unlink()
    Path(RALLY_LINK).unlink()
    result = tracker("diff", "--as-of", "2019-09-30", "--format", "json", "--exit-code", code=0)
    (change,) = json.loads(result.stdout)["changes"]
    assert json.loads(result.stdout)["to"] == {"revision": "work tree", "commit": None}
    assert change["score"] == {"before": 17, "after": 22} and not change["verdict_changed"]
    assert [e["event"] for e in change["evidence_removed"]] == ["kz-2019-09-21-dvk-rally"]


def test_diff_exit_code_is_1_when_a_verdict_changed(tracker, rated):
    tracker("diff", "HEAD~1", "HEAD", "--as-of", "2019-09-30", "--exit-code", code=1)
    tracker("diff", "HEAD~1", "HEAD", "--as-of", "2019-09-30", code=0)
    tracker("diff", "HEAD~1", "HEAD~1", "--as-of", "2019-09-30", "--exit-code", code=0)


def test_diff_sees_a_promise_added(tracker, repo):
    tracker("add-promise", "--country", "KZ", "--official", "Kassym-Jomart Tokayev", "--title", "Free the press",
            "--date", "2019-06", "--id", "kz-press", "--commit")
    result = tracker("diff", "HEAD~1", "HEAD", "--as-of", "2019-09-30", "--exit-code", code=1)
    assert result.stdout.splitlines()[:4] == ["kz-press  Free the press  (added)", "  verdict  – → not-rated",
                                              "  score    –", "  + made 2019-06"]


# ---------------------------------------------------------------------------
# history

def test_history_by_evidence_date(tracker, repo):
    data = json.loads(tracker("history", PROMISE, "--as-of", "2019-09-30", "--format", "json").stdout)
    steps = [(s["date"], s["what"], s["verdict"], s["score"]) for s in data["steps"]]
    assert steps == [
        ("2019-06-30", ["made 2019-06", "kz-2019-06-election-protest-detentions contradicts"], "contradicted", 0),
        ("2019-08-31", ["kz-2019-08-reform-march-no-detentions consistent"], "contradicted", 17),
        ("2019-09-02", ["restated 2019-09-02"], "contradicted", 17),
        ("2019-09-21", ["kz-2019-09-21-dvk-rally contradicts"], "contradicted", 11),
        ("2019-09-30", ["kz-2019-09-activists-custody-fines contradicts",
                        "kz-2019-09-anti-china-protests-no-arrests consistent"], "contradicted", 17),
    ]
    table = tracker("history", PROMISE, "--as-of", "2019-09-30").stdout
    assert "2019-09-21   kz-2019-09-21-dvk-rally contradicts" in table


def test_history_by_revision(tracker, repo):
    add_event(tracker, "kz-2019-09-25-more", "consistent", "2019-09-25", "--commit")
    tracker("rate", PROMISE, "--verdict", "compromise", "--date", "2019-09-28", "--rationale", "x", "--commit")
    git("commit", "--quiet", "--allow-empty", "-m", "Unrelated")
    data = json.loads(tracker("history", PROMISE, "--revisions", "--as-of", "2019-09-30", "--format", "json").stdout)
    rows = [(r["subject"], r["author"], r["verdict"], r["score"]) for r in data["revisions"]]
    assert rows == [("Shipped records", "Ana Researcher", "contradicted", 17),
                    (f"Add event kz-2019-09-25-more (consistent {PROMISE})", "Ana Researcher", "contradicted", 23),
                    (f"Rate {PROMISE} compromise (2019-09-28)", "Ana Researcher", "compromise", 23)]
    assert data["revisions"][-1]["commit"] == git("rev-parse", "HEAD~1").strip()
    table = tracker("history", PROMISE, "--revisions", "--as-of", "2019-09-30").stdout
    assert "Shipped records" in table and "Unrelated" not in table


# ---------------------------------------------------------------------------
# Merges

def test_parallel_branches_merge_without_conflict(tracker, repo):
    git("checkout", "--quiet", "-b", "detentions")
    add_event(tracker, "kz-2019-10-01-detained", "contradicts", "2019-10-01", "--commit")
    tracker("restate", PROMISE, "--date", "2019-12-20", "--venue", "Press conference", "--commit")
    git("checkout", "--quiet", "main")
    git("checkout", "--quiet", "-b", "reforms")
    add_event(tracker, "kz-2019-10-02-draft", "advances", "2019-10-02", "--commit")
    add_event(tracker, "kz-2019-10-03-allowed", "consistent", "2019-10-03", "--commit")
    git("checkout", "--quiet", "main")
    git("merge", "--quiet", "--no-ff", "--no-edit", "detentions")
    git("merge", "--quiet", "--no-ff", "--no-edit", "reforms")  # a real three-way merge: would raise on conflict

    assert git("status", "--porcelain") == "" and len(git("rev-list", "--merges", "HEAD").split()) == 2
    assert "0 errors" in tracker("check").stderr
    data = json.loads(tracker("show", PROMISE, "--format", "json").stdout)
    events = {e["event"] for e in data["assessment"]["evidence"]}
    assert {"kz-2019-10-01-detained", "kz-2019-10-02-draft", "kz-2019-10-03-allowed"} <= events
    assert "2019-12-20" in data["assessment"]["statements"]


# ---------------------------------------------------------------------------
# Errors

@pytest.mark.parametrize("args", [["report", "--at", "no-such-branch"], ["diff", "no-such-branch"],
                                  ["diff", "HEAD", "no-such-branch"]])
def test_unknown_revision_is_one_line_and_a_usage_error(tracker, repo, args):
    result = tracker(*args, code=2)
    assert result.stderr.splitlines() == [
        f"error: unknown revision 'no-such-branch' in the repository at {repo}; `git log` lists them"]


@pytest.mark.parametrize("args", [["report", "--at", "HEAD"], ["diff"], ["history", PROMISE, "--revisions"]])
def test_no_repository_is_one_line(tracker, kz, args):
    result = tracker(*args, code=1)
    assert result.stderr.splitlines() == [
        "error: records is not inside a git work tree, so it has no revisions; run `git init` there"]


@pytest.mark.parametrize("args", [["report", "--at", "HEAD"], ["diff"], ["add-event", "--country", "KZ", "--date",
                                  "2019-09-25", "--title", "x", "--commit"], ["init", "--git", "fresh"]])
def test_no_git_is_one_line(repo, tmp_path, args):
    empty = tmp_path / "no-git-here"
    empty.mkdir()
    before = snapshot(repo)
    result = run_tracker(*args, cwd=repo, env={"PATH": str(empty)})
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "error: git is not installed (no `git` on PATH); install it from https://git-scm.com"]
    assert snapshot(repo) == before


# ---------------------------------------------------------------------------
# The git guide's session (docs/git.md), run as written

def session_after(heading: str) -> list[tuple[str, str]]:
    """(command, its output) for each `$ command` in the first text block after heading."""
    text = (REPO / "docs/git.md").read_text()
    block = re.search(r"```text\n(.*?)```", text[text.index(heading):], re.S).group(1)
    pairs: list[tuple[list[str], list[str]]] = []
    continued = False
    for line in block.splitlines():
        if line.startswith("$ ") or continued:
            if not continued:
                pairs.append(([], []))
            pairs[-1][0].append(line.removeprefix("$ "))
            continued = line.endswith("\\")
        else:
            pairs[-1][1].append(line)
    return [("\n".join(command), "\n".join(output)) for command, output in pairs]


def test_readme_git_session_is_real(isolated, tmp_path):
    shutil.copytree(SHIPPED, isolated / "records")  # where the walkthrough leaves it (test_readme proves that)
    moment = "2026-11-27T14:30:00+00:00"  # the guide's run, for the dates it shows
    env = shell_env(tmp_path, GIT_AUTHOR_NAME="A. Researcher", GIT_AUTHOR_EMAIL="researcher@example.org",
                    GIT_COMMITTER_NAME="A. Researcher", GIT_COMMITTER_EMAIL="researcher@example.org",
                    GIT_AUTHOR_DATE=moment, GIT_COMMITTER_DATE=moment)
    session = session_after("### A session")
    assert len(session) >= 8
    for command, expected in session:
        done = subprocess.run(["bash", "-c", "{\n" + command + "\n} 2>&1"], cwd=isolated, env=env,
                              capture_output=True, text=True)
        got = "\n".join(line.rstrip() for line in done.stdout.splitlines())
        assert commit_ids(got) == commit_ids(expected), f"$ {command}"


def commit_ids(text: str) -> str:
    """Commit IDs hash every record's bytes; a change to the shipped records changes them, not the session."""
    return re.sub(r"\b[0-9a-f]{7,10}\b", "<commit>", text)


def test_pre_commit_hook_runs_check_on_commits_that_touch_records(kz):
    """The hook definition as pre-commit reads it: which files trigger it, and what it runs."""
    spec = (REPO / ".pre-commit-hooks.yaml").read_text()
    field = {key: value.strip() for key, value in re.findall(r"^\s+(\w+): (.*)$", spec, re.M)}
    assert field["files"] == hook_regex()  # the layout has one home; the hook follows it
    files = re.compile(field["files"])
    shipped = [f"records/{path.relative_to(SHIPPED).as_posix()}" for path in SHIPPED.rglob("*.toml")]
    for path in (*shipped, "kz/events/2019/x.toml", "kz/promises/p/links/ab/e.toml",
                 "kz/terms/t.toml"):
        assert files.search(path), path
    for path in ("README.md", "pyproject.toml", "records/kz/notes.toml", ".pre-commit-config.yaml",
                 "kz/promises/p/links/e.toml", "kz/events/19/x.toml"):
        assert not files.search(path), path
    assert (field["entry"], field["args"], field["pass_filenames"]) == ("tracker", "[check]", "false")
    assert run_tracker("check", cwd=kz.parent).returncode == 0
    (kz.parent / RALLY).write_text("title = \n")
    assert run_tracker("check", cwd=kz.parent).returncode == 1


def test_writing_without_commit_needs_no_git(kz, tmp_path):
    empty = tmp_path / "no-git-here"
    empty.mkdir()
    result = run_tracker("add-event", "--country", "KZ", "--date", "2019-09-25", "--title", "x", "--id", "kz-x",
                         cwd=kz.parent, env={"PATH": str(empty)})
    assert (result.returncode, result.stdout) == (0, "kz-x\n")


def test_report_at_points_at_the_line_of_a_cross_record_problem(tracker, repo):
    """A link to an unknown promise is found across files; its line comes from git, not the work tree."""
    Path(RALLY).write_text(Path(RALLY).read_text() + '\n[[links]]\npromise = "kz-x"\nstance = "contradicts"\n')
    git("commit", "--quiet", "-am", "Bad link")
    git("checkout", "--quiet", "HEAD~1", "--", RALLY)  # the work tree no longer has the bad line
    commit = git("rev-parse", "HEAD").strip()[:10]
    result = tracker("report", "--at", "HEAD", code=1)
    assert f"{commit}:{RALLY}:19: links[0].promise: no promise has the ID 'kz-x'\n" in result.stderr
    assert '  19 | promise = "kz-x"\n' in result.stderr


# ---------------------------------------------------------------------------
# Revisions and paths handed to git

@pytest.mark.parametrize("args", [["report", "--at", ""], ["report", "--at", "^HEAD"], ["diff", "^HEAD"],
                                  ["diff", "HEAD", ""], ["report", "--at", "  "]])
def test_an_empty_or_negated_revision_is_a_usage_error(tracker, repo, args):
    result = tracker(*args, code=2)
    assert "Traceback" not in result.stderr and result.stderr.count("\n") <= 4


def test_a_records_folder_named_like_a_glob_is_taken_literally(tracker, repo):
    """git would read `rec*` as a pattern matching `records` too; a records folder of that name is itself only."""
    shutil.copytree(repo / "records", repo / "rec*", ignore=shutil.ignore_patterns(".tracker-cache"))
    git("add", "rec*")
    git("commit", "--quiet", "-m", "A copy in rec*")
    tracker("rate", PROMISE, "--verdict", "kept", "--date", "2019-09-28", "--rationale", "Only in records",
            "--commit")
    copied = json.loads(tracker("--records", "rec*", "history", PROMISE, "--revisions", "--format", "json").stdout)
    assert [r["subject"] for r in copied["revisions"]] == ["A copy in rec*"]
    data = json.loads(tracker("--records", "rec*", "report", "--at", "HEAD", "--as-of", "2019-09-30",
                              "--format", "json").stdout)
    assert data["promises"][0]["verdict"] == "contradicted"  # the rating went to records/, not rec*/


def test_history_by_revision_of_a_promise_with_very_many_events(tracker, repo):
    """Every linked event's path on git's command line would pass the system's limit on its length."""
    from tracker.layout import event_path, link_path

    root = repo / "records"
    events = 20_000
    for n in range(events):
        ident = f"kz-2019-10-{n:05d}-" + "a-long-title-for-an-event-so-that-the-paths-add-up-quickly-x" + f"-{n}"
        path = event_path(root, "KZ", PartialDate(2019, 10), ident)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f'id = "{ident}"\ncountry = "KZ"\ndate = "2019-10"\ntitle = "Event {n}"\n')
        link = link_path(root / "kz/promises" / f"{PROMISE}.toml", ident)
        link.parent.mkdir(parents=True, exist_ok=True)
        link.write_text('stance = "consistent"\n')
    assert sum(len(str(p)) for p in (root / "kz/events/2019/10").iterdir()) > 2_100_000  # over ARG_MAX
    git("add", "records")
    git("commit", "--quiet", "-m", "Many events")
    data = json.loads(tracker("history", PROMISE, "--revisions", "--as-of", "2019-12-31", "--format", "json").stdout)
    assert [r["subject"] for r in data["revisions"]] == ["Shipped records", "Many events"]
    assert data["revisions"][-1]["score"] is not None


def test_diff_markdown_notifies_no_one(tracker, repo):
    """Pasted into a pull request, record text must not mention people or link issues."""
    tracker("rate", PROMISE, "--verdict", "compromise", "--date", "2019-09-28",
            "--rationale", "Per @octocat and @org/team, see #123 and owner/repo#45", "--commit")
    result = tracker("diff", "HEAD~1", "HEAD", "--as-of", "2019-09-30", "--format", "markdown").stdout
    assert "@&#8203;octocat" in result and "@&#8203;org/team" in result
    assert "#&#8203;123" in result and "repo#&#8203;45" in result
    assert not re.search(r"@\w|(?<!&)#\d", result)
    assert result.startswith("### Verdicts: HEAD~1 (")


def test_init_git_on_an_existing_records_folder_commits_it_whole(tracker, kz):
    tracker("report")  # a parse cache, which git must not take
    result = tracker("init", "--git")
    assert "Initialised a git repository in records" in result.stderr
    files = git("ls-files", cwd=kz).split()
    assert f"kz/promises/{PROMISE}.toml" in files and "tracker.toml" in files
    assert not any(".tracker-cache" in f for f in files)
    assert git("status", "--porcelain", cwd=kz) == ""
    assert "0 errors" in tracker("check").stderr


def test_eight_writers_committing_at_once_all_land(repo):
    writers = [subprocess.Popen([sys.executable, "-c", "from cli import main; main()", "add-event", "--country", "KZ",
                                 "--date", "2019-10-01", "--title", f"Writer {n}", "--id", f"kz-2019-10-01-w{n}",
                                 "--contradicts", PROMISE, "--commit"],
                                cwd=repo, env={**os.environ, "PYTHONPATH": str(REPO)}, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE) for n in range(8)]
    for writer in writers:
        _, err = writer.communicate(timeout=300)
        assert writer.returncode == 0, err
    subjects = git("log", "--format=%s").splitlines()
    assert sorted(s for s in subjects if s.startswith("Add event")) == sorted(
        f"Add event kz-2019-10-01-w{n} (contradicts {PROMISE})" for n in range(8))
    assert git("status", "--porcelain") == ""


def test_a_refused_commit_leaves_the_index_as_it_was(tracker, repo):
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\nexit 1\n")
    hook.chmod(0o755)
    result = tracker("add-event", "--country", "KZ", "--date", "2019-09-25", "--title", "Refused", "--id",
                     "kz-2019-09-25-refused", "--contradicts", PROMISE, "--commit", code=1)
    assert "did not commit it" in result.stderr
    assert git("diff", "--cached", "--name-only") == ""


def workflow_steps() -> list[tuple[str, str]]:
    """(name, run) of each step of the collaboration guide's CI workflow that runs a command."""
    text = (REPO / "docs" / "ci" / "tracker.yml").read_text()
    return re.findall(r"- name: (.+)\n(?:\s+env:\n(?:\s{10}.+\n)+)?\s+run: (.+?)(?:  #.*)?\n", text)


def test_the_ci_workflow_runs_step_by_step(tracker, repo, tmp_path):
    """The steps that need no network run here, in a clone with the base branch as origin/main."""
    steps = workflow_steps()
    assert [name for name, _ in steps] == ["Install tracker", "Check the records",
                                           "What the pull request does to the verdicts", "Post it as a comment"]
    clone = tmp_path / "clone"
    git("clone", "--quiet", str(repo), str(clone))
    git("checkout", "--quiet", "-b", "new-law", cwd=clone)
    done = run_tracker("rate", PROMISE, "--verdict", "compromise", "--date", "2020-05-25", "--rationale",
                       "Thanks @octocat, see #12", "--commit", cwd=clone)
    assert done.returncode == 0, done.stderr
    env = shell_env(tmp_path, GITHUB_BASE_REF="main")
    for name, command in steps[1:3]:  # installing and posting need the network
        done = subprocess.run(["bash", "-e", "-c", command], cwd=clone, env=env, capture_output=True, text=True)
        assert done.returncode == 0, f"{name}: {done.stderr}"
    posted = (clone / "verdicts.md").read_text()
    assert posted.startswith("### Verdicts: origin/main (") and "contradicted → **compromise**" in posted
    assert "@&#8203;octocat" in posted and "#&#8203;12" in posted
