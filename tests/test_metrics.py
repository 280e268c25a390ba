"""/metrics: what it counts, by which labels, and that it can be switched off."""

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from app.metrics import MAX_OPERATION_NAMES, Metrics
from tests.conftest import TEST_SECRET
from tests.support import DownStore

Auth = Callable[..., dict[str, str]]
PROFILE_ROUTE = "/v1/profiles/user/{user_id}"


def _value(client: TestClient, name: str, **labels: str) -> float:
    value = client.app.state.metrics.registry.get_sample_value(name, labels)  # type: ignore[attr-defined]
    return value or 0.0


def _scraped(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def test_metrics_need_no_token_and_use_the_prometheus_format(client: TestClient) -> None:
    response = client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    names = {family.name for family in text_string_to_metric_families(response.text)}
    assert {"phoenix_http_requests", "phoenix_profiles_created"} <= names


def test_metrics_disabled_is_404(app_factory: Callable[..., Any], auth: Auth) -> None:
    with TestClient(app_factory(metrics_enabled=False)) as client:
        assert client.get("/v1/profiles/user/user_123", headers=auth()).status_code == 200
        response = client.get("/metrics")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"


def test_requests_are_counted_by_route_template_and_status(
    client: TestClient, auth: Auth
) -> None:
    client.get("/v1/profiles/user/alice_1", headers=auth())
    client.get("/v1/profiles/user/bob_2", headers=auth())
    client.get("/v1/profiles/user/alice_1")  # no token

    samples = _scraped(client)

    ok = ("phoenix_http_requests_total", (("method", "GET"), ("route", PROFILE_ROUTE), ("status", "200")))
    refused = ("phoenix_http_requests_total", (("method", "GET"), ("route", PROFILE_ROUTE), ("status", "401")))
    assert samples[ok] == 2
    assert samples[refused] == 1
    routes = {dict(labels).get("route") for _, labels in samples}
    assert not any("alice" in str(route) or "bob" in str(route) for route in routes)


def test_latency_histogram_observes_each_request(client: TestClient, auth: Auth) -> None:
    for _ in range(3):
        client.get("/v1/profiles/user/user_123", headers=auth())

    labels = {"method": "GET", "route": PROFILE_ROUTE, "status": "200"}
    count = _value(client, "phoenix_http_request_duration_seconds_count", **labels)
    total = _value(client, "phoenix_http_request_duration_seconds_sum", **labels)
    inf = _value(client, "phoenix_http_request_duration_seconds_bucket", le="+Inf", **labels)
    assert count == inf == 3
    assert total > 0


def test_unmatched_paths_share_one_label(client: TestClient) -> None:
    client.get("/no/such/thing")
    client.get("/another/missing/path")

    assert _value(
        client, "phoenix_http_requests_total", method="GET", route="unmatched", status="404"
    ) == 2


def test_unknown_methods_share_one_label(client: TestClient) -> None:
    for method in ("BREW", "PROPFIND", "SEARCH"):
        client.request(method, "/healthz")

    assert _value(
        client, "phoenix_http_requests_total", method="OTHER", route="/healthz", status="405"
    ) == 3
    assert _value(
        client, "phoenix_http_requests_total", method="BREW", route="/healthz", status="405"
    ) == 0


def test_assets_are_labelled_by_their_mount(client: TestClient) -> None:
    client.get("/graphql/assets/phoenix-graphiql.js")

    assert _value(
        client,
        "phoenix_http_requests_total",
        method="GET",
        route="/graphql/assets/{path}",
        status="200",
    ) == 1


@pytest.mark.parametrize(
    ("body", "operation", "outcome"),
    [
        ({"query": "query Mine { me { name } }"}, "Mine", "ok"),
        ({"query": "{ me { name } }"}, "anonymous", "ok"),
        ({"query": "query Broken { nope }"}, "Broken", "BAD_USER_INPUT"),
        (
            {"query": 'mutation Steal { updateProfile(userId: "other", input: {name: "Mine Now"}) { name } }'},
            "Steal",
            "FORBIDDEN",
        ),
        (
            {"query": "query A { me { name } } query B { me { name } }", "operationName": "B"},
            "B",
            "ok",
        ),
    ],
)
def test_graphql_operations_by_name_and_outcome(
    client: TestClient, auth: Auth, body: dict[str, Any], operation: str, outcome: str
) -> None:
    client.post("/graphql", json=body, headers=auth())

    assert _value(
        client, "phoenix_graphql_operations_total", operation=operation, outcome=outcome
    ) == 1


def test_mutation_over_get_is_counted_as_refused(client: TestClient, auth: Auth) -> None:
    query = 'mutation Rename { updateProfile(userId: "user_123", input: {name: "Get Name"}) { name } }'

    client.get("/graphql", params={"query": query}, headers=auth())

    assert _value(
        client,
        "phoenix_graphql_operations_total",
        operation="Rename",
        outcome="METHOD_NOT_ALLOWED",
    ) == 1


def test_operation_names_are_bounded() -> None:
    metrics = Metrics()

    for index in range(MAX_OPERATION_NAMES + 5):
        metrics.count_operation(f"Op{index}", "ok")

    registry = metrics.registry
    assert registry.get_sample_value(
        "phoenix_graphql_operations_total", {"operation": "other", "outcome": "ok"}
    ) == 5
    assert registry.get_sample_value(
        "phoenix_graphql_operations_total", {"operation": "Op0", "outcome": "ok"}
    ) == 1


def test_profiles_created_counts_first_reads_only(client: TestClient, auth: Auth) -> None:
    client.get("/v1/profiles/user/first_one", headers=auth())
    client.get("/v1/profiles/user/first_one", headers=auth())
    assert _value(client, "phoenix_profiles_created_total") == 1

    client.post(
        "/graphql",
        json={"query": '{ profiles(userIds: ["first_one", "second", "third"]) { name } }'},
        headers=auth(),
    )

    assert _value(client, "phoenix_profiles_created_total") == 3


def test_store_operations_are_timed(client: TestClient, auth: Auth) -> None:
    client.get("/v1/profiles/user/user_123", headers=auth())
    client.put("/v1/profiles/user/user_123", json={"name": "Timed Name"}, headers=auth())

    for operation, at_least in (("get_or_create", 2), ("update", 1)):
        count = _value(
            client, "phoenix_store_operation_duration_seconds_count", operation=operation
        )
        assert count >= at_least, operation


def test_store_errors_are_counted_by_operation(
    app_factory: Callable[..., Any], auth: Auth
) -> None:
    with TestClient(app_factory(store=DownStore())) as client:
        response = client.get("/v1/profiles/user/user_123", headers=auth())

        assert response.status_code == 503
        assert _value(
            client, "phoenix_store_errors_total", operation="get_or_create", error="unavailable"
        ) == 1
        assert _value(
            client,
            "phoenix_http_requests_total",
            method="GET",
            route=PROFILE_ROUTE,
            status="503",
        ) == 1


def test_each_app_has_its_own_registry(app_factory: Callable[..., Any], auth: Auth) -> None:
    with TestClient(app_factory()) as first, TestClient(app_factory()) as second:
        first.get("/v1/profiles/user/user_123", headers=auth())

        labels = {"method": "GET", "route": PROFILE_ROUTE, "status": "200"}
        assert _value(first, "phoenix_http_requests_total", **labels) == 1
        assert _value(second, "phoenix_http_requests_total", **labels) == 0


_ONE_WORKER = """
import sys, time, jwt
from starlette.testclient import TestClient
from app.config import Secret, Settings
from app.main import create_app

secret, database = sys.argv[1], sys.argv[2]
token = jwt.encode({"tenant_id": "t", "sub": "u", "exp": int(time.time()) + 600}, secret)
with TestClient(create_app(Settings(database_url=database, jwt_secret=Secret(secret)))) as client:
    client.get("/v1/profiles/user/u", headers={"Authorization": "Bearer " + token})
    print(client.get("/metrics").text)
"""


def test_multiprocess_dir_adds_up_every_worker(tmp_path: Path) -> None:
    shared = tmp_path / "metrics"
    shared.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(shared)}
    database = f"sqlite:///{tmp_path / 'profiles.db'}"

    outputs = [
        subprocess.run(
            [sys.executable, "-c", _ONE_WORKER, TEST_SECRET, database],
            env=env, capture_output=True, text=True, check=True, timeout=120,
        ).stdout
        for _ in range(2)
    ]

    line = 'phoenix_http_requests_total{method="GET",route="/v1/profiles/user/{user_id}",status="200"}'
    counts = [
        float(text.split(line, 1)[1].split()[0]) for text in outputs
    ]
    assert counts == [1.0, 2.0]
