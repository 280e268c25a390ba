"""GraphQL over HTTP: media types, status codes and methods as the spec sets them."""

from collections.abc import Callable

import pytest
from starlette.testclient import TestClient

GRAPHQL_RESPONSE = "application/graphql-response+json"
ME = {"query": "{ me { userId name } }"}
RENAME = 'mutation { updateProfile(userId: "user_123", input: {name: "Via Get"}) { name } }'

Auth = Callable[..., dict[str, str]]


def _media_type(response) -> str:  # type: ignore[no-untyped-def]
    return response.headers["content-type"].split(";")[0]


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE}, application/json", GRAPHQL_RESPONSE),
        (f"application/json, {GRAPHQL_RESPONSE};q=0.5", "application/json"),
        ("application/json", "application/json"),
        ("*/*", "application/json"),
        ("application/*", "application/json"),
        (f"application/json;q=0, {GRAPHQL_RESPONSE}", GRAPHQL_RESPONSE),
        (None, "application/json"),
    ],
)
def test_response_media_type_follows_accept(
    client: TestClient, auth: Auth, accept: str | None, expected: str
) -> None:
    headers = auth() if accept is None else {**auth(), "Accept": accept}

    response = client.post("/graphql", json=ME, headers=headers)

    assert response.status_code == 200
    assert _media_type(response) == expected
    assert response.json()["data"]["me"]["userId"] == "user_123"


def test_unacceptable_accept_is_406_and_executes_nothing(
    client: TestClient, auth: Auth
) -> None:
    rename = {"query": RENAME.replace("Via Get", "Never Applied")}
    response = client.post(
        "/graphql", json=rename, headers={**auth(), "Accept": "application/xml"}
    )

    assert response.status_code == 406
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_ACCEPTABLE"
    me = client.post("/graphql", json=ME, headers=auth()).json()
    assert me["data"]["me"]["name"] != "Never Applied"


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b'{"query":', "not JSON"),
        (b"NONSENSE", "not JSON"),
        (b'{"qeury": "{ me { name } }"}', "no query"),
        (b'{"query": "{ me { name } }", "variables": [7]}', "variables not a map"),
        (b'{"query": 42}', "query not a string"),
    ],
)
@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, "application/json"])
def test_malformed_request_is_400(
    client: TestClient, auth: Auth, body: bytes, why: str, accept: str
) -> None:
    headers = {**auth(), "Accept": accept, "Content-Type": "application/json"}

    response = client.post("/graphql", content=body, headers=headers)

    assert response.status_code == 400, why
    assert _media_type(response) == accept
    assert "data" not in response.json()
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize(
    "query",
    [
        "{",  # does not parse
        "{ nope }",  # does not validate
        "query A { me { name } } query A { me { name } }",  # duplicate names
    ],
)
def test_request_error_is_400_with_the_new_media_type(
    client: TestClient, auth: Auth, query: str
) -> None:
    response = client.post(
        "/graphql", json={"query": query}, headers={**auth(), "Accept": GRAPHQL_RESPONSE}
    )

    assert response.status_code == 400
    assert _media_type(response) == GRAPHQL_RESPONSE
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_request_error_is_200_with_legacy_json(client: TestClient, auth: Auth) -> None:
    response = client.post(
        "/graphql", json={"query": "{ nope }"}, headers={**auth(), "Accept": "application/json"}
    )

    assert response.status_code == 200
    assert _media_type(response) == "application/json"
    assert "data" not in response.json()
    assert response.json()["errors"]


def test_field_error_keeps_200_with_the_new_media_type(
    client: TestClient, auth: Auth
) -> None:
    forbidden = 'mutation { updateProfile(userId: "someone_else", input: {name: "Nope"}) { name } }'

    response = client.post(
        "/graphql", json={"query": forbidden}, headers={**auth(), "Accept": GRAPHQL_RESPONSE}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, "application/json"])
def test_mutation_over_get_is_405_and_changes_nothing(
    client: TestClient, auth: Auth, accept: str
) -> None:
    before = client.post("/graphql", json=ME, headers=auth()).json()["data"]["me"]["name"]

    response = client.get(
        "/graphql", params={"query": RENAME}, headers={**auth(), "Accept": accept}
    )

    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"
    after = client.post("/graphql", json=ME, headers=auth()).json()["data"]["me"]["name"]
    assert after == before != "Via Get"


def test_named_mutation_over_get_is_405(client: TestClient, auth: Auth) -> None:
    document = f"query Read {{ me {{ name }} }} {RENAME.replace('mutation', 'mutation Write')}"

    response = client.get(
        "/graphql",
        params={"query": document, "operationName": "Write"},
        headers={**auth(), "Accept": GRAPHQL_RESPONSE},
    )

    assert response.status_code == 405


def test_query_over_get_runs(client: TestClient, auth: Auth) -> None:
    response = client.get(
        "/graphql", params=ME, headers={**auth(), "Accept": GRAPHQL_RESPONSE}
    )

    assert response.status_code == 200
    assert response.json()["data"]["me"]["userId"] == "user_123"


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/graphql",
        None,
    ],
)
def test_body_that_is_not_json_is_415(
    client: TestClient, auth: Auth, content_type: str | None
) -> None:
    headers = {**auth(), "Accept": GRAPHQL_RESPONSE}
    if content_type is not None:
        headers["Content-Type"] = content_type

    response = client.post("/graphql", content=b'{"query": "{ me { name } }"}', headers=headers)

    assert response.status_code == 415
    assert response.json()["errors"][0]["extensions"]["code"] == "UNSUPPORTED_MEDIA_TYPE"


def test_json_with_charset_is_accepted(client: TestClient, auth: Auth) -> None:
    headers = {**auth(), "Content-Type": "application/json; charset=utf-8"}

    response = client.post("/graphql", content=b'{"query": "{ me { name } }"}', headers=headers)

    assert response.status_code == 200
    assert response.json()["data"]["me"]["name"]


def test_other_methods_are_405(client: TestClient, auth: Auth) -> None:
    response = client.put("/graphql", json=ME, headers=auth())

    assert response.status_code == 405
    assert "POST" in response.headers["allow"]


def test_missing_token_is_401_with_the_new_media_type(client: TestClient) -> None:
    response = client.post("/graphql", json=ME, headers={"Accept": GRAPHQL_RESPONSE})

    assert response.status_code == 401
    assert _media_type(response) == GRAPHQL_RESPONSE
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
