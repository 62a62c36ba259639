"""Benchmarks: a generator of large realistic records directories, and the runner that times tracker on them."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}


def tracker(cwd: Path, *args: str) -> float:
    """Seconds that one `tracker ARGS` run takes, as a separate process, from cwd."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "from cli import main; main()", *args], cwd=cwd, env=ENV, check=True,
                   capture_output=True)
    return time.perf_counter() - start
