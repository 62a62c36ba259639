"""`site`, `export` and `show --chart` write outside the records by one set of rules (tracker.safeout):
never through a link, never in the records, never deleting what they did not write, all or nothing.

Every case runs against a real output folder with real links, and checks that files outside it are untouched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import run_tracker, snapshot

AS_OF = "2019-09-30"
LAW = "kz-assembly-law"


@pytest.fixture
def outside(isolated: Path) -> Path:
    """A folder outside the output, with a file that must never change."""
    folder = isolated / "outside"
    folder.mkdir()
    (folder / f"{LAW}.html").write_text("a person's file\n", encoding="utf-8")
    (folder / "victim.txt").write_text("a person's file\n", encoding="utf-8")
    return folder


def test_site_refuses_a_link_to_a_folder_outside_and_writes_nothing_through_it(tracker, kz, outside):
    tracker("site", "site", "--as-of", AS_OF)
    shutil.rmtree("site/promises")
    os.symlink(outside, "site/promises")
    before = snapshot(outside)
    error = tracker("site", "site", "--as-of", AS_OF, code=1).stderr
    assert "site/promises was not written by `tracker site`" in error
    assert snapshot(outside) == before
    assert os.readlink("site/promises") == str(outside)


def test_site_never_replaces_a_link_it_did_not_make(tracker, kz, outside):
    tracker("site", "site", "--as-of", AS_OF)
    os.unlink("site/index.html")
    os.symlink(outside / "victim.txt", "site/index.html")
    before = snapshot(outside)
    tracker("site", "site", "--as-of", AS_OF, code=1)
    assert snapshot(outside) == before
    assert Path("site/index.html").is_symlink()


def test_a_link_elsewhere_in_the_site_is_kept_as_a_link_and_not_followed(tracker, kz, outside):
    tracker("site", "site", "--as-of", AS_OF)
    os.symlink(outside, "site/elsewhere")
    before = snapshot(outside)
    tracker("site", "site", "--as-of", AS_OF, "--title", "Another title")
    assert snapshot(outside) == before
    assert os.readlink("site/elsewhere") == str(outside)
    assert "Another title" in Path("site/index.html").read_text(encoding="utf-8")


def test_a_stale_file_is_removed_only_if_its_bytes_are_what_was_written(tracker, kz):
    tracker("add-promise", "--country", "KZ", "--official", "A. Official", "--title", "Publish the budget",
            "--date", "2019-01", "--id", "kz-budget", "--source", "https://example.org/a")
    tracker("add-promise", "--country", "KZ", "--official", "A. Official", "--title", "Open the archive",
            "--date", "2019-01", "--id", "kz-archive", "--source", "https://example.org/b")
    tracker("site", "site", "--as-of", AS_OF)
    edited = Path("site/promises/kz-budget.html")
    edited.write_text(edited.read_text(encoding="utf-8") + "<!-- my note -->\n", encoding="utf-8")
    os.unlink("records/kz/promises/kz-budget.toml")
    os.unlink("records/kz/promises/kz-archive.toml")
    result = tracker("site", "site", "--as-of", AS_OF)
    assert "removed 1 stale file(s)" in result.stderr
    assert not Path("site/promises/kz-archive.html").exists()
    assert "<!-- my note -->" in edited.read_text(encoding="utf-8")  # changed since it was written: kept


def test_a_forged_manifest_line_deletes_nothing(tracker, kz):
    tracker("site", "site", "--as-of", AS_OF)
    Path("site/notes.txt").write_text("mine\n", encoding="utf-8")
    with open("site/.tracker-site", "a", encoding="utf-8") as manifest:
        manifest.write("0" * 64 + "  notes.txt\nnotes.txt\n")
    tracker("site", "site", "--as-of", AS_OF)
    assert Path("site/notes.txt").read_text(encoding="utf-8") == "mine\n"


@pytest.mark.parametrize("where", ["records/site", "."])
def test_site_never_writes_in_or_over_the_records(tracker, kz, where):
    before = snapshot(kz)
    error = tracker("--records", str(kz), "site", where, "--as-of", AS_OF, code=1).stderr
    assert "records directory" in error
    assert snapshot(kz) == before


def test_export_never_replaces_a_link_nor_writes_through_it(tracker, kz, outside):
    Path("out").mkdir()
    os.symlink(outside / "victim.txt", "out/promises.csv")
    before = snapshot(outside)
    error = tracker("export", "--format", "csv", "out", "--force", code=1).stderr
    assert "out/promises.csv is a symbolic link; nothing was written through it" in error
    assert snapshot(outside) == before
    assert Path("out/promises.csv").is_symlink() and not Path("out/events.csv").exists()


def test_export_sqlite_never_replaces_a_link(tracker, kz, outside):
    os.symlink(outside / "victim.txt", "out.db")
    before = snapshot(outside)
    tracker("export", "--format", "sqlite", "out.db", "--force", code=1)
    assert snapshot(outside) == before and Path("out.db").is_symlink()


def test_export_never_writes_in_the_records(tracker, kz):
    before = snapshot(kz)
    tracker("export", "--format", "json", "records/kz", code=1)
    assert snapshot(kz) == before


def test_chart_never_replaces_a_link_nor_writes_through_it(tracker, kz, outside):
    os.symlink(outside / "victim.txt", "chart.svg")
    before = snapshot(outside)
    tracker("show", LAW, "--as-of", AS_OF, "--chart", "chart.svg", "--force", code=1)
    assert snapshot(outside) == before and Path("chart.svg").is_symlink()


# ---------------------------------------------------------------------------
# A full disk: a small tmpfs (mounting one needs root).

@pytest.fixture
def small_disk(tmp_path: Path):
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
                                           capture_output=True).returncode != 0:
        pytest.skip("mounting a tmpfs needs root")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def _fill(disk: Path) -> Path:
    """Take every free byte of the disk; the file returned gives it back when deleted."""
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as file:
        for size in (65536, 4096, 1):
            try:
                while True:
                    file.write(b"\0" * size)
            except OSError:
                pass
    return filler


@pytest.mark.parametrize("jobs", ["1", "2"])  # 2: the files are written by worker processes
def test_site_on_a_full_disk_leaves_the_old_site_whole_and_the_next_run_works(kz, small_disk, jobs):
    out, env = small_disk / "site", {"TRACKER_JOBS": jobs}
    first = run_tracker("--records", str(kz), "site", str(out), "--as-of", AS_OF, "--title", "First", env=env)
    assert first.returncode == 0, first.stderr
    before = snapshot(out)
    filler = _fill(small_disk)
    full = run_tracker("--records", str(kz), "site", str(out), "--as-of", AS_OF, "--title", "Second", env=env)
    assert full.returncode == 1 and "previous output is whole" in full.stderr and "Traceback" not in full.stderr
    assert snapshot(out) == before
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler", "site"]  # no half-built folder left
    filler.unlink()
    again = run_tracker("--records", str(kz), "site", str(out), "--as-of", AS_OF, "--title", "Second", env=env)
    assert again.returncode == 0, again.stderr
    assert "Second" in (out / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", [["export", "--format", "csv", "--force"],
                                     ["show", LAW, "--chart"]])
def test_export_and_chart_on_a_full_disk_leave_the_old_file_whole(kz, small_disk, command):
    out = small_disk / ("out" if command[0] == "export" else "chart.svg")
    first = run_tracker("--records", str(kz), *command, str(out), "--as-of", "2019-06-30")
    assert first.returncode == 0, first.stderr
    before = snapshot(small_disk)
    filler = _fill(small_disk)
    force = ["--force"] if command[0] == "show" else []
    full = run_tracker("--records", str(kz), *command, str(out), *force, "--as-of", AS_OF)
    assert full.returncode == 1 and "Traceback" not in full.stderr
    filler.unlink()
    assert snapshot(small_disk) == before
    again = run_tracker("--records", str(kz), *command, str(out), *force, "--as-of", AS_OF)
    assert again.returncode == 0, again.stderr
