"""MongoDB specifics: the races a real server can produce, and the real driver's set-up."""

from datetime import UTC, datetime
from typing import Any

import pytest
from mongomock_motor import AsyncMongoMockClient
from pymongo.errors import BulkWriteError, DuplicateKeyError

from app.profiles.errors import StoreUnavailable
from app.profiles.model import Profile
from app.stores import open_store
from app.stores.mongo import MongoProfileStore
from tests.stores import get_or_create, get_or_create_many
from tests.support import free_port

T0 = datetime(2026, 1, 28, 10, 0, tzinfo=UTC)


def candidate(user_id: str, name: str = "Brave Tiger 42") -> Profile:
    return Profile("t1", user_id, name, f"https://a/{user_id}", T0, T0)


class LosesTheRace:
    """A collection where another writer inserts first, as two upserts can on a server."""

    def __init__(self, collection: Any) -> None:
        self._collection = collection
        self.raced = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._collection, name)

    async def find_one_and_update(self, query: dict[str, Any], update: dict[str, Any], **kw: Any) -> Any:
        if not self.raced and kw.get("upsert"):
            self.raced = True
            winner = {**update["$setOnInsert"], "name": "Winner 10"}
            await self._collection.insert_one(winner)
            raise DuplicateKeyError("E11000 duplicate key error", code=11000)
        return await self._collection.find_one_and_update(query, update, **kw)

    async def bulk_write(self, requests: list[Any], **kw: Any) -> Any:
        if not self.raced:
            self.raced = True
            first = requests[0]._doc["$setOnInsert"]
            await self._collection.insert_one({**first, "name": "Winner 10"})
            # Unordered: the server still applies the other upserts, then reports.
            await self._collection.bulk_write(requests[1:], **kw)
            raise BulkWriteError(
                {"writeErrors": [{"index": 0, "code": 11000, "errmsg": "E11000"}], "nUpserted": 0}
            )
        return await self._collection.bulk_write(requests, **kw)


@pytest.fixture
async def store() -> MongoProfileStore:
    created = MongoProfileStore(AsyncMongoMockClient(), "race", owns_client=False)
    await created.start()
    return created


async def test_losing_an_upsert_race_returns_the_winners_profile(store: MongoProfileStore) -> None:
    store.collection = LosesTheRace(store.collection)

    profile = await get_or_create(store, candidate("u1"))

    assert profile.name == "Winner 10"


async def test_losing_a_bulk_upsert_race_returns_the_winners_profile(
    store: MongoProfileStore,
) -> None:
    store.collection = LosesTheRace(store.collection)

    profiles = await get_or_create_many(store, "t1", [candidate("u1"), candidate("u2")])

    assert [p.name for p in profiles] == ["Winner 10", "Brave Tiger 42"]


async def test_other_bulk_write_errors_are_not_swallowed(store: MongoProfileStore) -> None:
    class Fails:
        def __getattr__(self, name: str) -> Any:
            return getattr(store.collection, name)

        async def find(self, *args: Any, **kwargs: Any) -> Any:
            raise AssertionError

        async def bulk_write(self, *args: Any, **kwargs: Any) -> Any:
            raise BulkWriteError({"writeErrors": [{"index": 0, "code": 121, "errmsg": "invalid"}]})

    original = store.collection
    failing = Fails()
    failing.find = original.find  # type: ignore[method-assign]
    store.collection = failing

    with pytest.raises(BulkWriteError):
        await get_or_create_many(store, "t1", [candidate("u1")])


async def test_unique_index_is_created(store: MongoProfileStore) -> None:
    indexes = await store.collection.index_information()

    assert indexes["tenant_user_unique"]["unique"] is True
    assert indexes["tenant_user_unique"]["key"] == [("tenant_id", 1), ("user_id", 1)]


async def test_url_picks_the_real_driver_and_its_database() -> None:
    store = open_store("mongodb://127.0.0.1:1/games?directConnection=true", timeout_seconds=0.2)

    assert isinstance(store, MongoProfileStore)
    assert type(store.client).__name__ == "AsyncMongoClient"
    assert store.collection.full_name == "games.profiles"
    await store.close()


async def test_url_without_a_database_uses_the_default_name() -> None:
    store = open_store("mongodb://127.0.0.1:1/?directConnection=true", timeout_seconds=0.2)

    assert store.collection.full_name == "phoenix_profiles.profiles"
    await store.close()


async def test_unreachable_server_is_store_unavailable_within_the_timeout() -> None:
    store = open_store(
        f"mongodb://127.0.0.1:{free_port()}/?directConnection=true", timeout_seconds=0.2
    )

    with pytest.raises(StoreUnavailable):
        await store.start()
    with pytest.raises(StoreUnavailable):
        await get_or_create(store, candidate("u1"))
    with pytest.raises(StoreUnavailable):
        await store.ping()
    await store.close()


def test_unknown_url_scheme_is_refused() -> None:
    with pytest.raises(ValueError, match="postgres"):
        open_store("postgres://db/profiles")
