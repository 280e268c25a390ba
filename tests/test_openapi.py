"""The OpenAPI document against the app: same routes, same methods, real responses."""

import inspect
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from starlette.endpoints import HTTPEndpoint
from starlette.routing import Route
from starlette.testclient import TestClient

from app.config import Settings
from app.openapi import PROFILE_PATH, openapi_document
from tests.support import DownStore

Auth = Callable[..., dict[str, str]]
URL = "/v1/profiles/user/{}"

# Routes that are not part of the REST API the document describes: GraphQL has its
# own schema, /metrics speaks Prometheus' text format to scrapers, and the
# document does not describe itself.
NOT_REST = {"/graphql", "/metrics", "/openapi.json"}
HTTP_METHODS = ("get", "put", "post", "patch", "delete")


@pytest.fixture
def document(settings: Settings) -> dict[str, Any]:
    return openapi_document(settings.max_body_bytes)


@pytest.fixture
def sqlite_client(app_factory: Callable[..., Any]) -> Iterator[TestClient]:
    with TestClient(app_factory()) as client:
        yield client


def test_document_is_served_without_a_token(
    sqlite_client: TestClient, document: dict[str, Any]
) -> None:
    response = sqlite_client.get("/openapi.json")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == document
    assert response.json()["openapi"].startswith("3.1.")


