"""Start-up stays fast: --version and --help import neither Rich nor the renderer nor the TOML parser."""

import os
import subprocess
import sys

import pytest
from helpers import REPO

HEAVY = ("rich", "tracker.render", "tracker.serialise", "tracker.serialise_changes", "tracker.score",
         "tracker.validate", "tomli", "tomli_w", "iso3166", "pycountry", "anyascii",
         # Each dataclass is built by generated code when its module is imported: the records' types wait
         # for a command that reads or writes records.
         "dataclasses", "tracker.dates", "tracker.model")


@pytest.mark.parametrize("option", ["--version", "--help"])
def test_start_up_imports_nothing_heavy(option: str):
    probe = (f"import sys\nsys.argv = ['tracker', {option!r}]\nfrom cli import main\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "print(' '.join(sorted(sys.modules)), file=sys.stderr)")
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True)
    loaded = set(result.stderr.split())
    assert "click" in loaded, "the probe must see the modules the command loaded"
    assert not {m for m in loaded if m.split(".")[0] in HEAVY or m in HEAVY}


# What a write that does not commit must not import: git's module and subprocess (only a commit runs git), Rich
# (a write's one line goes out without it when stderr is not a terminal), the close-match finder (only a typo
# pays for a suggestion), hashlib (it loads OpenSSL; a file name's hash comes from tracker.layout.sha256), and,
# for a write that reads no record with a country, the table of countries (rate reads its promise, to refuse a
# rating dated before the pledge).
NOT_FOR_A_WRITE = ("tracker.gitrepo", "subprocess", "rich", "difflib", "glob", "tempfile", "hashlib")
NO_COUNTRY = ("iso3166", "tracker.countries")
SRC = "https://example.org/report"


def test_a_write_imports_only_what_it_uses(tracker, records):
    tracker("add-promise", "--country", "KZ", "--official", "T", "--title", "Reform", "--date", "2019-06",
            "--id", "kz-reform", "--source", SRC)
    tracker("add-promise", "--country", "KZ", "--official", "T", "--title", "Courts", "--date", "2019-06",
            "--id", "kz-courts", "--source", SRC)
    writes = {
        "add-event": ["add-event", "--country", "KZ", "--date", "2019-09", "--title", "Rally", "--id", "kz-rally",
                      "--contradicts", "kz-reform", "--source", SRC],
        "link": ["link", "kz-rally", "--consistent", "kz-courts"],
        "restate": ["restate", "kz-reform", "--date", "2019-09", "--source", SRC],
        "rate": ["rate", "kz-reform", "--verdict", "kept", "--date", "2020", "--rationale", "Done"],
    }
    for name, args in writes.items():
        probe = (f"import sys\nsys.argv = ['tracker', *{args!r}]\nfrom cli import main\n"
                 "try:\n    main()\nexcept SystemExit as exit:\n    assert not exit.code, exit.code\n"
                 "print(' '.join(sorted(sys.modules)), file=sys.stderr)")
        result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                                env={**os.environ, "PYTHONPATH": str(REPO)})
        loaded = set(result.stderr.splitlines()[-1].split())
        assert "tracker.store" in loaded, f"{name} must have written through the store"
        unwanted = NOT_FOR_A_WRITE + (NO_COUNTRY if name in ("link", "restate") else ())
        assert not {m for m in loaded if m.split(".")[0] in unwanted or m in unwanted}, name
    assert len(list(records.rglob("*.toml"))) == 8  # the settings, 2 promises, an event, 2 links, a statement, a rating


def test_a_write_looks_for_each_record_once(tracker, records):
    """Finding a record by its ID lists folders (every month folder, for an event): a write looks for each
    record it names once, and for a new record's ID once, to keep IDs unique."""
    tracker("add-promise", "--country", "KZ", "--official", "T", "--title", "Reform", "--date", "2019-06",
            "--id", "kz-reform", "--source", SRC)
    tracker("add-promise", "--country", "KZ", "--official", "T", "--title", "Courts", "--date", "2019-06",
            "--id", "kz-courts", "--source", SRC)
    writes = {
        "add-event": (["add-event", "--country", "KZ", "--date", "2019-09", "--title", "Rally", "--id", "kz-rally",
                       "--contradicts", "kz-reform", "--source", SRC], ["kz-reform", "kz-rally"]),
        "link": (["link", "kz-rally", "--consistent", "kz-courts"], ["kz-rally", "kz-courts"]),
        "restate": (["restate", "kz-reform", "--date", "2019-09", "--source", SRC], ["kz-reform"]),
        "rate": (["rate", "kz-reform", "--verdict", "kept", "--date", "2020", "--rationale", "Done"], ["kz-reform"]),
    }
    for name, (args, looked_for) in writes.items():
        probe = (f"import sys\nsys.argv = ['tracker', *{args!r}]\nimport tracker.store as store\nfrom cli import main\n"
                 "found, asked = store.find_record, []\n"
                 "def counted(root, ident):\n    asked.append(ident)\n    return found(root, ident)\n"
                 "store.find_record = counted\n"
                 "try:\n    main()\nexcept SystemExit as exit:\n    assert not exit.code, exit.code\n"
                 "print(' '.join(asked), file=sys.stderr)")
        result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                                env={**os.environ, "PYTHONPATH": str(REPO)})
        assert result.stderr.splitlines()[-1].split() == looked_for, name
