"""Helpers that tests import: where the repository and the shipped records are, running tracker in a
process of its own, looking at or changing files as a person would, and what the parse cache holds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHIPPED = REPO / "records"


def run_tracker(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
                timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run tracker in a separate process, as a user's shell would."""
    full_env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run([sys.executable, "-c", "from cli import main; main()", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


def shell_env(folder: Path, **extra: str) -> dict[str, str]:
    """The environment of a shell in which `tracker` runs this checkout, as it runs an installed one:
    a `tracker` script in folder/bin, put first on PATH."""
    bin_dir = folder / "bin"
    bin_dir.mkdir(exist_ok=True)
    shim = bin_dir / "tracker"
    shim.write_text(f"#!/bin/sh\nexec {sys.executable} -c 'from cli import main; main()' \"$@\"\n")
    shim.chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "PYTHONPATH": str(REPO), **extra}


def edit_file(path: str | Path, old: str, new: str) -> None:
    """Change a record by hand, as a person would: the first `old` becomes `new` (which must be there)."""
    file = Path(path)
    text = file.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root with its bytes, to prove that nothing changed (tracker's parse cache is not data)."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".tracker-cache" not in p.parts}


def ctrl_c_reaches_it() -> None:
    """For subprocess preexec_fn: SIGINT at its default and unblocked in the child, as at a shell, whatever
    the test process inherited or set (a child inherits an ignored or blocked signal, and Python then
    leaves Ctrl-C ignored)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def kept_in(root: Path) -> tuple[list[str], list[int], bytes, list[object]]:
    """What the parse cache of root holds: paths, stamps, keyed hashes and results."""
    from tracker.cache import FileCache

    cache = FileCache(root)
    cache._read()
    return cache.paths, cache.stamps.tolist(), bytes(cache.digests), cache.results
