"""One pass over every HTTP request: its request id, access log line and metrics."""

import logging
import random
import time
from typing import Any

from starlette.routing import Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.logs import REQUEST_ID
from app.metrics import Metrics

access_logger = logging.getLogger("profile.access")

REQUEST_ID_HEADER = b"x-request-id"
_MAX_REQUEST_ID = 128


class ObservabilityMiddleware:
    """Pure ASGI, so that it adds no task or body copy to a request.

    An unhandled exception is answered by Starlette's outermost error
    middleware, which this one sits inside: that 500 is logged and counted
    here, but goes out without the X-Request-ID header.
    """

    def __init__(self, app: ASGIApp, metrics: Metrics | None = None) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        token = REQUEST_ID.set(request_id)
        scope.setdefault("state", {})
        # What routing saw, for Starlette versions that do not record the route.
        unrouted = {
            "type": "http",
            "path": scope["path"],
            "root_path": scope.get("root_path"),
            "method": scope["method"],
        }
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER, request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = route_template(scope, unrouted)
            if self.metrics is not None:
                self.metrics.observe_request(scope["method"], route, status, elapsed)
            _log_request(scope, route, status, elapsed, request_id)
            REQUEST_ID.reset(token)


def route_template(scope: Scope, unrouted: dict[str, Any]) -> str:
    """The path template of the route that served the request, never the raw path."""
    route = scope.get("route")
    if route is None and scope.get("app") is not None:
        # Starlette versions that do not record the matched route in the scope.
        for candidate in scope["app"].routes:
            if candidate.matches(unrouted)[0] != Match.NONE:
                route = candidate
                break
    if route is None:
        return "unmatched"
    if isinstance(route, Mount):
        return f"{route.path}/{{path}}"
    return str(getattr(route, "path", "unmatched"))


def _request_id(scope: Scope) -> str:
    """The caller's X-Request-ID when it is sane, otherwise a new one."""
    for name, value in scope["headers"]:
        if name == REQUEST_ID_HEADER:
            text = value.decode("latin-1")
            if 0 < len(text) <= _MAX_REQUEST_ID and text.isprintable() and text.isascii():
                return text
            break
    # A new id only needs to be distinct, not secret. uuid4 reads os.urandom, a
    # system call that hands the GIL to the store's thread on every request;
    # the random module reads it once per process (and again after a fork).
    return f"{random.getrandbits(128):032x}"


def _log_request(
    scope: Scope, route: str, status: int, elapsed: float, request_id: str
) -> None:
    level = logging.ERROR if status >= 500 else logging.INFO
    if not access_logger.isEnabledFor(level):
        return
    caller = scope["state"].get("caller")
    duration_ms = round(elapsed * 1000, 2)
    access_logger.log(
        level,
        "%s %s %d %.1fms",
        scope["method"],
        route,
        status,
        duration_ms,
        extra={
            "method": scope["method"],
            "route": route,
            "status": status,
            "duration_ms": duration_ms,
            "tenant_id": getattr(caller, "tenant_id", None),
            "request_id": request_id,
        },
    )
