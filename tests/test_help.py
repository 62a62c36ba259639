"""Every command explains itself, with examples."""

from __future__ import annotations

import click
import pytest

from cli import cli


def commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in group.commands.items():
        yield prefix + (name,), command
        if isinstance(command, click.Group):
            yield from commands(command, prefix + (name,))


@pytest.mark.parametrize("path, command", list(commands(cli)),
                         ids=lambda v: " ".join(v) if isinstance(v, tuple) else "")
def test_every_command_has_help_with_examples(tracker, path, command):
    assert command.help, f"{' '.join(path)} has no help text"
    out = tracker(*path, "--help").stdout
    assert "Example" in out, f"{' '.join(path)} --help shows no example"
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help, f"{' '.join(path)} {param.opts[0]} has no help"


def test_group_help_and_version(tracker):
    assert "Examples:" in tracker("--help").stdout
    assert tracker("--version").stdout.startswith("tracker, version ")
