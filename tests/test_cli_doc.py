"""The newcomer's documentation: the CLI reference matches the commands, and the README's own case runs."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from helpers import REPO, shell_env
from test_readme import shell_block_after

from tracker import clidoc


def test_the_cli_reference_is_up_to_date():
    page = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    assert page == clidoc.page(), f"docs/cli.md is stale: regenerate it with `{clidoc.COMMAND}`"


def test_the_cli_reference_has_every_command():
    page = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    for command in ("init", "add-promise", "restate", "add-event", "rate", "list", "show", "report", "site",
                    "check", "import promises", "import events", "diff", "history", "export", "schema"):
        assert f"\n## tracker {command}\n" in page, command
    assert "--country CC              ISO 3166-1 alpha-2 code, such as KZ.  [required]" in page


def test_readme_first_case_runs_as_written(isolated: Path):
    env = shell_env(isolated)
    script = shell_block_after("## A first case of your own")
    done = subprocess.run(["bash", "-e", "-c", script + "\ntracker report --format json\n"], cwd=isolated,
                          env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout[done.stdout.index("{"):])
    assert [(p["id"], p["verdict"]) for p in report["promises"]] == [("fr-open-budget", "kept")]
    assert "1 promise and 1 event valid; 0 errors, 0 warnings" in done.stderr


def test_readme_is_short_and_its_contents_lead_to_its_sections():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 250
    headings = {re.sub(r"[^a-z0-9 -]", "", h.lower()).replace(" ", "-") for h in re.findall(r"^## (.+)$", text, re.M)}
    contents = text[text.index("Contents:"):text.index("## Install")]
    anchors = re.findall(r"\]\(#([^)]+)\)", contents)
    assert len(anchors) >= 4 and set(anchors) <= headings
    for link in re.findall(r"\]\((docs/[^)#]+)", text):
        assert (REPO / link).is_file(), link
