"""The embedded store: one SQLite file, safe to share between worker processes.

WAL lets readers run while one writer commits; the unique key makes creation
atomic across processes (``INSERT … ON CONFLICT DO NOTHING`` then read back).
Reads and writes use separate connections so that a read never joins another
task's open write transaction; writes take a lock for the same reason.

Every statement runs to completion in one call on the connection's thread
(``execute_fetchall``). A cursor left open between awaits would keep the shared
reader's snapshot open while other tasks read through it, so they would miss
rows committed since, including one a task has just inserted itself.

Profiles found missing are created by group commit: with ``synchronous=FULL``
every commit waits for the disk, so the tasks that find profiles missing while
one commit is under way join the next one together, and the disk is waited for
once per group instead of once per profile. No task is answered before the
commit that holds its profile has returned.
"""

import asyncio
import functools
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite

from app.profiles.errors import StoreUnavailable
from app.profiles.model import Profile
from app.stores.base import NewProfile

_SCHEMA = """
CREATE TABLE IF NOT EXISTS profiles (
    tenant_id  TEXT    NOT NULL,
    user_id    TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    avatar_url TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
) WITHOUT ROWID
"""
_COLUMNS = "tenant_id, user_id, name, avatar_url, created_at, updated_at"
_SELECT_ONE = f"SELECT {_COLUMNS} FROM profiles WHERE tenant_id = ? AND user_id = ?"
# Six parameters a row keeps one statement far below SQLite's 32,766.
_ROWS_PER_INSERT = 500

_Key = tuple[str, str]
# Candidates of one task, and where that task waits for what is stored for them.
_Waiting = tuple[Sequence[Profile], "asyncio.Future[dict[_Key, Profile]]"]


class SQLiteProfileStore:
    def __init__(self, path: str, *, timeout_seconds: float = 5.0) -> None:
        self.path = path
        self.timeout_seconds = timeout_seconds
        self._reader: aiosqlite.Connection | None = None
        self._writer: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()
        self._connect_lock = asyncio.Lock()
        self._to_create: list[_Waiting] = []
        self._committer: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self._connections()

    async def close(self) -> None:
        if self._committer is not None:
            await self._committer
        for connection in (self._reader, self._writer):
            if connection is not None:
                await connection.close()
        self._reader = self._writer = None

    async def ping(self) -> None:
        """Check that profiles can be read and written: a read may have to create."""
        reader, writer = await self._connections()
        with _store_errors:
            await reader.execute_fetchall("SELECT 1 FROM profiles LIMIT 1")
            async with self._write_lock:
                await writer.execute("BEGIN IMMEDIATE")
                await writer.execute("ROLLBACK")

    async def get_or_create(self, tenant_id: str, user_id: str, new: NewProfile) -> Profile:
        reader, _ = await self._connections()
        key = (tenant_id, user_id)
        with _store_errors:
            if (found := await _fetch_one(reader, key)) is not None:
                return found
        return (await self._create([new(user_id)]))[key]

    async def get_or_create_many(
        self, tenant_id: str, user_ids: Sequence[str], new: NewProfile
    ) -> list[Profile]:
        reader, _ = await self._connections()
        with _store_errors:
            found = await _fetch_many(reader, tenant_id, user_ids)
        missing = [user_id for user_id in dict.fromkeys(user_ids) if user_id not in found]
        if missing:
            created = await self._create([new(user_id) for user_id in missing])
            found |= {user_id: created[tenant_id, user_id] for user_id in missing}
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
        _, writer = await self._connections()
        sql = (
            "UPDATE profiles SET name = coalesce(?, name), "
            "avatar_url = coalesce(?, avatar_url), updated_at = ? "
            "WHERE tenant_id = ? AND user_id = ?"
        )
        params: list[object] = [
            name, avatar_url, _epoch(updated_at), tenant_id, user_id
        ]
        if expected is not None:
            sql += " AND name = ? AND avatar_url = ? AND updated_at = ?"
            params += [expected.name, expected.avatar_url, _epoch(expected.updated_at)]
        with _store_errors:
            async with self._write_lock:
                rows = await writer.execute_fetchall(f"{sql} RETURNING {_COLUMNS}", params)
        return _profile(next(iter(rows))) if rows else None

    async def _create(self, candidates: Sequence[Profile]) -> dict[_Key, Profile]:
        """Store the candidates that are still missing; return what is stored for each.

        The candidates wait for the commit under way, if any, and then go into
        the next one with every other task's.
        """
        done = asyncio.get_running_loop().create_future()
        self._to_create.append((candidates, done))
        if self._committer is None:
            self._committer = asyncio.create_task(self._commit_waiting())
        return await done

    async def _commit_waiting(self) -> None:
        group: list[_Waiting] = []
        try:
            while self._to_create:
                group = self._take_group()
                try:
                    stored = await self._insert_missing(
                        [c for candidates, _ in group for c in candidates]
                    )
                except Exception as error:  # every task of the group is told
                    for _, done in group:
                        if not done.done():
                            done.set_exception(error)
                else:
                    for _, done in group:
                        if not done.done():
                            done.set_result(stored)
                group = []
        finally:
            self._committer = None
            # Only a cancelled committer (the loop shutting down) leaves waiters.
            for _, done in [*group, *self._to_create]:
                done.cancel()
            self._to_create.clear()

    def _take_group(self) -> list[_Waiting]:
        rows = 0
        for taken, (candidates, _) in enumerate(self._to_create):
            rows += len(candidates)
            if rows > _ROWS_PER_INSERT and taken > 0:
                break
        else:
            taken = len(self._to_create)
        group, self._to_create = self._to_create[:taken], self._to_create[taken:]
        return group

    async def _insert_missing(self, candidates: Sequence[Profile]) -> dict[_Key, Profile]:
        reader, writer = await self._connections()
        chunks = [
            candidates[start : start + _ROWS_PER_INSERT]
            for start in range(0, len(candidates), _ROWS_PER_INSERT)
        ]
        with _store_errors:
            async with self._write_lock:
                if len(chunks) == 1:
                    rows = await _insert(writer, chunks[0])
                else:
                    await writer.execute("BEGIN IMMEDIATE")
                    try:
                        rows = [row for chunk in chunks for row in await _insert(writer, chunk)]
                    except BaseException:
                        await writer.rollback()
                        raise
                    await writer.commit()
            stored = {(row[0], row[1]): _profile(row) for row in rows}
            # A candidate not inserted was stored by another process meanwhile.
            for tenant_id, user_ids in _missing_by_tenant(candidates, stored).items():
                for user_id, profile in (await _fetch_many(reader, tenant_id, user_ids)).items():
                    stored[tenant_id, user_id] = profile
        return stored

    async def _connections(self) -> tuple[aiosqlite.Connection, aiosqlite.Connection]:
        if self._reader is not None and self._writer is not None:
            return self._reader, self._writer
        async with self._connect_lock:
            if self._reader is None or self._writer is None:
                with _store_errors:
                    Path(self.path).parent.mkdir(parents=True, exist_ok=True)
                    writer = await self._open()
                    try:
                        await writer.execute("PRAGMA journal_mode = WAL")
                        await writer.execute(_SCHEMA)
                        reader = await self._open()
                    except BaseException:
                        # Not half-open: the next call starts again from nothing.
                        await writer.close()
                        raise
                    self._writer, self._reader = writer, reader
        return self._reader, self._writer

    async def _open(self) -> aiosqlite.Connection:
        connection = await aiosqlite.connect(
            self.path, timeout=self.timeout_seconds, isolation_level=None
        )
        # FULL makes every acknowledged commit survive power loss, not only a
        # crash of the process.
        await connection.execute("PRAGMA synchronous = FULL")
        await connection.execute(
            f"PRAGMA busy_timeout = {int(self.timeout_seconds * 1000)}"
        )
        return connection


