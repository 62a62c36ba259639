"""Shell completion through Click: record IDs from the records directory, and country codes."""

from __future__ import annotations

import os

import pytest
from click.shell_completion import ShellComplete
from helpers import run_tracker

from cli import cli

EVENTS_2019_09 = ["kz-2019-09-21-dvk-rally", "kz-2019-09-activists-custody-fines",
                  "kz-2019-09-anti-china-protests-no-arrests"]


def complete(args: list[str], incomplete: str) -> list[tuple[str, str | None]]:
    items = ShellComplete(cli, {}, "tracker", "_TRACKER_COMPLETE").get_completions(args, incomplete)
    return [(item.value, item.help) for item in items]


def values(args: list[str], incomplete: str) -> list[str]:
    return [value for value, _ in complete(args, incomplete)]


@pytest.mark.parametrize("args", [["restate"], ["rate"], ["history"], ["add-event", "--contradicts"],
                                  ["add-event", "--fulfills"], ["add-event", "--partly-fulfills"],
                                  ["add-event", "--advances"], ["add-event", "--consistent"],
                                  ["add-event", "--breaks"]])
def test_promise_ids_after_commands_and_stance_options(kz, args):
    assert values(args, "") == ["kz-assembly-law"]
    assert values(args, "kz-a") == ["kz-assembly-law"]
    assert values(args, "us-") == []


def test_show_completes_promises_and_events(kz):
    assert values(["show"], "kz-2019-09") == EVENTS_2019_09
    assert len(values(["show"], "")) == 6


def test_records_option_and_environment_choose_the_directory(kz, monkeypatch):
    os.rename(kz, kz.parent / "elsewhere")
    assert values(["rate"], "") == []
    assert values(["--records", "elsewhere", "rate"], "") == ["kz-assembly-law"]
    monkeypatch.setenv("TRACKER_RECORDS", "elsewhere")
    assert values(["add-event", "--contradicts"], "kz") == ["kz-assembly-law"]


def test_country_codes_with_their_names():
    assert complete(["report", "--country"], "K")[:3] == [("KE", "Kenya"), ("KG", "Kyrgyzstan"), ("KH", "Cambodia")]
    assert ("kz", "Kazakhstan") in complete(["add-promise", "--country"], "k")
    assert values(["list", "--country"], "KZ") == ["KZ"]
    assert values(["export", "--country"], "Q") == ["QA"]


def test_bash_completion_end_to_end(kz):
    env = {"_TRACKER_COMPLETE": "bash_complete", "COMP_WORDS": "tracker add-event --breaks kz", "COMP_CWORD": "3"}
    done = run_tracker(cwd=kz.parent, env=env)
    assert done.stdout.split() == ["plain,kz-assembly-law"]
    source = run_tracker(env={"_TRACKER_COMPLETE": "bash_source"}).stdout
    assert "_TRACKER_COMPLETE=bash_complete" in source and "complete -o nosort -F" in source
