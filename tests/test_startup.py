"""Start-up stays fast: --version and --help import neither Rich nor the renderer nor the TOML parser."""

import subprocess
import sys

import pytest
from helpers import REPO

HEAVY = ("rich", "tracker.render", "tracker.serialise", "tracker.serialise_changes", "tracker.score",
         "tracker.validate", "tomli", "tomli_w", "iso3166", "pycountry", "anyascii")


@pytest.mark.parametrize("option", ["--version", "--help"])
def test_start_up_imports_nothing_heavy(option: str):
    probe = (f"import sys\nsys.argv = ['tracker', {option!r}]\nfrom cli import main\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "print(' '.join(sorted(sys.modules)), file=sys.stderr)")
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True)
    loaded = set(result.stderr.split())
    assert "click" in loaded, "the probe must see the modules the command loaded"
    assert not {m for m in loaded if m.split(".")[0] in HEAVY or m in HEAVY}
