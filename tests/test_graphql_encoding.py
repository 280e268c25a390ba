"""GraphQL answers stay JSON when an error message quotes text UTF-8 cannot hold."""

import json
from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

Auth = Callable[..., dict[str, str]]

# JSON may escape a lone surrogate; Python decodes it into a str that has no UTF-8
# form, and GraphQL's messages then quote it back.
LONE_SURROGATE_BODIES = {
    "operation name": b'{"query": "{ me { name } }", "operationName": "\\ud800"}',
    "input field": (
        b'{"query": "mutation($i: UpdateProfileInput!) '
        b'{ updateProfile(userId: \\"user_123\\", input: $i) { name } }", '
        b'"variables": {"i": {"nam\\ud800": "x"}}}'
    ),
}


@pytest.mark.parametrize("body", LONE_SURROGATE_BODIES.values(), ids=LONE_SURROGATE_BODIES)
def test_lone_surrogate_in_a_quoted_message_is_a_client_error(
    app_factory: Callable[..., Any], auth: Auth, body: bytes
) -> None:
    with TestClient(app_factory(), raise_server_exceptions=False) as client:
        response = client.post(
            "/graphql", content=body, headers={**auth(), "Content-Type": "application/json"}
        )

    assert response.status_code in (200, 400)
    answer = json.loads(response.content)
    assert "data" not in answer
    assert answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "\ud800" in answer["errors"][0]["message"]
