"""The command line registers in full only the command a process runs (cli.COMMANDS); `--help` still lists every
command with its one line, the same as the parser holding them all, and each command parses as it did."""

from __future__ import annotations

import argparse
import importlib
import io
from contextlib import redirect_stdout

import pytest

from dbt_grounding.cli import COMMANDS, build_parser, main


def _help(parser: argparse.ArgumentParser) -> str:
    return parser.format_help()


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices


def test_help_lists_every_command_as_the_full_parser_does() -> None:
    full, lazy = build_parser(), build_parser(())
    assert _help(lazy) == _help(full)
    assert list(_subcommands(lazy)) == list(COMMANDS) == list(_subcommands(full))
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["--help"]) == 0
    assert out.getvalue() == _help(full)
    for name, line in COMMANDS.items():  # non-vacuity: the help text is the registry's, each on the page
        assert name in out.getvalue() and line.split()[0] in out.getvalue()


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_module_registers_its_command_with_the_registry_line(name: str) -> None:
    parsers = argparse.ArgumentParser().add_subparsers()
    importlib.import_module(f"dbt_grounding.cli.{name}_command").register(parsers)
    assert list(parsers.choices) == [name]
    assert [action.help for action in parsers._choices_actions] == [COMMANDS[name]]


@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_command_registered_alone_has_the_full_parsers_options(name: str) -> None:
    alone, full = _subcommands(build_parser((name,)))[name], _subcommands(build_parser())[name]
    assert _help(alone) == _help(full)
    assert len(alone._actions) > 2  # more than -h and the hidden --debug: registered in full


@pytest.mark.parametrize("argv, command", [
    (["lineage", "m"], ("lineage",)), (["--debug", "lineage", "m"], ("lineage",)), (["--", "lineage"], ("lineage",)),
    (["--help"], ()), ([], ()), (["linage", "m"], ()), (["m", "lineage"], ()),
])
def test_the_command_registered_in_full_is_the_one_argparse_runs(argv: list[str], command: tuple[str, ...]) -> None:
    from dbt_grounding.cli import _command_named

    assert _command_named(argv) == command


def test_a_misspelt_command_is_a_usage_error_naming_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["linage", "x"]) == 2
    error = capsys.readouterr().err
    assert "invalid choice: 'linage'" in error and all(repr(name) in error for name in COMMANDS)


def test_every_command_module_is_in_the_registry() -> None:
    import dbt_grounding.cli as cli
    from pathlib import Path

    modules = sorted(path.stem.removesuffix("_command") for path in Path(cli.__file__).parent.glob("*_command.py"))
    assert modules == sorted(COMMANDS)
