"""A Content-Length that is not ASCII digits is a client error on both surfaces.

uvicorn refuses such a request before the app sees it; an app reached any other
way (in-process, another server) must still answer it, not fail with a 500. The
requests go straight through ASGI because test clients re-encode header bytes.
"""

import json
from collections.abc import Callable
from typing import Any

import pytest

Auth = Callable[..., dict[str, str]]

# str.isdigit() accepts these, int() does not; latin-1, as HTTP header bytes are.
NON_ASCII_DIGITS = {"superscript-2": b"\xb2", "superscript-1": b"\xb9"}


async def _call(
    app: Any,
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes,
    content_length: bytes,
) -> tuple[int, Any]:
    raw_headers = [(name.lower().encode(), value.encode()) for name, value in headers.items()]
    raw_headers.append((b"content-length", content_length))
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
        "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
        "root_path": "", "query_string": b"", "headers": raw_headers,
        "server": ("testserver", 80), "client": ("testclient", 50000),
    }
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async with app.router.lifespan_context(app):
        await app(scope, receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    content = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, json.loads(content)


@pytest.mark.parametrize("declared", NON_ASCII_DIGITS.values(), ids=NON_ASCII_DIGITS)
async def test_rest_put_refuses_a_content_length_of_other_digits(
    app_factory: Callable[..., Any], auth: Auth, declared: bytes
) -> None:
    headers = {**auth(), "Content-Type": "application/json"}

    status, body = await _call(
        app_factory(), "PUT", "/v1/profiles/user/user_123", headers, b"{}", declared
    )

    assert status == 400
    assert body["error"]["code"] == "MALFORMED_REQUEST"


@pytest.mark.parametrize("declared", NON_ASCII_DIGITS.values(), ids=NON_ASCII_DIGITS)
async def test_graphql_post_reads_the_body_whatever_its_content_length(
    app_factory: Callable[..., Any], auth: Auth, declared: bytes
) -> None:
    headers = {**auth(), "Content-Type": "application/json"}
    query = b'{"query": "{ me { userId } }"}'

    status, body = await _call(app_factory(), "POST", "/graphql", headers, query, declared)

    assert status == 200
    assert body == {"data": {"me": {"userId": "user_123"}}}
