"""What only the SQLite store does: build candidates lazily, and commit creates in groups."""

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from app.profiles.errors import StoreUnavailable
from app.profiles.model import Profile, utc_now
from app.stores.sqlite import SQLiteProfileStore
from tests.stores import get_or_create, get_or_create_many


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SQLiteProfileStore]:
    opened = SQLiteProfileStore(str(tmp_path / "profiles.db"), timeout_seconds=2.0)
    await opened.start()
    opened._reader = _Reads(opened._reader)  # type: ignore[assignment]
    yield opened
    await opened.close()


class _Inserts:
    """Wraps the writer connection: counts INSERT statements and can fail the next one."""

    def __init__(self, writer: Any) -> None:
        self.writer = writer
        self.statements = 0
        self.fail_next = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self.writer, name)

    async def execute_fetchall(self, sql: str, parameters: Any = ()) -> Any:
        if sql.startswith("INSERT"):
            self.statements += 1
            if self.fail_next:
                self.fail_next = False
                raise sqlite3.OperationalError("disk I/O error")
        return await self.writer.execute_fetchall(sql, parameters)


def _candidate(user_id: str, tenant_id: str = "t1") -> Profile:
    now = utc_now()
    return Profile(tenant_id, user_id, f"Name {user_id}", f"https://a.test/{user_id}", now, now)


async def _count(path: str) -> int:
    with sqlite3.connect(path) as connection:
        return int(connection.execute("SELECT count(*) FROM profiles").fetchone()[0])


class _Reads:
    """Wraps the reader connection, counting the reads that have been answered."""

    def __init__(self, reader: Any) -> None:
        self.reader = reader
        self.answered = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.reader, name)

    async def execute_fetchall(self, sql: str, parameters: Any = ()) -> Any:
        rows = await self.reader.execute_fetchall(sql, parameters)
        self.answered += 1
        return rows


async def _wait_until_queued(store: SQLiteProfileStore, reads: int) -> None:
    """Wait until ``reads`` tasks found their profile missing and queued it.

    A task queues its candidate in the same step in which its read is answered,
    so counting answered reads counts queued creates.
    """
    reader = store._reader
    assert isinstance(reader, _Reads)
    for _ in range(2000):
        if reader.answered >= reads:
            return
        await asyncio.sleep(0.001)
    raise AssertionError("the creates never queued up")


async def _wait_until_committing(store: SQLiteProfileStore) -> None:
    """Wait until the committer has taken every queued create as its group."""
    for _ in range(2000):
        if store._committer is not None and not store._to_create:
            return
        await asyncio.sleep(0.001)
    raise AssertionError("no commit started")


async def test_creates_waiting_for_a_commit_share_the_next_one(
    store: SQLiteProfileStore,
) -> None:
    inserts = store._writer = _Inserts(store._writer)  # type: ignore[assignment]
    async with store._write_lock:
        # The first commit waits for the lock; every create queued meanwhile
        # goes into the next one.
        tasks = [
            asyncio.create_task(get_or_create(store, _candidate(f"u{n}"))) for n in range(50)
        ]
        await _wait_until_queued(store, 50)
    created = await asyncio.gather(*tasks)

    assert [profile.user_id for profile in created] == [f"u{n}" for n in range(50)]
    assert all(profile.name == f"Name {profile.user_id}" for profile in created)
    assert inserts.statements <= 2
    assert await _count(store.path) == 50


async def test_one_user_asked_for_by_many_tasks_is_stored_once(
    store: SQLiteProfileStore,
) -> None:
    async with store._write_lock:
        tasks = [
            asyncio.create_task(get_or_create(store, _candidate("same")))
            for _ in range(20)
        ]
        await _wait_until_queued(store, 20)
    created = await asyncio.gather(*tasks)

    assert len(set(created)) == 1
    assert await _count(store.path) == 1


async def test_a_failed_commit_fails_its_group_only(store: SQLiteProfileStore) -> None:
    inserts = store._writer = _Inserts(store._writer)  # type: ignore[assignment]
    inserts.fail_next = True
    async with store._write_lock:
        first = asyncio.create_task(get_or_create(store, _candidate("first")))
        await _wait_until_committing(store)
        later = [
            asyncio.create_task(get_or_create(store, _candidate(f"later{n}")))
            for n in range(5)
        ]
        await _wait_until_queued(store, 6)

    with pytest.raises(StoreUnavailable):
        await first
    stored = await asyncio.gather(*later)
    assert [profile.user_id for profile in stored] == [f"later{n}" for n in range(5)]
    assert await _count(store.path) == 5


async def test_a_cancelled_waiter_leaves_the_others_answered(
    store: SQLiteProfileStore,
) -> None:
    async with store._write_lock:
        tasks = [
            asyncio.create_task(get_or_create(store, _candidate(f"u{n}"))) for n in range(10)
        ]
        await _wait_until_queued(store, 10)
        tasks[5].cancel()
    done = await asyncio.gather(*tasks, return_exceptions=True)

    assert isinstance(done[5], asyncio.CancelledError)
    assert all(isinstance(profile, Profile) for n, profile in enumerate(done) if n != 5)


async def test_batches_larger_than_one_statement_are_stored_in_one_transaction(
    store: SQLiteProfileStore,
) -> None:
    candidates = [_candidate(f"u{n:04d}") for n in range(1200)]

    stored = await get_or_create_many(store, "t1", candidates)

    assert stored == candidates
    assert await _count(store.path) == 1200


async def test_close_waits_for_the_commit_under_way(tmp_path: Path) -> None:
    path = str(tmp_path / "profiles.db")
    store = SQLiteProfileStore(path)
    await store.start()
    async with store._write_lock:
        task = asyncio.create_task(get_or_create(store, _candidate("late")))
        await _wait_until_committing(store)
    await store.close()

    assert (await task).user_id == "late"
    assert await _count(path) == 1


async def test_a_profile_found_needs_no_candidate(store: SQLiteProfileStore) -> None:
    await get_or_create(store, _candidate("u1"))

    def new(user_id: str) -> Profile:
        raise AssertionError("a candidate was built for a stored profile")

    assert (await store.get_or_create("t1", "u1", new)).name == "Name u1"
