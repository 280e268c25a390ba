"""The phoenix-profiles command."""

import os
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest

from app.cli import main
from app.config import Settings
from app.graphql.schema import build_schema
from tests.conftest import TEST_SECRET


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Each command runs with no PHOENIX_* settings and leaves none behind."""
    saved = dict(os.environ)
    for key in list(os.environ):
        if key.startswith("PHOENIX_"):
            del os.environ[key]
    monkeypatch.chdir(tmp_path)
    yield
    os.environ.clear()
    os.environ.update(saved)


def test_serve_without_a_key_refuses_and_names_the_variables(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["serve"]) == 2

    error = capsys.readouterr().err
    for variable in ("PHOENIX_JWT_SECRET", "PHOENIX_JWT_PUBLIC_KEY", "--dev"):
        assert variable in error


def test_token_is_signed_with_the_configured_secret(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PHOENIX_JWT_SECRET", TEST_SECRET)

    assert main(["token", "--tenant", "t1", "--user", "u1", "--scope", "profiles:admin",
                 "--ttl", "60"]) == 0

    claims = jwt.decode(capsys.readouterr().out.strip(), TEST_SECRET, algorithms=["HS256"])
    assert claims["tenant_id"] == "t1"
    assert claims["sub"] == "u1"
    assert claims["scope"] == "profiles:admin"
    assert claims["exp"] - claims["iat"] == 60


def test_token_without_a_key_uses_the_dev_secret_under_var(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["token", "--tenant", "t1", "--user", "u1"]) == 0

    secret = (tmp_path / "var" / "dev-jwt-secret").read_text().strip()
    token = capsys.readouterr().out.strip()
    assert jwt.decode(token, secret, algorithms=["HS256"])["sub"] == "u1"
    assert (tmp_path / "var" / "dev-jwt-secret").stat().st_mode & 0o077 == 0


def test_export_schema(tmp_path: Path) -> None:
    assert main(["export-schema", "--output", "out.graphql"]) == 0

    assert (tmp_path / "out.graphql").read_text() == build_schema().as_str() + "\n"


def test_dev_mode_prints_graphiql_and_a_working_curl_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    served = {}
    monkeypatch.setattr("uvicorn.run", lambda *args, **kwargs: served.update(kwargs))

    assert main(["serve", "--dev", "--port", "8123"]) == 0

    out = capsys.readouterr().out
    assert "http://localhost:8123/graphql" in out
    assert "curl -s -H 'Authorization: Bearer " in out
    assert served["port"] == 8123
    settings = Settings.from_env()
    assert settings.dev_mode and settings.dev_token and settings.database_url.startswith("sqlite:///var/")
    assert settings.dev_token in out


@pytest.mark.parametrize("command", [[], ["serve"], ["token"], ["export-schema"]])
def test_help_is_complete(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main([*command, "--help"])

    assert exit_.value.code == 0
    assert "usage: phoenix-profiles" in capsys.readouterr().out
