"""The production store: MongoDB through PyMongo's asyncio client.

One document per profile in the ``profiles`` collection, made unique by a
compound index on (tenant_id, user_id). Creation is an upsert with
``$setOnInsert``, so a document is written once and never overwritten by a
later first read. Two upserts racing for the same new key can both try to
insert; the index lets one win and the loser, which gets a duplicate-key
error, reads the winner's document by simply upserting again.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from pymongo import AsyncMongoClient, ReturnDocument, UpdateOne
from pymongo.errors import (
    BulkWriteError,
    ConnectionFailure,
    DuplicateKeyError,
    ExecutionTimeout,
    ServerSelectionTimeoutError,
)

from app.profiles.errors import StoreUnavailable
from app.profiles.model import Profile
from app.stores.base import NewProfile

_DUPLICATE_KEY = 11000
# Transient failures: the server is unreachable, timed out or is electing a primary.
_OUTAGES = (ConnectionFailure, ServerSelectionTimeoutError, ExecutionTimeout)


class MongoProfileStore:
    def __init__(self, client: Any, database: str, *, owns_client: bool = True) -> None:
        self.client = client
        self.collection = client[database]["profiles"]
        self._owns_client = owns_client
        self._index_ready = False

    @classmethod
    def from_url(cls, url: str, *, timeout_seconds: float = 5.0) -> "MongoProfileStore":
        timeout_ms = int(timeout_seconds * 1000)
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
            url,
            tz_aware=True,
            serverSelectionTimeoutMS=timeout_ms,
            connectTimeoutMS=timeout_ms,
            socketTimeoutMS=timeout_ms,
        )
        database = client.get_default_database(default="phoenix_profiles").name
        return cls(client, database)

    async def start(self) -> None:
        """Create the unique index; a later call retries if the server was away."""
        if self._index_ready:
            return
        with _store_errors:
            await self.collection.create_index(
                [("tenant_id", 1), ("user_id", 1)],
                unique=True,
                name="tenant_user_unique",
            )
        self._index_ready = True

    async def close(self) -> None:
        if self._owns_client:
            await self.client.close()

    async def ping(self) -> None:
        with _store_errors:
            await self.client.admin.command("ping")
        await self.start()

    async def get_or_create(self, tenant_id: str, user_id: str, new: NewProfile) -> Profile:
        await self.start()
        key = {"tenant_id": tenant_id, "user_id": user_id}
        # One round trip reads and, if need be, inserts: the candidate goes with it.
        candidate = _document(new(user_id))
        for attempt in range(3):
            try:
                with _store_errors:
                    document = await self.collection.find_one_and_update(
                        key,
                        {"$setOnInsert": candidate},
                        upsert=True,
                        return_document=ReturnDocument.AFTER,
                    )
                return _profile(document)
            except DuplicateKeyError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def get_or_create_many(
        self, tenant_id: str, user_ids: Sequence[str], new: NewProfile
    ) -> list[Profile]:
        await self.start()
        with _store_errors:
            found = await self._find_many(tenant_id, user_ids)
            missing = [uid for uid in dict.fromkeys(user_ids) if uid not in found]
            if missing:
                await self._insert_missing([new(user_id) for user_id in missing])
                found |= await self._find_many(tenant_id, missing)
        return [found[user_id] for user_id in user_ids]

    async def update(
        self,
        tenant_id: str,
        user_id: str,
        *,
        name: str | None,
        avatar_url: str | None,
        updated_at: datetime,
        expected: Profile | None = None,
    ) -> Profile | None:
        await self.start()
        query: dict[str, Any] = {"tenant_id": tenant_id, "user_id": user_id}
        if expected is not None:
            query |= {
                "name": expected.name,
                "avatar_url": expected.avatar_url,
                "updated_at": _bson_time(expected.updated_at),
            }
        changes: dict[str, Any] = {"updated_at": _bson_time(updated_at)}
        if name is not None:
            changes["name"] = name
        if avatar_url is not None:
            changes["avatar_url"] = avatar_url
        with _store_errors:
            document = await self.collection.find_one_and_update(
                query,
                {"$set": changes},
                return_document=ReturnDocument.AFTER,
            )
        return None if document is None else _profile(document)

    async def _find_many(
        self, tenant_id: str, user_ids: Sequence[str]
    ) -> dict[str, Profile]:
        cursor = self.collection.find(
            {"tenant_id": tenant_id, "user_id": {"$in": list(user_ids)}}
        )
        return {document["user_id"]: _profile(document) async for document in cursor}

    async def _insert_missing(self, missing: Sequence[Profile]) -> None:
        requests = [
            UpdateOne(
                {"tenant_id": c.tenant_id, "user_id": c.user_id},
                {"$setOnInsert": _document(c)},
                upsert=True,
            )
            for c in missing
        ]
        try:
            await self.collection.bulk_write(requests, ordered=False)
        except BulkWriteError as error:
            # Another request created some of them first; the re-read finds theirs.
            details = error.details or {}
            if details.get("writeConcernErrors") or any(
                failure.get("code") != _DUPLICATE_KEY
                for failure in details.get("writeErrors", [])
            ):
                raise


class _StoreErrors:
    """Turns an unreachable or slow server into ``StoreUnavailable``."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type | None, error: BaseException | None, _tb: object) -> bool:
        if isinstance(error, _OUTAGES):
            raise StoreUnavailable(f"mongodb: {type(error).__name__}") from error
        return False


_store_errors = _StoreErrors()


def _document(profile: Profile) -> dict[str, Any]:
    return {
        "tenant_id": profile.tenant_id,
        "user_id": profile.user_id,
        "name": profile.name,
        "avatar_url": profile.avatar_url,
        "created_at": _bson_time(profile.created_at),
        "updated_at": _bson_time(profile.updated_at),
    }


def _profile(document: dict[str, Any]) -> Profile:
    return Profile(
        tenant_id=document["tenant_id"],
        user_id=document["user_id"],
        name=document["name"],
        avatar_url=document["avatar_url"],
        created_at=_utc(document["created_at"]),
        updated_at=_utc(document["updated_at"]),
    )


def _bson_time(moment: datetime) -> datetime:
    """Naive UTC, as BSON stores it, so that equality in queries is exact."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def _utc(moment: datetime) -> datetime:
    # Clients made without tz_aware (such as the test double) hand back naive UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
