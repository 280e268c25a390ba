"""The GraphQL API over HTTP: queries, the mutation, errors and their codes."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from app.graphql import extensions
from app.graphql.schema import build_schema

Auth = Callable[..., dict[str, str]]
PROFILE_FIELDS = "tenantId userId name avatarUrl createdAt updatedAt"


def gql(
    client: TestClient, headers: dict[str, str], query: str, **variables: Any
) -> dict[str, Any]:
    response = client.post(
        "/graphql", headers=headers, json={"query": query, "variables": variables}
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_profile_is_created_on_read_and_matches_rest(client: TestClient, auth: Auth) -> None:
    result = gql(client, auth(), f'{{ profile(userId: "user_123") {{ {PROFILE_FIELDS} }} }}')

    profile = result["data"]["profile"]
    rest = client.get("/v1/profiles/user/user_123", headers=auth()).json()
    assert profile == {
        "tenantId": rest["tenant_id"],
        "userId": rest["user_id"],
        "name": rest["name"],
        "avatarUrl": rest["avatar_url"],
        "createdAt": rest["created_at"],
        "updatedAt": rest["updated_at"],
    }


def test_me_is_the_callers_profile(client: TestClient, auth: Auth) -> None:
    result = gql(client, auth(user="player-7"), "{ me { userId tenantId } }")

    assert result == {"data": {"me": {"userId": "player-7", "tenantId": "your_tenant"}}}


def test_profiles_come_back_in_request_order(client: TestClient, auth: Auth) -> None:
    gql(client, auth(), '{ profile(userId: "b") { name } }')
    ids = ["c", "b", "a", "b"]

    result = gql(client, auth(), "query($ids: [ID!]!) { profiles(userIds: $ids) { userId name } }", ids=ids)

    profiles = result["data"]["profiles"]
    assert [p["userId"] for p in profiles] == ids
    assert profiles[1] == profiles[3]


def test_profiles_of_nothing(client: TestClient, auth: Auth) -> None:
    assert gql(client, auth(), "{ profiles(userIds: []) { name } }") == {"data": {"profiles": []}}


def test_update_profile_renames(client: TestClient, auth: Auth) -> None:
    mutation = """mutation($id: ID!, $name: String) {
        updateProfile(userId: $id, input: {name: $name}) { name createdAt updatedAt }
    }"""
    before = gql(client, auth(), "{ me { createdAt } }")["data"]["me"]

    result = gql(client, auth(), mutation, id="user_123", name="  Ada   Lovelace ")

    assert result["data"]["updateProfile"]["name"] == "Ada Lovelace"
    assert result["data"]["updateProfile"]["createdAt"] == before["createdAt"]
    assert gql(client, auth(), "{ me { name } }")["data"]["me"]["name"] == "Ada Lovelace"


def test_regenerate_avatar_over_graphql(
    client: TestClient, auth: Auth
) -> None:
    gql(client, auth(), "{ me { name } }")

    result = gql(
        client,
        auth(),
        'mutation { updateProfile(userId: "user_123", input: {regenerateAvatar: true}) '
        "{ avatarUrl } }",
    )

    assert "_user_123_" in result["data"]["updateProfile"]["avatarUrl"]


def test_update_of_another_user_is_forbidden(client: TestClient, auth: Auth) -> None:
    result = gql(
        client,
        auth(user="mallory"),
        'mutation { updateProfile(userId: "victim", input: {name: "x"}) { name } }',
    )

    assert result["data"] is None
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert result["errors"][0]["path"] == ["updateProfile"]


def test_admin_may_update_another_user(client: TestClient, auth: Auth) -> None:
    result = gql(
        client,
        auth(user="mod", scope="profiles:admin"),
        'mutation { updateProfile(userId: "victim", input: {name: "Fixed"}) { name } }',
    )

    assert result == {"data": {"updateProfile": {"name": "Fixed"}}}


def test_invalid_name_is_bad_user_input(client: TestClient, auth: Auth) -> None:
    result = gql(
        client, auth(), 'mutation { updateProfile(userId: "user_123", input: {name: "   "}) { name } }'
    )

    assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "name" in result["errors"][0]["message"]


def test_unknown_field_is_bad_user_input(client: TestClient, auth: Auth) -> None:
    response = client.post("/graphql", headers=auth(), json={"query": "{ me { nope } }"})

    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_queries_work_over_get(client: TestClient, auth: Auth) -> None:
    response = client.get("/graphql", params={"query": "{ me { userId } }"}, headers=auth())

    assert response.json() == {"data": {"me": {"userId": "user_123"}}}


def test_mutations_are_refused_over_get(client: TestClient, auth: Auth) -> None:
    query = 'mutation { updateProfile(userId: "user_123", input: {name: "Via GET"}) { name } }'

    response = client.get("/graphql", params={"query": query}, headers=auth())

    assert response.status_code in (400, 405)
    assert gql(client, auth(), "{ me { name } }")["data"]["me"]["name"] != "Via GET"


def test_browser_gets_graphiql_without_a_token(client: TestClient) -> None:
    response = client.get("/graphql", headers={"Accept": "text/html"})

    assert response.status_code == 200
    assert "GraphiQL" in response.text
    assert "content-security-policy" in response.headers


def test_unexpected_errors_are_masked(
    client: TestClient, auth: Auth, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(client.app.state.service, "get_many", broken)

    result = gql(client, auth(), "{ me { name } }")

    error = result["errors"][0]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "secret internals" not in str(result)
    assert "Traceback" not in str(result)
    assert "secret internals" in caplog.text


def test_schema_file_matches_the_code() -> None:
    committed = (Path(__file__).parent.parent / "schema.graphql").read_text()

    assert committed == build_schema().as_str() + "\n", "run `make schema` to update schema.graphql"


def test_a_repeated_query_is_parsed_and_validated_once(
    app_factory: Callable[..., Any], auth: Auth, monkeypatch: pytest.MonkeyPatch
) -> None:
    steps: list[str] = []

    def noting(step: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def noted(*args: Any, **kwargs: Any) -> Any:
            steps.append(step)
            return function(*args, **kwargs)

        return noted

    monkeypatch.setattr(extensions, "parse", noting("parse", extensions.parse))
    monkeypatch.setattr(
        extensions, "validate_document", noting("validate", extensions.validate_document)
    )
    query = "query($id: ID!) { profile(userId: $id) { name } }"

    with TestClient(app_factory()) as client:
        names = [gql(client, auth(), query, id=user)["data"]["profile"]["name"] for user in "aba"]

    assert names[0] == names[2]
    assert steps == ["parse", "validate"]
