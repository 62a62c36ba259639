"""Writes refuse what they cannot do safely, and then write nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import run_tracker, snapshot

RALLY = ("--country", "KZ", "--date", "2019-09-21", "--title", "A rally")


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JavaScript:alert(1)", "file:///etc/passwd", "data:text/html,<script>alert(1)</script>",
    "ftp://example.org/a", "//example.org/a", "https://", "https:// example.org", "example.org",
])
@pytest.mark.parametrize("command", [
    ("add-event", *RALLY), ("restate", "kz-assembly-law", "--date", "2019-10"),
    ("add-promise", "--country", "KZ", "--official", "A", "--title", "B", "--date", "2019"),
], ids=lambda command: command[0])
def test_cli_refuses_urls_that_are_not_web_addresses(tracker, kz, url, command):
    before = snapshot(kz)
    result = tracker(*command, "--source", url, code=2)
    assert "is not an http or https URL" in result.stderr
    assert snapshot(kz) == before


@pytest.mark.parametrize("url", ["https://example.org", "http://example.org/a?b=c#d", "HTTPS://EXAMPLE.ORG/x"])
def test_cli_accepts_web_addresses(tracker, kz, url):
    tracker("add-event", *RALLY, "--source", url)
    assert "0 errors" in tracker("check").stderr


def test_text_in_another_encoding_is_refused(kz):
    """Bytes that are not UTF-8 on the command line would corrupt the file; nothing is written."""
    before = snapshot(kz)
    for args in (("add-event", "--country", "KZ", "--date", "2019-09-21", "--title", "caf\udce9"),
                 ("restate", "kz-assembly-law", "--date", "2019-10", "--venue", "caf\udce9")):
        env = {"PYTHONIOENCODING": "utf-8:surrogateescape"}
        result = run_tracker(*[a.encode("utf-8", "surrogateescape").decode("utf-8", "surrogateescape") for a in args],
                             cwd=kz.parent, env=env)
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr
        assert "is not valid UTF-8" in result.stderr
    assert snapshot(kz) == before


def test_no_write_through_a_link_out_of_the_records(tracker, kz, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    os.symlink(outside, kz / "kz" / "events" / "2020")
    result = tracker("add-event", "--country", "KZ", "--date", "2020-01-05", "--title", "Away", code=1)
    assert "leads outside the records directory" in result.stderr
    assert list(outside.iterdir()) == []


def test_no_append_through_a_link_out_of_the_records(tracker, kz, tmp_path):
    secret = tmp_path / "elsewhere.toml"
    secret.write_text('token = "s3cret"\n[[statements]]\ndate = 2019-01-01\n')
    os.symlink(secret, kz / "kz" / "promises" / "kz-linked.toml")
    result = tracker("restate", "kz-linked", "--date", "2019-10", code=1)
    assert "leads outside the records directory" in result.stderr
    assert "s3cret" not in result.output
    assert secret.read_text().count("[[statements]]") == 1


@pytest.mark.parametrize("content", [b"\xef\xbb\xbfid = 1\n", b'title = "caf\xe9"\n', b"statements = 3\n",
                                     b"[[statements]\n"])
def test_an_addition_to_a_broken_record_leaves_its_file_as_it_is(tracker, kz, content):
    """A restatement is a file of its own: the promise's file is never opened for writing, broken or not."""
    path = kz / "kz" / "promises" / "kz-broken.toml"
    path.write_bytes(content)
    tracker("restate", "kz-broken", "--date", "2019-10")
    assert path.read_bytes() == content
    assert len(list((kz / "kz" / "promises" / "kz-broken" / "statements").iterdir())) == 1
    assert str(Path("records/kz/promises/kz-broken.toml")) in tracker("check", code=1).stderr


def test_nothing_is_written_that_check_would_refuse(tracker, kz):
    """A write never makes a record the loader would refuse: here, one over the size limit."""
    before = snapshot(kz)
    big = "x" * 1_100_000
    result = tracker("add-event", *RALLY, "--notes", big, code=1)
    assert "over the 1,048,576-byte limit for a record; nothing was written" in result.stderr
    tracker("restate", "kz-assembly-law", "--date", "2019-10", "--quote", big, code=1)
    assert snapshot(kz) == before


@pytest.mark.parametrize("command", [
    ("add-event", "--country", "KZ", "--date", "2019-09-21", "--title", "  "),
    ("add-promise", "--country", "KZ", "--official", " ", "--title", "B", "--date", "2019"),
    ("rate", "kz-assembly-law", "--verdict", "kept", "--date", "2020", "--rationale", " \t "),
], ids=lambda command: command[0])
def test_blank_required_text_is_refused(tracker, kz, command):
    before = snapshot(kz)
    assert "must not be blank" in tracker(*command, code=2).stderr
    assert snapshot(kz) == before
