"""The command explains itself: every command and option has help text."""

import argparse
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.cli import _parser, main
from tests.conftest import TEST_SECRET

COMMANDS = ["serve", "token", "export-schema"]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    saved = dict(os.environ)
    for key in [key for key in os.environ if key.startswith("PHOENIX_")]:
        del os.environ[key]
    monkeypatch.chdir(tmp_path)
    yield
    os.environ.clear()
    os.environ.update(saved)


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    [commands] = [
        action
        for action in _parser()._actions
        if isinstance(action, argparse._SubParsersAction)
    ]
    return dict(commands.choices)


def test_top_level_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])

    out = capsys.readouterr().out
    assert exit_.value.code == 0
    for command in COMMANDS:
        assert command in out
    assert "PHOENIX_" in out


def test_every_command_has_a_description() -> None:
    parsers = _subparsers()

    assert sorted(parsers) == sorted(COMMANDS)
    for name, parser in parsers.items():
        assert parser.description, name


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_is_explained(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    parser = _subparsers()[command]
    with pytest.raises(SystemExit):
        main([command, "--help"])
    out = capsys.readouterr().out

    for action in parser._actions:
        assert action.help and action.help != argparse.SUPPRESS, action.dest
        for flag in action.option_strings:
            assert flag in out


def test_serve_replaces_uvicorn_access_log_with_its_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    served: dict[str, Any] = {}
    monkeypatch.setenv("PHOENIX_JWT_SECRET", TEST_SECRET)
    monkeypatch.setenv("PHOENIX_LOG_FORMAT", "json")
    monkeypatch.setattr("uvicorn.run", lambda *args, **kwargs: served.update(kwargs))

    assert main(["serve"]) == 0

    assert served["access_log"] is False
    formatter = served["log_config"]["formatters"]["default"]["()"]
    assert formatter == "app.logs.JsonFormatter"


def test_serve_refuses_an_unknown_log_level(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PHOENIX_JWT_SECRET", TEST_SECRET)
    monkeypatch.setenv("PHOENIX_LOG_LEVEL", "chatty")
    monkeypatch.setattr("uvicorn.run", lambda *args, **kwargs: pytest.fail("served"))

    assert main(["serve"]) == 2
    assert "PHOENIX_LOG_LEVEL" in capsys.readouterr().err
