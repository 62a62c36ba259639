"""The README's walkthrough, run as written, makes exactly the shipped records."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import REPO, SHIPPED, snapshot


def shell_block_after(heading: str, page: str = "README.md") -> str:
    text = (REPO / page).read_text()
    section = text[text.index(heading):]
    return re.search(r"```sh\n(.*?)```", section, re.S).group(1)


def test_walkthrough_reproduces_the_shipped_records(isolated: Path):
    bin_dir = isolated / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "tracker"
    shim.write_text(f"#!/bin/sh\nexec {sys.executable} -c 'from cli import main; main()' \"$@\"\n")
    shim.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "PYTHONPATH": str(REPO)}
    script = shell_block_after("## Walkthrough")
    subprocess.run(["bash", "-e", "-c", script], cwd=isolated, env=env, check=True, capture_output=True)
    made = snapshot(isolated / "records")
    shipped = snapshot(SHIPPED)
    assert made.keys() == shipped.keys()
    assert made == shipped
