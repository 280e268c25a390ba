"""HTTP caching of the REST profile: ETag, If-None-Match, If-Match, Cache-Control."""

from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

URL = "/v1/profiles/user/user_123"

Auth = Callable[..., dict[str, str]]


def _get(client: TestClient, auth: Auth, **headers: str) -> Any:
    return client.get(URL, headers={**auth(), **headers})


def _put(client: TestClient, auth: Auth, body: dict[str, Any], **headers: str) -> Any:
    return client.put(URL, json=body, headers={**auth(), **headers})


def test_etag_is_strong_and_stable_while_unchanged(client: TestClient, auth: Auth) -> None:
    first, second = _get(client, auth), _get(client, auth)

    etag = first.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"') and len(etag) > 2
    assert not etag.startswith("W/")
    assert second.headers["etag"] == etag
    assert second.json() == first.json()


def test_etag_changes_on_update_and_put_returns_the_new_one(
    client: TestClient, auth: Auth
) -> None:
    before = _get(client, auth).headers["etag"]

    put = _put(client, auth, {"name": "Fresh Name"})
    after = _get(client, auth)

    assert put.status_code == 200
    assert put.headers["etag"] == after.headers["etag"] != before
    assert after.json()["name"] == "Fresh Name"


def test_put_that_changes_nothing_keeps_the_etag(client: TestClient, auth: Auth) -> None:
    current = _get(client, auth)

    put = _put(client, auth, {"name": current.json()["name"]})

    assert put.status_code == 200
    assert put.headers["etag"] == current.headers["etag"]


def test_get_carries_cache_headers(client: TestClient, auth: Auth) -> None:
    response = _get(client, auth)

    assert response.headers["cache-control"] == "private, max-age=60"
    assert response.headers["vary"] == "Authorization"


def test_max_age_is_configurable(app_factory: Callable[..., Any], auth: Auth) -> None:
    with TestClient(app_factory(cache_max_age_seconds=7)) as client:
        response = _get(client, auth)

    assert response.headers["cache-control"] == "private, max-age=7"


def test_put_response_is_not_stored(client: TestClient, auth: Auth) -> None:
    response = _put(client, auth, {"name": "Not Cached"})

    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("form", ["{etag}", "W/{etag}", '"other", {etag}'])
def test_matching_if_none_match_is_304_without_body(
    client: TestClient, auth: Auth, form: str
) -> None:
    etag = _get(client, auth).headers["etag"]

    response = _get(client, auth, **{"If-None-Match": form.format(etag=etag)})

    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == etag
    assert response.headers["cache-control"] == "private, max-age=60"


def test_if_none_match_star_is_304(client: TestClient, auth: Auth) -> None:
    etag = _get(client, auth).headers["etag"]

    response = _get(client, auth, **{"If-None-Match": "*"})

    assert response.status_code == 304
    assert response.headers["etag"] == etag


def test_stale_if_none_match_gets_the_profile(client: TestClient, auth: Auth) -> None:
    old = _get(client, auth).headers["etag"]
    _put(client, auth, {"name": "Moved On"})

    response = _get(client, auth, **{"If-None-Match": old})

    assert response.status_code == 200
    assert response.json()["name"] == "Moved On"
    assert response.headers["etag"] != old


def test_stale_if_match_is_412_and_changes_nothing(client: TestClient, auth: Auth) -> None:
    old = _get(client, auth).headers["etag"]
    _put(client, auth, {"name": "Second Writer"})
    current = _get(client, auth)

    response = _put(client, auth, {"name": "Lost Update"}, **{"If-Match": old})

    assert response.status_code == 412
    assert response.json()["error"]["code"] == "PRECONDITION_FAILED"
    after = _get(client, auth)
    assert after.json() == current.json()
    assert after.headers["etag"] == current.headers["etag"]


def test_current_if_match_is_applied(client: TestClient, auth: Auth) -> None:
    etag = _get(client, auth).headers["etag"]

    response = _put(client, auth, {"name": "Careful Writer"}, **{"If-Match": etag})

    assert response.status_code == 200
    assert response.json()["name"] == "Careful Writer"
    assert response.headers["etag"] != etag


def test_if_match_list_containing_the_current_tag_is_applied(
    client: TestClient, auth: Auth
) -> None:
    etag = _get(client, auth).headers["etag"]

    response = _put(
        client, auth, {"name": "Listed Writer"}, **{"If-Match": f'"nope", {etag}'}
    )

    assert response.status_code == 200
    assert response.json()["name"] == "Listed Writer"


def test_weak_if_match_never_matches(client: TestClient, auth: Auth) -> None:
    etag = _get(client, auth).headers["etag"]

    response = _put(client, auth, {"name": "Weak Writer"}, **{"If-Match": f"W/{etag}"})

    assert response.status_code == 412
    assert _get(client, auth).json()["name"] != "Weak Writer"


def test_if_match_star_is_applied(client: TestClient, auth: Auth) -> None:
    response = _put(client, auth, {"name": "Star Writer"}, **{"If-Match": "*"})

    assert response.status_code == 200
    assert _get(client, auth).json()["name"] == "Star Writer"
