"""Small helpers shared by tests that start servers or need a store that is down."""

import socket
from collections.abc import Sequence
from typing import Any

from app.profiles.errors import StoreUnavailable
from app.profiles.model import Profile
from app.stores.base import NewProfile


def free_port() -> int:
    """A local port where nothing listens now: free to serve on, or refused to connect to."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class DownStore:
    """A store whose database never answers."""

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def ping(self) -> None:
        raise StoreUnavailable("down for the test")

    async def get_or_create(self, tenant_id: str, user_id: str, new: NewProfile) -> Profile:
        raise StoreUnavailable("down for the test")

    async def get_or_create_many(
        self, tenant_id: str, user_ids: Sequence[str], new: NewProfile
    ) -> list[Profile]:
        raise StoreUnavailable("down for the test")

    async def update(self, *args: Any, **kwargs: Any) -> Profile | None:
        raise StoreUnavailable("down for the test")
