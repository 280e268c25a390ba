"""The /v1 shim, over HTTP, in the exact shape existing clients parse."""

import re
from collections.abc import Callable

import pytest
from starlette.testclient import TestClient

from app.profiles.names import ADJECTIVES, ANIMALS

Auth = Callable[..., dict[str, str]]
URL = "/v1/profiles/user/{}"
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def test_get_creates_a_profile_in_the_documented_shape(client: TestClient, auth: Auth) -> None:
    response = client.get(URL.format("user_123"), headers=auth())

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert list(body) == [
        "tenant_id", "user_id", "name", "avatar_url", "created_at", "updated_at"
    ]
    assert body["tenant_id"] == "your_tenant"
    assert body["user_id"] == "user_123"
    assert body["avatar_url"] == (
        "https://api.dicebear.com/9.x/adventurer/svg?seed=your_tenant_user_123"
    )
    assert TIMESTAMP.match(body["created_at"])
    assert body["updated_at"] == body["created_at"]


def test_generated_name_is_adjective_animal_number(client: TestClient, auth: Auth) -> None:
    name = client.get(URL.format("user_123"), headers=auth()).json()["name"]

    adjective, animal, number = name.split(" ")
    assert adjective in ADJECTIVES
    assert animal in ANIMALS
    assert 10 <= int(number) <= 99


def test_get_twice_returns_the_same_profile(client: TestClient, auth: Auth) -> None:
    first = client.get(URL.format("u1"), headers=auth()).json()
    second = client.get(URL.format("u1"), headers=auth()).json()

    assert first == second


def test_any_caller_of_the_tenant_may_read_another_user(client: TestClient, auth: Auth) -> None:
    mine = client.get(URL.format("u2"), headers=auth(user="u2")).json()
    theirs = client.get(URL.format("u2"), headers=auth(user="someone-else")).json()

    assert theirs == mine


def test_the_tenant_comes_from_the_token(client: TestClient, auth: Auth) -> None:
    in_a = client.get(URL.format("u1"), headers=auth(tenant="tenant-a")).json()
    in_b = client.get(URL.format("u1"), headers=auth(tenant="tenant-b")).json()

    assert in_a["tenant_id"] == "tenant-a"
    assert in_b["tenant_id"] == "tenant-b"
    assert in_b["avatar_url"].endswith("seed=tenant-b_u1")
    client.put(URL.format("u1"), headers=auth(tenant="tenant-a", user="u1"), json={"name": "A"})
    assert client.get(URL.format("u1"), headers=auth(tenant="tenant-b")).json() == in_b


def test_seed_is_url_encoded(client: TestClient, auth: Auth) -> None:
    body = client.get(URL.format("a b&c"), headers=auth(tenant="t/1")).json()

    assert body["user_id"] == "a b&c"
    assert body["avatar_url"].endswith("?seed=t%2F1_a%20b%26c")


def test_put_renames_and_keeps_created_at(client: TestClient, auth: Auth) -> None:
    created = client.get(URL.format("user_123"), headers=auth()).json()

    response = client.put(URL.format("user_123"), headers=auth(), json={"name": "John Doe"})

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "John Doe"
    assert body["created_at"] == created["created_at"]
    assert body["avatar_url"] == created["avatar_url"]
    assert body["updated_at"] >= created["updated_at"]
    assert client.get(URL.format("user_123"), headers=auth()).json()["name"] == "John Doe"


def test_put_creates_a_missing_profile_with_the_given_name(
    client: TestClient, auth: Auth
) -> None:
    body = client.put(URL.format("user_123"), headers=auth(), json={"name": "John Doe"}).json()

    assert body["name"] == "John Doe"
    assert body["created_at"] == body["updated_at"]


@pytest.mark.parametrize("payload", [{}, {"name": None}, {"regenerate_avatar": False}])
def test_put_without_a_name_keeps_the_name(
    client: TestClient, auth: Auth, payload: dict[str, object]
) -> None:
    before = client.get(URL.format("user_123"), headers=auth()).json()

    after = client.put(URL.format("user_123"), headers=auth(), json=payload).json()

    assert after == before


def test_put_creates_with_a_generated_name_when_none_given(
    client: TestClient, auth: Auth
) -> None:
    body = client.put(URL.format("user_123"), headers=auth(), json={}).json()

    assert body["name"].split(" ")[0] in ADJECTIVES


def test_regenerate_avatar_adds_a_timestamp_to_the_seed(client: TestClient, auth: Auth) -> None:
    before = client.get(URL.format("user_123"), headers=auth()).json()

    after = client.put(
        URL.format("user_123"), headers=auth(), json={"regenerate_avatar": True}
    ).json()

    seed = after["avatar_url"].split("?seed=")[1]
    assert re.fullmatch(r"your_tenant_user_123_\d{13}", seed)
    assert after["name"] == before["name"]
    assert after["created_at"] == before["created_at"]


def test_regenerating_twice_gives_different_avatars(client: TestClient, auth: Auth) -> None:
    first = client.put(URL.format("u1"), headers=auth(user="u1"), json={"regenerate_avatar": True})
    second = client.put(URL.format("u1"), headers=auth(user="u1"), json={"regenerate_avatar": True})

    assert first.json()["avatar_url"] != second.json()["avatar_url"]


def test_other_users_profile_cannot_be_changed(client: TestClient, auth: Auth) -> None:
    before = client.get(URL.format("victim"), headers=auth(user="victim")).json()

    response = client.put(URL.format("victim"), headers=auth(user="mallory"), json={"name": "x"})

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "FORBIDDEN"
    assert client.get(URL.format("victim"), headers=auth()).json() == before


def test_forbidden_update_creates_nothing(client: TestClient, auth: Auth) -> None:
    client.put(URL.format("nobody"), headers=auth(user="mallory"), json={"name": "Mine Now"})

    body = client.get(URL.format("nobody"), headers=auth()).json()
    assert body["name"] != "Mine Now"


def test_admin_scope_may_change_any_profile(client: TestClient, auth: Auth) -> None:
    response = client.put(
        URL.format("player"),
        headers=auth(user="moderator", scope="profiles:read profiles:admin"),
        json={"name": "Renamed"},
    )

    assert response.status_code == 200
    assert response.json()["name"] == "Renamed"


def test_other_scopes_do_not_grant_admin(client: TestClient, auth: Auth) -> None:
    response = client.put(
        URL.format("player"),
        headers=auth(user="moderator", scope="profiles:administrator"),
        json={"name": "Renamed"},
    )

    assert response.status_code == 403


@pytest.mark.parametrize(
    ("method", "path"),
    [("DELETE", URL.format("u1")), ("POST", URL.format("u1")), ("PATCH", URL.format("u1"))],
)
def test_other_methods_are_405_json(
    client: TestClient, auth: Auth, method: str, path: str
) -> None:
    response = client.request(method, path, headers=auth())

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "METHOD_NOT_ALLOWED"
    assert set(response.headers["allow"].replace(" ", "").split(",")) >= {"GET", "PUT"}


def test_unknown_route_is_404_json(client: TestClient) -> None:
    response = client.get("/v2/nothing")

    assert response.status_code == 404
    assert response.json() == {"error": {"code": "NOT_FOUND", "message": "Not Found"}}


def test_health_needs_no_token(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}
