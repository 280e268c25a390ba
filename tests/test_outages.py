"""A store that is away or slow: 503 with Retry-After, never a crash, and recovery by itself."""

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from mongomock_motor import AsyncMongoMockClient
from pymongo.errors import ServerSelectionTimeoutError
from starlette.testclient import TestClient

from app.stores.mongo import MongoProfileStore
from app.stores.sqlite import SQLiteProfileStore
from tests.support import free_port

Auth = Callable[..., dict[str, str]]
URL = "/v1/profiles/user/user_123"
ME = {"query": "{ me { name } }"}


def assert_unavailable(client: TestClient, auth: Auth) -> None:
    rest = client.get(URL, headers=auth())
    assert rest.status_code == 503
    assert rest.headers["retry-after"] == "5"
    assert rest.json()["error"]["code"] == "SERVICE_UNAVAILABLE"

    put = client.put(URL, headers=auth(), json={"name": "Lost?"})
    assert put.status_code == 503

    graphql = client.post("/graphql", headers=auth(), json=ME)
    assert graphql.status_code == 503
    assert graphql.headers["retry-after"] == "5"
    assert graphql.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"

    assert client.get("/readyz").status_code == 503
    assert client.get("/readyz").headers["retry-after"] == "5"
    assert client.get("/healthz").status_code == 200


class TestUnreachableMongoDB:
    """The real PyMongo driver, pointed at an address where nothing listens."""

    @pytest.fixture
    def client(self, app_factory: Callable[..., Any]) -> Iterator[TestClient]:
        url = f"mongodb://127.0.0.1:{free_port()}/phoenix?directConnection=true"
        app = app_factory(database_url=url, store_timeout_seconds=0.3)
        with TestClient(app) as client:  # start-up itself must not fail
            yield client

    def test_requests_answer_503_and_the_process_stays_up(
        self, client: TestClient, auth: Auth
    ) -> None:
        assert_unavailable(client, auth)

    def test_the_driver_error_does_not_leak(self, client: TestClient, auth: Auth) -> None:
        body = client.get(URL, headers=auth()).text

        assert "127.0.0.1" not in body
        assert "ServerSelectionTimeoutError" not in body


class _Outage:
    """Wraps a test-double collection; while ``down``, every call times out like a lost server."""

    def __init__(self, collection: Any) -> None:
        self._collection = collection
        self.down = True
        self.indexes_created = 0

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._collection, name)
        if not callable(target):
            return target

        def call(*args: Any, **kwargs: Any) -> Any:
            if self.down:
                raise ServerSelectionTimeoutError("no servers available")
            if name == "create_index":
                self.indexes_created += 1
            return target(*args, **kwargs)

        return call


class _FlakyAdmin:
    def __init__(self, outage: _Outage) -> None:
        self.outage = outage

    async def command(self, name: str) -> dict[str, Any]:
        if self.outage.down:
            raise ServerSelectionTimeoutError("no servers available")
        return {"ok": 1}


def test_mongodb_store_recovers_and_creates_its_index_once_reachable(
    app_factory: Callable[..., Any], auth: Auth
) -> None:
    store = MongoProfileStore(AsyncMongoMockClient(), "phoenix", owns_client=False)
    outage = _Outage(store.collection)
    store.collection = outage
    store.client = type("Client", (), {"admin": _FlakyAdmin(outage)})()

    with TestClient(app_factory(store=store)) as client:
        assert_unavailable(client, auth)
        assert outage.indexes_created == 0

        outage.down = False

        assert client.get("/readyz").status_code == 200
        assert outage.indexes_created == 1
        assert client.get(URL, headers=auth()).status_code == 200
        assert client.get(URL, headers=auth()).status_code == 200
        assert outage.indexes_created == 1


def test_sqlite_held_by_another_process_answers_503_then_recovers(
    tmp_path: Path, app_factory: Callable[..., Any], auth: Auth
) -> None:
    database = tmp_path / "busy.db"
    store = SQLiteProfileStore(str(database), timeout_seconds=0.2)

    with TestClient(app_factory(store=store)) as client:
        before = client.get("/v1/profiles/user/existing", headers=auth())
        assert before.status_code == 200

        holder = sqlite3.connect(database, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another process keeps the write lock
        try:
            response = client.get(URL, headers=auth())
            assert response.status_code == 503
            assert response.headers["retry-after"] == "5"
            assert client.put("/v1/profiles/user/user_123", headers=auth(), json={"name": "x"}).status_code == 503
            assert client.get("/readyz").status_code == 503
            assert client.get("/healthz").status_code == 200
            # Existing profiles can still be read while writes wait.
            assert client.get("/v1/profiles/user/existing", headers=auth()).json() == before.json()
        finally:
            holder.execute("ROLLBACK")
            holder.close()

        assert client.get("/readyz").status_code == 200
        assert client.get(URL, headers=auth()).status_code == 200


def test_sqlite_file_that_cannot_be_opened_answers_503(
    tmp_path: Path, app_factory: Callable[..., Any], auth: Auth
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the database directory should be")
    store = SQLiteProfileStore(str(blocker / "profiles.db"), timeout_seconds=0.2)

    with TestClient(app_factory(store=store)) as client:
        assert_unavailable(client, auth)

        blocker.unlink()

        assert client.get("/readyz").status_code == 200
        assert client.get(URL, headers=auth()).status_code == 200
