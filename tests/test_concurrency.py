"""Many requests at once: one profile per user, every acknowledged write kept."""

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

from tests.conftest import TEST_SECRET
from tests.stores import STORE_KINDS, open_test_store
from tests.support import free_port

Auth = Callable[..., dict[str, str]]


@pytest.fixture(params=STORE_KINDS)
async def http(
    request: pytest.FixtureRequest, tmp_path: Path, app_factory: Callable[..., Any]
) -> AsyncIterator[httpx2.AsyncClient]:
    async with open_test_store(request.param, tmp_path) as store:
        app = app_factory(store=store)
        transport = httpx2.ASGITransport(app=app)
        async with httpx2.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def test_200_concurrent_first_reads_create_one_profile(
    http: httpx2.AsyncClient, auth: Auth
) -> None:
    responses = await asyncio.gather(
        *(http.get("/v1/profiles/user/newcomer", headers=auth(user=f"reader-{i}")) for i in range(200))
    )

    assert {response.status_code for response in responses} == {200}
    bodies = {tuple(sorted(response.json().items())) for response in responses}
    assert len(bodies) == 1


async def test_concurrent_first_reads_over_graphql_agree(
    http: httpx2.AsyncClient, auth: Auth
) -> None:
    query = {"query": '{ profiles(userIds: ["a", "b", "c"]) { userId name createdAt } }'}

    responses = await asyncio.gather(
        *(http.post("/graphql", headers=auth(), json=query) for _ in range(50))
    )

    results = [response.json()["data"]["profiles"] for response in responses]
    assert all(result == results[0] for result in results)


async def test_100_concurrent_updates_to_distinct_users_all_persist(
    http: httpx2.AsyncClient, auth: Auth
) -> None:
    async def rename(i: int) -> httpx2.Response:
        return await http.put(
            f"/v1/profiles/user/player-{i}",
            headers=auth(user=f"player-{i}"),
            json={"name": f"Player Number {i}"},
        )

    responses = await asyncio.gather(*(rename(i) for i in range(100)))

    assert {response.status_code for response in responses} == {200}
    ids = [f"player-{i}" for i in range(100)]
    result = await http.post(
        "/graphql",
        headers=auth(),
        json={"query": "query($ids: [ID!]!) { profiles(userIds: $ids) { name } }", "variables": {"ids": ids}},
    )
    names = [profile["name"] for profile in result.json()["data"]["profiles"]]
    assert names == [f"Player Number {i}" for i in range(100)]


# --- real server processes -------------------------------------------------------------


class Server:
    """``phoenix-profiles serve`` in a child process, on a SQLite file."""

    def __init__(self, database: Path, workers: int = 1) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "PHOENIX_JWT_SECRET": TEST_SECRET,
            "PHOENIX_DATABASE_URL": f"sqlite:///{database}",
            "PHOENIX_LOG_LEVEL": "WARNING",
        }
        self.log_path = database.with_suffix(f".{self.port}.log")
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--port", str(self.port),
             "--workers", str(workers)],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._wait_ready(workers)

    def _wait_ready(self, workers: int) -> None:
        deadline = time.monotonic() + 60
        ready = 0
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_path.read_text()}")
            try:
                if httpx2.get(f"{self.base_url}/readyz", timeout=1).status_code == 200:
                    ready += 1
                    if ready >= workers * 3:
                        return
            except httpx2.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError("server did not become ready")

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self._log.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log.close()


@pytest.fixture
def server_factory() -> Iterator[Callable[..., Server]]:
    servers: list[Server] = []

    def start(database: Path, workers: int = 1) -> Server:
        servers.append(Server(database, workers))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


async def test_two_workers_on_one_sqlite_file_create_one_profile(
    tmp_path: Path, server_factory: Callable[..., Server], auth: Auth
) -> None:
    server = server_factory(tmp_path / "shared.db", workers=2)
    limits = httpx2.Limits(max_connections=100)

    async with httpx2.AsyncClient(base_url=server.base_url, limits=limits, timeout=30) as http:
        for round_number in range(5):
            user = f"contested-{round_number}"
            responses = await asyncio.gather(
                *(http.get(f"/v1/profiles/user/{user}", headers=auth(user=f"r{i}")) for i in range(60))
            )
            assert {response.status_code for response in responses} == {200}
            assert len({response.text for response in responses}) == 1


async def test_acknowledged_writes_survive_sigkill(
    tmp_path: Path, server_factory: Callable[..., Server], auth: Auth
) -> None:
    database = tmp_path / "durable.db"
    server = server_factory(database)
    async with httpx2.AsyncClient(base_url=server.base_url, timeout=30) as http:
        acknowledged = {}
        for i in range(40):
            response = await http.put(
                f"/v1/profiles/user/u{i}", headers=auth(user=f"u{i}"), json={"name": f"Kept {i}"}
            )
            assert response.status_code == 200
            acknowledged[f"u{i}"] = response.json()
    server.kill()

    restarted = server_factory(database)
    async with httpx2.AsyncClient(base_url=restarted.base_url, timeout=30) as http:
        for user, body in acknowledged.items():
            response = await http.get(f"/v1/profiles/user/{user}", headers=auth())
            assert response.json() == body
