"""Prometheus metrics: one registry per application, served at /metrics.

Each worker process counts only its own requests. With ``--workers N`` a scrape
of /metrics reaches one worker and shows that worker's figures, unless
``PROMETHEUS_MULTIPROC_DIR`` names an empty, writable directory before the
service starts: prometheus-client then keeps every worker's figures in files
there and /metrics adds them up (empty the directory between runs).
"""

import os
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

# Client-chosen GraphQL operation names become label values; past this many
# distinct names, new ones are counted as "other" so a client cannot grow the
# series without bound.
MAX_OPERATION_NAMES = 200

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.http_requests = Counter(
            "phoenix_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.http_duration = Histogram(
            "phoenix_http_request_duration_seconds",
            "Time to answer an HTTP request, by method, route template and status.",
            ["method", "route", "status"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.graphql_operations = Counter(
            "phoenix_graphql_operations",
            "GraphQL operations, by operation name and outcome (ok or an error code).",
            ["operation", "outcome"],
            registry=self.registry,
        )
        self.profiles_created = Counter(
            "phoenix_profiles_created",
            "Profiles stored for the first time.",
            registry=self.registry,
        )
        self.store_duration = Histogram(
            "phoenix_store_operation_duration_seconds",
            "Time spent in a profile store operation, by operation.",
            ["operation"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.store_errors = Counter(
            "phoenix_store_errors",
            "Profile store operations that failed, by operation and error.",
            ["operation", "error"],
            registry=self.registry,
        )
        self._operation_names: set[str] = set()
        self._request_series: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        if method not in _METHODS:
            method = "OTHER"
        key = (method, route, status)
        series = self._request_series.get(key)
        if series is None:
            # Looking a labelled child up costs more than counting into it; the
            # keys are bounded (known methods, route templates, status codes).
            labels = (method, route, str(status))
            series = (
                self.http_requests.labels(*labels),
                self.http_duration.labels(*labels),
            )
            self._request_series[key] = series
        series[0].inc()
        series[1].observe(seconds)

    def count_operation(self, name: str | None, outcome: str) -> None:
        label = name or "anonymous"
        if label not in self._operation_names:
            if len(self._operation_names) >= MAX_OPERATION_NAMES:
                label = "other"
            else:
                self._operation_names.add(label)
        self.graphql_operations.labels(label, outcome).inc()

    def exposition(self) -> bytes:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            from prometheus_client import multiprocess

            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
            return generate_latest(registry)
        return generate_latest(self.registry)


async def metrics_endpoint(request: Request) -> Response:
    metrics: Metrics | None = request.app.state.metrics
    if metrics is None:
        raise HTTPException(404, "metrics are disabled (PHOENIX_METRICS_ENABLED=false)")
    return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
