"""Every CSV tracker writes goes through one cell rule (tracker.csvcell): no cell starts a formula, and a
cell with a line break is quoted, so spreadsheets and csv readers see the cells as written."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from tracker import csvcell

FORMULAS = ["=1+1", "+1+1", "-1+1", "@SUM(1)", "\t=1+1", " =1+1", "\uff1d1+1", "=HYPERLINK(\"http://x\",\"y\")"]
STARTS = tuple(csvcell.FORMULA_START)


@pytest.fixture
def hostile(tracker, records) -> None:
    """A promise and an event with a formula in every text field that reaches a CSV."""
    for n, formula in enumerate(FORMULAS):
        tracker("add-promise", "--country", "KZ", "--official", formula, "--title", formula, "--office", formula,
                "--text", formula, "--topic", formula, "--date", "2019", "--id", f"kz-p{n}", "--quote", formula,
                "--venue", formula, "--source", "https://example.org/a")
        tracker("add-event", "--country", "KZ", "--date", "2019-05-01", "--title", formula, "--id", f"kz-e{n}",
                "--location", formula, "--notes", formula, "--consistent", f"kz-p{n}",
                "--source", "https://example.org/b")


def cells(text: str) -> list[str]:
    return [value for row in csv.reader(io.StringIO(text, newline="")) for value in row]


def test_no_exported_or_reported_cell_starts_a_formula(tracker, hostile):
    tracker("export", "--format", "csv", "out")
    texts = [Path(f"out/{name}.csv").read_text(encoding="utf-8") for name in ("promises", "events", "links")]
    texts.append(tracker("report", "--format", "csv").stdout)
    found = [value for text in texts for value in cells(text)]
    assert "'=1+1" in found and "'\t=1+1" in found and "' =1+1" in found
    assert [value for value in found if value.lstrip(" ").startswith(STARTS)] == []


@pytest.mark.parametrize("text", ["a\rb", "a\nb", "a\r\nb", '"quoted", and, commas', "\r=1+1"])
def test_a_cell_with_a_line_break_or_a_quote_reads_back_whole(text):
    written = csvcell.line(["before", text, "after"])
    assert list(csv.reader(io.StringIO(written, newline=""))) == [["before", csvcell.neutralise(text), "after"]]


def test_numbers_are_data_not_formulas():
    assert csvcell.line([-1, 2.5, None, ["=a", "b"]]) == "-1,2.5,,'=a; b\n"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_finds_no_formula_in_the_export(tracker, hostile, tmp_path):
    tracker("export", "--format", "csv", "out")
    profile = (tmp_path / "lo-profile").as_uri()
    for name in ("promises", "events", "links"):
        subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "xlsx",
                        "--outdir", "xlsx", f"out/{name}.csv"], check=True, capture_output=True, timeout=180)
        with zipfile.ZipFile(f"xlsx/{name}.xlsx") as book:
            sheets = [book.read(n).decode("utf-8") for n in book.namelist() if n.startswith("xl/worksheets/")]
        assert sheets and not any("<f>" in sheet or "<f " in sheet for sheet in sheets), name