class _StoreErrors:
    """Turns "database is locked", "unable to open" and I/O errors into ``StoreUnavailable``."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type | None, error: BaseException | None, _tb: object) -> bool:
        if isinstance(error, (sqlite3.OperationalError, OSError)):
            raise StoreUnavailable(f"sqlite: {error}") from error
        return False


_store_errors = _StoreErrors()


async def _fetch_one(
    connection: aiosqlite.Connection, key: tuple[str, str]
) -> Profile | None:
    rows = await connection.execute_fetchall(_SELECT_ONE, key)
    return _profile(next(iter(rows))) if rows else None


async def _fetch_many(
    connection: aiosqlite.Connection, tenant_id: str, user_ids: Sequence[str]
) -> dict[str, Profile]:
    if not user_ids:
        return {}
    marks = ", ".join("?" * len(user_ids))
    sql = f"SELECT {_COLUMNS} FROM profiles WHERE tenant_id = ? AND user_id IN ({marks})"
    rows = await connection.execute_fetchall(sql, (tenant_id, *user_ids))
    return {row[1]: _profile(row) for row in rows}


async def _insert(
    writer: aiosqlite.Connection, candidates: Sequence[Profile]
) -> list[sqlite3.Row]:
    """Insert in one statement, and so one transaction; return the rows inserted."""
    params = [value for candidate in candidates for value in _row(candidate)]
    return list(await writer.execute_fetchall(_insert_sql(len(candidates)), params))


@functools.lru_cache(maxsize=64)
def _insert_sql(rows: int) -> str:
    values = ", ".join(["(?, ?, ?, ?, ?, ?)"] * rows)
    return (
        f"INSERT INTO profiles ({_COLUMNS}) VALUES {values} "
        f"ON CONFLICT (tenant_id, user_id) DO NOTHING RETURNING {_COLUMNS}"
    )


def _missing_by_tenant(
    candidates: Sequence[Profile], stored: dict[_Key, Profile]
) -> dict[str, list[str]]:
    missing: dict[str, list[str]] = {}
    for candidate in candidates:
        if (candidate.tenant_id, candidate.user_id) not in stored:
            missing.setdefault(candidate.tenant_id, []).append(candidate.user_id)
    return missing


def _row(profile: Profile) -> tuple[object, ...]:
    return (
        profile.tenant_id,
        profile.user_id,
        profile.name,
        profile.avatar_url,
        _epoch(profile.created_at),
        _epoch(profile.updated_at),
    )


def _profile(row: sqlite3.Row | tuple[object, ...]) -> Profile:
    tenant_id, user_id, name, avatar_url, created_at, updated_at = row
    return Profile(
        tenant_id=str(tenant_id),
        user_id=str(user_id),
        name=str(name),
        avatar_url=str(avatar_url),
        created_at=datetime.fromtimestamp(int(created_at), UTC),  # type: ignore[arg-type]
        updated_at=datetime.fromtimestamp(int(updated_at), UTC),  # type: ignore[arg-type]
    )


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())
