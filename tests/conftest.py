"""Shared fixtures: settings with a test secret, an app per test, and tokens."""

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from starlette.testclient import TestClient

from app.config import Secret, Settings
from app.main import create_app
from app.stores import ProfileStore
from tests.stores import STORE_KINDS, drop_test_data, make_test_store

TEST_SECRET = "test-secret-that-is-long-enough-for-hs256"
TENANT = "your_tenant"
USER = "user_123"

TokenFactory = Callable[..., str]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'profiles.db'}",
        jwt_secret=Secret(TEST_SECRET),
        store_timeout_seconds=1.0,
    )


@pytest.fixture
def make_token() -> TokenFactory:
    def make(
        tenant: str = TENANT,
        user: str = USER,
        *,
        scope: str | None = None,
        secret: str = TEST_SECRET,
        algorithm: str = "HS256",
        **claims: Any,
    ) -> str:
        now = int(time.time())
        payload: dict[str, Any] = {"tenant_id": tenant, "sub": user, "iat": now}
        payload["exp"] = now + 600
        if scope is not None:
            payload["scope"] = scope
        payload.update(claims)
        payload = {key: value for key, value in payload.items() if value is not None}
        return jwt.encode(payload, secret, algorithm=algorithm)

    return make


@pytest.fixture
def auth(make_token: TokenFactory) -> Callable[..., dict[str, str]]:
    """Headers for a request by ``user`` of ``tenant``."""

    def headers(tenant: str = TENANT, user: str = USER, **options: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {make_token(tenant, user, **options)}"}

    return headers


@pytest.fixture
def app_factory(settings: Settings) -> Callable[..., Any]:
    def build(store: ProfileStore | None = None, **overrides: Any) -> Any:
        merged = Settings(**{**settings.__dict__, **overrides})
        return create_app(merged, store=store)

    return build


@pytest.fixture(params=STORE_KINDS)
def client(
    request: pytest.FixtureRequest, app_factory: Callable[..., Any], tmp_path: Path
) -> Iterator[TestClient]:
    """A client of the whole app, once per store: SQLite, the MongoDB double, and a
    real MongoDB when PHOENIX_TEST_MONGODB_URL is set."""
    store = make_test_store(request.param, tmp_path)
    with TestClient(app_factory(store=store)) as test_client:
        yield test_client
        test_client.portal.call(drop_test_data, store)
