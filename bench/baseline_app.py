"""Two ceilings to measure the service against, served the same way it is.

``GET /json`` answers a constant JSON body: what Starlette and uvicorn cost on
their own. ``GET /store/{user_id}`` reads one existing profile through
``SQLiteProfileStore.get_or_create`` and answers it, with no token check and no
GraphQL: what a request costs when the store is all it does.

Run with ``uvicorn bench.baseline_app:app_from_env --factory`` and
``PHOENIX_DATABASE_URL=sqlite:///…`` naming a seeded database.
"""

import contextlib
import gc
import os
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.http import JSONResponse
from app.profiles.model import Profile, utc_now
from app.rest import profile_json
from app.stores.sqlite import SQLiteProfileStore

TENANT = "bench"
_CONSTANT = {
    "tenant_id": TENANT,
    "user_id": "constant",
    "name": "Constant Body 00",
    "avatar_url": "https://api.dicebear.com/9.x/adventurer/svg?seed=bench_constant",
    "created_at": "2026-01-01T00:00:00Z",
    "updated_at": "2026-01-01T00:00:00Z",
}


async def constant(request: Request) -> Response:
    return JSONResponse(_CONSTANT)


async def stored(request: Request) -> Response:
    store: SQLiteProfileStore = request.app.state.store
    user_id = request.path_params["user_id"]
    return JSONResponse(profile_json(await store.get_or_create(TENANT, user_id, _unused)))


def _unused(user_id: str) -> Profile:
    # Builds a profile only for a missing user, which the benchmark never asks for here.
    now = utc_now()
    return Profile(TENANT, user_id, "unused", "unused", now, now)


def app_from_env() -> Starlette:
    url = os.environ["PHOENIX_DATABASE_URL"]
    store = SQLiteProfileStore(url.removeprefix("sqlite:///"))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await store.start()
        try:
            yield
        finally:
            await store.close()

    app = Starlette(
        routes=[Route("/json", constant), Route("/store/{user_id}", stored)],
        lifespan=lifespan,
    )
    app.state.store = store
    # Served as the service is: app.main.app_from_env freezes its start-up
    # objects out of the garbage collector's passes too.
    gc.collect()
    gc.freeze()
    return app