def test_every_schema_in_the_document_is_valid_json_schema(
    document: dict[str, Any],
) -> None:
    for schema in document["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    for parameter in document["components"]["parameters"].values():
        Draft202012Validator.check_schema(parameter["schema"])


def test_documented_paths_and_methods_are_the_apps_rest_routes(
    sqlite_client: TestClient, document: dict[str, Any]
) -> None:
    served = {
        route.path: _methods(route)
        for route in sqlite_client.app.routes  # type: ignore[attr-defined]
        if isinstance(route, Route) and route.path not in NOT_REST
    }
    documented = {
        path: {method.upper() for method in item if method in HTTP_METHODS}
        for path, item in document["paths"].items()
    }

    assert served == documented


def test_profile_and_its_error_bodies_validate(
    sqlite_client: TestClient, auth: Auth, document: dict[str, Any]
) -> None:
    checked = _Checker(document)

    got = sqlite_client.get(URL.format("user_123"), headers=auth())
    checked(got, PROFILE_PATH, "get", 200)
    not_modified = sqlite_client.get(
        URL.format("user_123"),
        headers={**auth(), "If-None-Match": got.headers["etag"]},
    )
    checked(not_modified, PROFILE_PATH, "get", 304)
    checked(sqlite_client.get(URL.format("user_123")), PROFILE_PATH, "get", 401)
    too_long = URL.format("u" * 129)
    checked(sqlite_client.get(too_long, headers=auth()), PROFILE_PATH, "get", 422)
    # A "/" in a user id leaves the route, as the path parameter documents.
    checked(sqlite_client.get(URL.format("a/b"), headers=auth()), PROFILE_PATH, "get", 404)


def test_update_and_its_error_bodies_validate(
    sqlite_client: TestClient, auth: Auth, document: dict[str, Any], settings: Settings
) -> None:
    checked = _Checker(document)
    own = URL.format("user_123")

    def put(url: str = own, headers: dict[str, str] | None = None, **kwargs: Any) -> Any:
        return sqlite_client.put(url, headers={**auth(), **(headers or {})}, **kwargs)

    checked(put(json={"name": "John Doe"}), PROFILE_PATH, "put", 200)
    admin = auth(user="operator", scope="profiles:admin")
    checked(
        sqlite_client.put(URL.format("player_9"), headers=admin, json={"name": "Nine"}),
        PROFILE_PATH, "put", 200,
    )
    checked(put(URL.format("someone_else"), json={}), PROFILE_PATH, "put", 403)
    checked(put(headers={"If-Match": '"stale"'}, json={}), PROFILE_PATH, "put", 412)
    big = {"name": "x" * (settings.max_body_bytes + 1)}
    checked(put(json=big), PROFILE_PATH, "put", 413)
    checked(
        put(headers={"Content-Type": "text/plain"}, content=b"{}"), PROFILE_PATH, "put", 415
    )
    checked(
        put(headers={"Content-Type": "application/json"}, content=b"{"),
        PROFILE_PATH, "put", 400,
    )
    for body in ({"name": "a\u0007b"}, {"nickname": "x"}, {"name": 7}, ["John"]):
        checked(put(json=body), PROFILE_PATH, "put", 422)
    checked(sqlite_client.put(own, json={}), PROFILE_PATH, "put", 401)


def test_method_not_allowed_validates(
    sqlite_client: TestClient, auth: Auth, document: dict[str, Any]
) -> None:
    response = sqlite_client.delete(URL.format("user_123"), headers=auth())

    assert response.status_code == 405
    assert set(response.headers["allow"].replace(" ", "").split(",")) >= {"GET", "PUT"}
    _Checker(document).against(
        response, document["components"]["responses"]["MethodNotAllowed"]
    )


def test_health_probes_validate(sqlite_client: TestClient, document: dict[str, Any]) -> None:
    checked = _Checker(document)

    checked(sqlite_client.get("/healthz"), "/healthz", "get", 200)
    checked(sqlite_client.get("/readyz"), "/readyz", "get", 200)


def test_unavailable_store_answers_validate(
    app_factory: Callable[..., Any], auth: Auth, document: dict[str, Any]
) -> None:
    checked = _Checker(document)

    with TestClient(app_factory(store=DownStore())) as client:
        checked(client.get(URL.format("u1"), headers=auth()), PROFILE_PATH, "get", 503)
        checked(
            client.put(URL.format("user_123"), headers=auth(), json={"name": "Ann"}),
            PROFILE_PATH, "put", 503,
        )
        checked(client.get("/readyz"), "/readyz", "get", 503)


def test_checker_rejects_a_body_outside_the_schema(document: dict[str, Any]) -> None:
    """The helper itself can fail: an extra field breaks additionalProperties."""
    body = {
        "tenant_id": "t", "user_id": "u", "name": "n", "avatar_url": "https://a",
        "created_at": "2026-01-28T10:00:00Z", "updated_at": "2026-01-28T10:00:00Z",
    }
    schema = _Checker(document).schema_of(PROFILE_PATH, "get", 200)
    validator = _Checker(document).validator(schema)

    assert validator.is_valid(body)
    assert not validator.is_valid({**body, "extra": 1})
    assert not validator.is_valid({**body, "created_at": "2026-01-28T10:00:00+00:00"})


class _Checker:
    """Validates a response's status, headers and body against the document."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document

    def __call__(self, response: Any, path: str, method: str, status: int) -> None:
        assert response.status_code == status, response.text
        operation = self.document["paths"][path][method]
        assert str(status) in operation["responses"], f"{status} is not documented"
        self.against(response, operation["responses"][str(status)])

    def against(self, response: Any, documented: dict[str, Any]) -> None:
        documented = self._resolve(documented)
        for name, header in documented.get("headers", {}).items():
            if header.get("required"):
                assert name.lower() in response.headers, f"{name} missing"
            if name.lower() in response.headers:
                self.validator(header["schema"]).validate(response.headers[name])
        content = documented.get("content")
        if content is None:
            assert response.content == b""
            return
        assert response.headers["content-type"] in content
        schema = content[response.headers["content-type"]]["schema"]
        self.validator(schema).validate(response.json())

    def schema_of(self, path: str, method: str, status: int) -> dict[str, Any]:
        documented = self._resolve(self.document["paths"][path][method]["responses"][str(status)])
        return documented["content"]["application/json"]["schema"]

    def validator(self, schema: dict[str, Any]) -> Draft202012Validator:
        # The components ride along in the root so that "#/components/..." resolves.
        root = {**schema, "components": self.document["components"]}
        return Draft202012Validator(root, format_checker=FormatChecker())

    def _resolve(self, item: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in item:
            node: Any = self.document
            for part in item["$ref"].removeprefix("#/").split("/"):
                node = node[part]
            item = node
        return item


def _methods(route: Route) -> set[str]:
    """The methods a route serves, less HEAD, which HTTP implies wherever GET is."""
    if route.methods is not None:
        return set(route.methods) - {"HEAD"}
    endpoint = route.endpoint
    assert inspect.isclass(endpoint) and issubclass(endpoint, HTTPEndpoint)
    return {method.upper() for method in HTTP_METHODS if hasattr(endpoint, method)}

