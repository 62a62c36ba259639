"""The README's walkthrough, run as written, makes exactly the shipped records."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from helpers import REPO, SHIPPED, shell_env, snapshot


def shell_block_after(heading: str, page: str = "README.md") -> str:
    text = (REPO / page).read_text()
    section = text[text.index(heading):]
    return re.search(r"```sh\n(.*?)```", section, re.S).group(1)


def test_walkthrough_reproduces_the_shipped_records(isolated: Path):
    env = shell_env(isolated)
    script = shell_block_after("## Walkthrough")
    subprocess.run(["bash", "-e", "-c", script], cwd=isolated, env=env, check=True, capture_output=True)
    made = snapshot(isolated / "records")
    shipped = snapshot(SHIPPED)
    assert made.keys() == shipped.keys()
    assert made == shipped
