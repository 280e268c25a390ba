"""The stores every contract test runs against."""

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import mongomock.collection
import pytest
from mongomock_motor import AsyncMongoMockClient

from app.profiles.model import Profile
from app.stores import ProfileStore
from app.stores.mongo import MongoProfileStore
from app.stores.sqlite import SQLiteProfileStore

# mongomock's bulk builder predates PyMongo's ``UpdateOne(sort=...)`` and refuses
# the keyword even when it is unset; the double ignores it, as the server does for
# upserts without a sort.
_mongomock_add_update = mongomock.collection.BulkOperationBuilder.add_update


def _add_update_without_sort(self: Any, *args: Any, sort: Any = None, **kwargs: Any) -> Any:
    return _mongomock_add_update(self, *args, **kwargs)


mongomock.collection.BulkOperationBuilder.add_update = _add_update_without_sort  # type: ignore[method-assign]

REAL_MONGODB_URL = os.environ.get("PHOENIX_TEST_MONGODB_URL")
STORE_KINDS = [
    "sqlite",
    "mongomock",
    pytest.param(
        "mongodb",
        marks=pytest.mark.skipif(
            not REAL_MONGODB_URL,
            reason="set PHOENIX_TEST_MONGODB_URL to run this against a real MongoDB",
        ),
    ),
]


def make_test_store(kind: str, tmp_path: Path) -> ProfileStore:
    """A store of the given kind, not yet started; a real MongoDB gets a fresh database."""
    if kind == "sqlite":
        return SQLiteProfileStore(str(tmp_path / "profiles.db"), timeout_seconds=2.0)
    if kind == "mongomock":
        return MongoProfileStore(AsyncMongoMockClient(), "phoenix_test", owns_client=False)
    assert REAL_MONGODB_URL
    store = MongoProfileStore.from_url(REAL_MONGODB_URL, timeout_seconds=5.0)
    store.collection = store.client[f"phoenix_test_{uuid.uuid4().hex[:12]}"]["profiles"]
    return store


async def drop_test_data(store: ProfileStore) -> None:
    if isinstance(store, MongoProfileStore) and store._owns_client:
        database = store.collection.database
        await database.client.drop_database(database.name)


@asynccontextmanager
async def open_test_store(kind: str, tmp_path: Path) -> AsyncIterator[ProfileStore]:
    store = make_test_store(kind, tmp_path)
    await store.start()
    try:
        yield store
    finally:
        await drop_test_data(store)
        await store.close()


async def get_or_create(store: ProfileStore, candidate: Profile) -> Profile:
    """``store.get_or_create`` with a ready-made candidate."""
    return await store.get_or_create(
        candidate.tenant_id, candidate.user_id, lambda _: candidate
    )


async def get_or_create_many(
    store: ProfileStore, tenant_id: str, candidates: list[Profile]
) -> list[Profile]:
    """``store.get_or_create_many`` with ready-made candidates, in their order."""
    by_user = {candidate.user_id: candidate for candidate in candidates}
    return await store.get_or_create_many(
        tenant_id, [candidate.user_id for candidate in candidates], by_user.__getitem__
    )
