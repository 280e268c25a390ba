"""Access log lines on stdout, request ids, formats and levels."""

import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from app.config import ConfigError, Settings
from app.logs import configure_logging

Auth = Callable[..., dict[str, str]]
URL = "/v1/profiles/user/user_123"


@pytest.fixture(autouse=True)
def _restore_profile_logger() -> Iterator[None]:
    logger = logging.getLogger("profile")
    handlers, level = list(logger.handlers), logger.level
    yield
    logger.handlers[:] = handlers
    logger.setLevel(level)


@pytest.fixture
def logged_app(settings: Settings) -> Callable[..., TestClient]:
    """A client for an app whose logging is configured as ``serve`` does it."""

    def build(**overrides: Any) -> TestClient:
        from app.main import create_app

        merged = Settings(**{**settings.__dict__, **overrides})
        configure_logging(merged)
        return TestClient(create_app(merged))

    return build


def _json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _access(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [line for line in lines if line["logger"] == "profile.access"]


def test_one_json_line_per_request_with_its_fields(
    logged_app: Callable[..., TestClient], auth: Auth, capsys: pytest.CaptureFixture[str]
) -> None:
    headers = auth()
    with logged_app() as client:
        response = client.get(URL, headers=headers)

    out = capsys.readouterr().out
    [line] = _access(_json_lines(out))
    assert line["method"] == "GET"
    assert line["route"] == "/v1/profiles/user/{user_id}"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["tenant_id"] == "your_tenant"
    assert line["request_id"] == response.headers["x-request-id"]
    assert line["level"] == "INFO"
    assert line["time"].endswith("Z")
    token = headers["Authorization"].removeprefix("Bearer ")
    assert token not in out
    assert "user_123" not in line["route"]


def test_graphql_request_names_the_tenant_and_hides_the_query_string(
    logged_app: Callable[..., TestClient], auth: Auth, capsys: pytest.CaptureFixture[str]
) -> None:
    headers = auth(tenant="tenant_b")
    with logged_app() as client:
        client.get("/graphql", params={"query": "{ me { name } }"}, headers=headers)

    out = capsys.readouterr().out
    [line] = _access(_json_lines(out))
    assert line["route"] == "/graphql"
    assert line["tenant_id"] == "tenant_b"
    assert "me { name }" not in out and "query=" not in out


def test_sane_request_id_is_echoed(
    logged_app: Callable[..., TestClient], auth: Auth, capsys: pytest.CaptureFixture[str]
) -> None:
    with logged_app() as client:
        response = client.get(URL, headers={**auth(), "X-Request-ID": "trace-42/a.b"})

    assert response.headers["x-request-id"] == "trace-42/a.b"
    [line] = _access(_json_lines(capsys.readouterr().out))
    assert line["request_id"] == "trace-42/a.b"


@pytest.mark.parametrize(
    "bad", [b"x" * 129, b"tab\there", "ünïcode".encode(), b"", b"bell\x07"]
)
def test_insane_request_id_is_replaced(
    logged_app: Callable[..., TestClient], auth: Auth, bad: bytes
) -> None:
    with logged_app() as client:
        response = client.get(URL, headers={**auth(), "X-Request-ID": bad})

    request_id = response.headers["x-request-id"]
    assert request_id.encode() != bad
    assert 0 < len(request_id) <= 128


def test_each_request_gets_its_own_id(logged_app: Callable[..., TestClient]) -> None:
    with logged_app() as client:
        first = client.get("/healthz").headers["x-request-id"]
        second = client.get("/healthz").headers["x-request-id"]

    assert first != second


def test_rejected_token_is_logged_with_the_request_id_but_not_the_token(
    logged_app: Callable[..., TestClient], capsys: pytest.CaptureFixture[str]
) -> None:
    bogus = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXRoYXQtaXMtd3Jvbmc"
    with logged_app() as client:
        response = client.get(
            URL, headers={"Authorization": f"Bearer {bogus}", "X-Request-ID": "req-401"}
        )

    assert response.status_code == 401
    out = capsys.readouterr().out
    lines = _json_lines(out)
    [auth_line] = [line for line in lines if line["logger"] == "profile.auth"]
    assert auth_line["request_id"] == "req-401"
    [access] = _access(lines)
    assert access["status"] == 401 and "tenant_id" not in access
    assert bogus not in out


def test_text_format_for_development(
    logged_app: Callable[..., TestClient], auth: Auth, capsys: pytest.CaptureFixture[str]
) -> None:
    with logged_app(log_format="text") as client:
        client.get(URL, headers={**auth(), "X-Request-ID": "text-id"})

    [line] = [ln for ln in capsys.readouterr().out.splitlines() if "profile.access" in ln]
    assert "GET /v1/profiles/user/{user_id} 200" in line
    assert "request_id=text-id" in line and "tenant_id=your_tenant" in line
    with pytest.raises(json.JSONDecodeError):
        json.loads(line)


def test_log_level_hides_lines_below_it(
    logged_app: Callable[..., TestClient], auth: Auth, capsys: pytest.CaptureFixture[str]
) -> None:
    with logged_app(log_level="WARNING") as client:
        client.get(URL, headers=auth())

    assert _access(_json_lines(capsys.readouterr().out)) == []


def test_configuring_twice_writes_each_line_once(
    logged_app: Callable[..., TestClient], capsys: pytest.CaptureFixture[str]
) -> None:
    logged_app()
    with logged_app() as client:
        client.get("/healthz")

    assert len(_access(_json_lines(capsys.readouterr().out))) == 1


def test_unknown_log_level_is_a_config_error(settings: Settings) -> None:
    with pytest.raises(ConfigError, match="PHOENIX_LOG_LEVEL"):
        configure_logging(Settings(**{**settings.__dict__, "log_level": "LOUD"}))
