"""Many profiles in one request cost a fixed number of database round trips.

A counting stand-in replaces each store's database handle and records every
call that reaches the database, so the assertions count real operations: for
SQLite the statements sent over the reader and writer connections, for MongoDB
the collection methods called.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from app.stores.mongo import MongoProfileStore
from app.stores.sqlite import SQLiteProfileStore

BATCH = 100
_SQLITE_CALLS = {
    "execute",
    "execute_fetchall",
    "executemany",
    "executescript",
    "commit",
    "rollback",
}
_MONGO_CALLS = {
    "find",
    "find_one",
    "find_one_and_update",
    "bulk_write",
    "insert_one",
    "insert_many",
    "update_one",
    "update_many",
    "replace_one",
    "aggregate",
    "count_documents",
}


@dataclass
class Ledger:
    """Database operations in the order they were issued: (operation, detail)."""

    calls: list[tuple[str, Any]] = field(default_factory=list)

    def clear(self) -> None:
        self.calls.clear()

    def named(self, operation: str) -> list[Any]:
        return [detail for name, detail in self.calls if name == operation]

    @property
    def operations(self) -> list[str]:
        return [name for name, _ in self.calls]


class _Counting:
    """Delegates everything to ``target``, noting each call of a counted method."""

    def __init__(
        self,
        target: Any,
        counted: set[str],
        ledger: Ledger,
        describe: Callable[[str, tuple[Any, ...]], tuple[str, Any]],
    ) -> None:
        self._target = target
        self._counted = counted
        self._ledger = ledger
        self._describe = describe

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._target, name)
        if name not in self._counted:
            return attribute

        def counted_call(*args: Any, **kwargs: Any) -> Any:
            self._ledger.calls.append(self._describe(name, args))
            return attribute(*args, **kwargs)

        return counted_call


def _describe_sqlite(method: str, args: tuple[Any, ...]) -> tuple[str, Any]:
    if method not in ("execute", "execute_fetchall", "executemany"):
        return method.upper(), None
    sql = args[0].split()
    if sql[0] == "BEGIN":
        return " ".join(sql[:2]), None
    if method == "executemany":
        return sql[0], len(args[1])  # rows written in one call
    if sql[0] == "INSERT":
        return sql[0], len(args[1]) // 6  # rows written in one multi-row statement
    if sql[0] == "SELECT" and "IN" in sql:
        return sql[0], len(args[1]) - 1  # user ids asked for (after the tenant id)
    return sql[0], 1


def _describe_mongo(method: str, args: tuple[Any, ...]) -> tuple[str, Any]:
    if method == "bulk_write":
        return method, len(args[0])
    if method == "find":
        return method, len(args[0]["user_id"]["$in"])
    return method, None


@dataclass
class Counted:
    """An app whose store reports its database operations to ``ledger``."""

    client: TestClient
    ledger: Ledger
    read: str  # the ledger's name for one read of many profiles
    write: str  # the ledger's name for one bulk creation


@pytest.fixture(params=["sqlite", "mongodb"])
def counted(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    app_factory: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Counted]:
    ledger = Ledger()
    if request.param == "sqlite":
        store: Any = SQLiteProfileStore(str(tmp_path / "batching.db"))
        names = ("SELECT", "INSERT")
    else:
        mongomock_motor = pytest.importorskip(
            "mongomock_motor", reason="mongomock-motor is part of the test extra"
        )
        _let_mongomock_take_update_sort(monkeypatch)
        mongo_client = mongomock_motor.AsyncMongoMockClient()
        store = MongoProfileStore(mongo_client, "testdb", owns_client=False)
        names = ("find", "bulk_write")
    app = app_factory(store=store, graphql_max_aliases=BATCH)
    with TestClient(app) as client:
        if isinstance(store, SQLiteProfileStore):
            reader, writer = store._reader, store._writer
            assert reader is not None and writer is not None
            store._reader = _Counting(reader, _SQLITE_CALLS, ledger, _describe_sqlite)  # type: ignore[assignment]
            store._writer = _Counting(writer, _SQLITE_CALLS, ledger, _describe_sqlite)  # type: ignore[assignment]
        else:
            store.collection = _Counting(
                store.collection, _MONGO_CALLS, ledger, _describe_mongo
            )
        yield Counted(client, ledger, *names)


def _let_mongomock_take_update_sort(monkeypatch: pytest.MonkeyPatch) -> None:
    # mongomock's bulk builder predates PyMongo's ``UpdateOne(sort=...)`` and
    # refuses the keyword even when unset; dropping it matches the server, which
    # ignores an unset sort.
    from mongomock.collection import BulkOperationBuilder

    original = BulkOperationBuilder.add_update

    def add_update(self: Any, *args: Any, sort: Any = None, **kwargs: Any) -> Any:
        return original(self, *args, **kwargs)

    monkeypatch.setattr(BulkOperationBuilder, "add_update", add_update)


def _ids(prefix: str, count: int = BATCH) -> list[str]:
    return [f"{prefix}-{number:03d}" for number in range(count)]


def _profiles(counted: Counted, auth: Any, user_ids: list[str]) -> list[dict[str, str]]:
    response = counted.client.post(
        "/graphql",
        json={
            "query": "query($ids: [ID!]!) { profiles(userIds: $ids) { userId name } }",
            "variables": {"ids": user_ids},
        },
        headers=auth(),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    profiles: list[dict[str, str]] = body["data"]["profiles"]
    return profiles


def _expect_single_read(counted: Counted, asked: int) -> None:
    assert counted.ledger.operations == [counted.read]
    assert counted.ledger.named(counted.read) == [asked]


def _expect_read_create_reread(counted: Counted, asked: int, missing: int) -> None:
    """One read of all, one bulk creation of the missing, one re-read of those at most.

    SQLite needs no re-read: its one INSERT statement (one transaction) returns
    the rows it stored.
    """
    ledger = counted.ledger
    if counted.read == "SELECT":
        assert ledger.operations == ["SELECT", "INSERT"]
        assert ledger.named("INSERT") == [missing]
        assert ledger.named(counted.read) == [asked]
    else:
        assert ledger.operations == ["find", "bulk_write", "find"]
        assert ledger.named("bulk_write") == [missing]
        assert ledger.named(counted.read) == [asked, missing]


def test_all_new_profiles_cost_one_read_one_bulk_create_one_reread(
    counted: Counted, auth: Any
) -> None:
    user_ids = _ids("new")

    profiles = _profiles(counted, auth, user_ids)

    assert [profile["userId"] for profile in profiles] == user_ids
    _expect_read_create_reread(counted, asked=BATCH, missing=BATCH)


def test_all_existing_profiles_cost_one_read(counted: Counted, auth: Any) -> None:
    user_ids = _ids("old")
    first = _profiles(counted, auth, user_ids)
    counted.ledger.clear()

    again = _profiles(counted, auth, user_ids)

    assert again == first
    _expect_single_read(counted, asked=BATCH)


def test_mixed_batch_creates_only_the_missing_in_one_bulk_write(
    counted: Counted, auth: Any
) -> None:
    existing = _ids("old", BATCH // 2)
    before = {p["userId"]: p["name"] for p in _profiles(counted, auth, existing)}
    fresh = _ids("new", BATCH // 2)
    user_ids = [uid for pair in zip(existing, fresh) for uid in pair]
    counted.ledger.clear()

    profiles = _profiles(counted, auth, user_ids)

    assert [profile["userId"] for profile in profiles] == user_ids
    assert {p["userId"]: p["name"] for p in profiles if p["userId"] in before} == before
    _expect_read_create_reread(counted, asked=BATCH, missing=BATCH // 2)


def test_profile_fields_spread_over_fragments_share_one_batch(
    counted: Counted, auth: Any
) -> None:
    # Two ``profile`` fields with different arguments must have different
    # response names, so each field here carries an alias (the app is built with
    # the alias limit raised to the batch size).
    user_ids = _ids("frag")
    halves = (user_ids[: BATCH // 2], user_ids[BATCH // 2 :])
    fragments = [
        f"fragment Part{part} on Query {{ "
        + " ".join(f'p{uid[-3:]}: profile(userId: "{uid}") {{ userId }}' for uid in ids)
        + " }"
        for part, ids in enumerate(halves)
    ]
    query = "{ ...Part0 ...Part1 }\n" + "\n".join(fragments)

    response = counted.client.post("/graphql", json={"query": query}, headers=auth())

    body = response.json()
    assert "errors" not in body, body
    assert [body["data"][f"p{uid[-3:]}"]["userId"] for uid in user_ids] == user_ids
    _expect_read_create_reread(counted, asked=BATCH, missing=BATCH)
    counted.ledger.clear()

    again = counted.client.post("/graphql", json={"query": query}, headers=auth())

    assert again.json() == body
    _expect_single_read(counted, asked=BATCH)


def test_profiles_list_profile_fields_and_me_share_one_read(
    counted: Counted, auth: Any
) -> None:
    listed = _ids("list", 90)
    singles = _ids("one", 9)
    _profiles(counted, auth, listed + singles + ["user_123"])
    counted.ledger.clear()
    fields = " ".join(f'o{n}: profile(userId: "{uid}") {{ name }}' for n, uid in enumerate(singles))
    query = (
        f"query($ids: [ID!]!) {{ profiles(userIds: $ids) {{ userId }} {fields} "
        "me { userId } }"
    )

    response = counted.client.post(
        "/graphql", json={"query": query, "variables": {"ids": listed}}, headers=auth()
    )

    body = response.json()
    assert "errors" not in body, body
    assert [p["userId"] for p in body["data"]["profiles"]] == listed
    assert body["data"]["me"] == {"userId": "user_123"}
    _expect_single_read(counted, asked=BATCH)


def test_unaliased_profile_fields_with_different_ids_are_refused_unread(
    counted: Counted, auth: Any
) -> None:
    query = (
        "{ ...A ...B }\n"
        'fragment A on Query { profile(userId: "a") { name } }\n'
        'fragment B on Query { profile(userId: "b") { name } }'
    )

    response = counted.client.post("/graphql", json={"query": query}, headers=auth())

    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "profile" in body["errors"][0]["message"]
    assert counted.ledger.calls == []
