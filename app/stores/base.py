"""The protocol every profile store implements, and the URL that picks one."""

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from app.profiles.model import Profile

NewProfile = Callable[[str], Profile]
"""Builds the profile to store for a user id of the tenant asked for."""


class ProfileStore(Protocol):
    """Keeps profiles, keyed by (tenant_id, user_id), unique and atomic.

    Every method raises ``StoreUnavailable`` when the database cannot be reached
    in time; nothing else about the database leaks out.
    """

    async def start(self) -> None:
        """Prepare the schema or indexes; safe to call again after a failure."""

    async def close(self) -> None: ...

    async def ping(self) -> None:
        """Return when the database answers; raise ``StoreUnavailable`` otherwise."""

    async def get_or_create(self, tenant_id: str, user_id: str, new: NewProfile) -> Profile:
        """Return the user's stored profile, storing ``new(user_id)`` first if there is
        none. Concurrent callers all get the one stored profile. ``new`` is called
        only when the profile is missing, unless the store reads and stores in one
        operation and needs the candidate up front."""

    async def get_or_create_many(
        self, tenant_id: str, user_ids: Sequence[str], new: NewProfile
    ) -> list[Profile]:
        """``get_or_create`` for several users of one tenant, in the given order,
        in a bounded number of round trips whatever the number of users."""

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
        """Change the given fields of an existing profile and return it.

        With ``expected``, change it only if the stored profile still equals it.
        Returns ``None`` when no profile matched (missing, or no longer expected).
        """


def open_store(url: str, **options: float) -> ProfileStore:
    """Build the store a database URL names; nothing is connected until ``start``."""
    if url.startswith(("mongodb://", "mongodb+srv://")):
        from app.stores.mongo import MongoProfileStore

        return MongoProfileStore.from_url(url, **options)
    if url.startswith("sqlite:///"):
        from app.stores.sqlite import SQLiteProfileStore

        return SQLiteProfileStore(url.removeprefix("sqlite:///"), **options)
    raise ValueError(
        f"unsupported database URL {url!r}: use mongodb://, mongodb+srv:// or sqlite:///"
    )
