"""A store wrapper that times every operation and counts failures and creations."""

import time
from collections.abc import Sequence
from datetime import datetime

from prometheus_client import Histogram

from app.metrics import Metrics
from app.profiles.errors import StoreUnavailable
from app.profiles.model import Profile
from app.stores.base import NewProfile, ProfileStore


class _Timed:
    """Observes one operation's duration and, on the way out, its failure."""

    def __init__(self, metrics: Metrics, operation: str, duration: Histogram) -> None:
        self.metrics = metrics
        self.operation = operation
        self.duration = duration

    def __enter__(self) -> None:
        self.started = time.perf_counter()

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        self.duration.observe(time.perf_counter() - self.started)
        if kind is not None and issubclass(kind, Exception):
            error = "unavailable" if issubclass(kind, StoreUnavailable) else "unexpected"
            self.metrics.store_errors.labels(self.operation, error).inc()


class InstrumentedStore:
    """Passes every call to ``store`` and records it in ``metrics``."""

    def __init__(self, store: ProfileStore, metrics: Metrics) -> None:
        self.store = store
        self.metrics = metrics
        # Label children are looked up once here, not on every call.
        self._durations = {
            operation: metrics.store_duration.labels(operation)
            for operation in ("ping", "get_or_create", "get_or_create_many", "update")
        }

    def _timed(self, operation: str) -> _Timed:
        return _Timed(self.metrics, operation, self._durations[operation])

    async def start(self) -> None:
        await self.store.start()

    async def close(self) -> None:
        await self.store.close()

    async def ping(self) -> None:
        with self._timed("ping"):
            await self.store.ping()

    async def get_or_create(self, tenant_id: str, user_id: str, new: NewProfile) -> Profile:
        made: list[Profile] = []
        with self._timed("get_or_create"):
            stored = await self.store.get_or_create(tenant_id, user_id, _noting(new, made))
        self._count_created(made, [stored])
        return stored

    async def get_or_create_many(
        self, tenant_id: str, user_ids: Sequence[str], new: NewProfile
    ) -> list[Profile]:
        made: list[Profile] = []
        with self._timed("get_or_create_many"):
            stored = await self.store.get_or_create_many(
                tenant_id, user_ids, _noting(new, made)
            )
        self._count_created(made, stored)
        return stored

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
        with self._timed("update"):
            return await self.store.update(
                tenant_id,
                user_id,
                name=name,
                avatar_url=avatar_url,
                updated_at=updated_at,
                expected=expected,
            )

    def _count_created(self, made: Sequence[Profile], stored: Sequence[Profile]) -> None:
        # A candidate was stored exactly when the store returns its very values; a
        # profile read back is the one stored earlier, with its own name and
        # creation time. (One created in the same second with the very same name
        # and avatar would count twice; generated names make that rare.)
        if not made:
            return
        made_keys = {(p.tenant_id, p.user_id): p for p in made}
        created = sum(1 for p in set(stored) if made_keys.get((p.tenant_id, p.user_id)) == p)
        if created:
            self.metrics.profiles_created.inc(created)


def _noting(new: NewProfile, made: list[Profile]) -> NewProfile:
    """``new``, keeping every candidate it builds in ``made``."""

    def noted(user_id: str) -> Profile:
        made.append(candidate := new(user_id))
        return candidate

    return noted
