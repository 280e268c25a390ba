"""The ASGI application: routes, error handlers, and the store's lifetime."""

import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from functools import partial

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import Mount, Route

from app import health, openapi, rest
from app.auth import TokenVerifier
from app.config import Settings
from app.graphiql import ASSETS_DIR, VersionedStaticFiles
from app.graphql.schema import build_schema
from app.graphql.view import ASSETS_URL, ProfileGraphQL, graphql_endpoint
from app.graphql.extensions import limit_extensions
from app.graphql.metrics import OperationMetrics
from app.http import http_error_handler, profile_error_handler, server_error_handler
from app.logs import configure_logging
from app.metrics import Metrics, metrics_endpoint
from app.observability import ObservabilityMiddleware
from app.profiles.errors import ProfileError, StoreUnavailable
from app.profiles.service import ProfileService
from app.stores import ProfileStore, open_store
from app.stores.instrumented import InstrumentedStore

logger = logging.getLogger("profile.store")


def create_app(settings: Settings | None = None, store: ProfileStore | None = None) -> Starlette:
    """Build the service; ``store`` replaces the one ``settings.database_url`` names."""
    settings = settings or Settings.from_env()
    verifier = TokenVerifier(settings)
    store = store or open_store(
        settings.database_url, timeout_seconds=settings.store_timeout_seconds
    )
    metrics = Metrics() if settings.metrics_enabled else None
    extensions = limit_extensions(settings)
    if metrics is not None:
        extensions.append(partial(OperationMetrics, metrics))
    schema = build_schema(extensions=extensions)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            await store.start()
        except StoreUnavailable as error:
            # Serve anyway and report not ready; the store prepares itself on
            # first use once the database is back.
            logger.warning("store not ready at start-up: %s", error.reason)
        try:
            yield
        finally:
            await store.close()

    app = Starlette(
        routes=[
            *health.routes,
            Route("/metrics", metrics_endpoint, methods=["GET"]),
            *rest.routes,
            Route("/openapi.json", openapi.openapi_endpoint, methods=["GET"]),
            Route("/graphql", graphql_endpoint, methods=["GET", "POST"]),
            Mount(
                ASSETS_URL,
                VersionedStaticFiles(directory=ASSETS_DIR),
                name="graphiql-assets",
            ),
        ],
        exception_handlers={
            ProfileError: profile_error_handler,
            HTTPException: http_error_handler,
            Exception: server_error_handler,
        },
        middleware=[Middleware(ObservabilityMiddleware, metrics=metrics)],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.verifier = verifier
    app.state.store = store
    app.state.metrics = metrics
    app.state.service = ProfileService(
        InstrumentedStore(store, metrics) if metrics is not None else store
    )
    app.state.graphql = ProfileGraphQL(schema, graphql_ide=None)
    return app


def app_from_env() -> Starlette:
    """Factory for ``uvicorn --factory`` and worker processes."""
    settings = Settings.from_env()
    configure_logging(settings)
    app = create_app(settings)
    freeze_long_lived_objects()
    return app


def freeze_long_lived_objects() -> None:
    """Exempt everything built so far from the collector's later passes.

    The modules, the GraphQL schema and the app live as long as the process,
    yet every full collection would walk them again; with Strawberry,
    graphql-core and PyMongo loaded that walk is long enough to show in the
    tail latency of requests. Garbage is collected first, so none is kept.
    """
    gc.collect()
    gc.freeze()
