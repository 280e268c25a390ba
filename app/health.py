"""Liveness and readiness, for orchestrators; neither needs a token."""

import asyncio

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.http import JSONResponse, error_response
from app.profiles.errors import StoreUnavailable


async def healthz(request: Request) -> Response:
    """The process is alive and serving; says nothing of the store."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    """The store answers, so requests can be served."""
    state = request.app.state
    try:
        await asyncio.wait_for(state.store.ping(), state.settings.store_timeout_seconds)
    except (StoreUnavailable, TimeoutError):
        return error_response(
            503,
            "SERVICE_UNAVAILABLE",
            "the profile store is not reachable",
            {"Retry-After": str(state.settings.retry_after_seconds)},
        )
    return JSONResponse({"status": "ready"})


routes = [Route("/healthz", healthz), Route("/readyz", readyz)]
