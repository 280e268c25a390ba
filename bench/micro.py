"""In-process measurements: document caches, JSON encoding, store latency.

Run as ``python -m bench.micro KIND [options]``; prints one JSON object. CPU
costs use ``time.process_time`` so that other work on a shared machine does not
count; latencies use ``time.perf_counter`` because waiting for the disk is part
of them.
"""

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import graphql
import orjson
import strawberry

from app.config import Secret, Settings
from app.graphql.context import RequestContext
from app.graphql.extensions import limit_extensions
from app.graphql.schema import build_schema
from app.profiles.model import Caller, Profile, utc_now
from app.profiles.service import ProfileService
from app.rest import profile_json
from app.stores.base import NewProfile
from app.stores.sqlite import SQLiteProfileStore

TENANT = "bench"
PROFILE_QUERY = 'query { profile(userId: "u0000001") { userId name avatarUrl } }'
TRIVIAL_QUERY = "{ __typename }"


class _MemoryStore:
    """Just enough of a store for GraphQL to run without a database."""

    def __init__(self) -> None:
        self.profiles: dict[str, Profile] = {}

    async def get_or_create_many(
        self, tenant_id: str, user_ids: Sequence[str], new: NewProfile
    ) -> list[Profile]:
        profiles = self.profiles
        return [
            profiles[uid] if uid in profiles else profiles.setdefault(uid, new(uid))
            for uid in user_ids
        ]


def document_caches(rounds: int) -> dict[str, Any]:
    settings = Settings(jwt_secret=Secret("unused"))
    variants = (
        ("uncached", limit_extensions(settings, parse_cache_size=0, validation_cache_size=0)),
        ("parsecached", limit_extensions(settings, validation_cache_size=0)),
        ("cached", limit_extensions(settings)),
    )
    service = ProfileService(_MemoryStore())  # type: ignore[arg-type]
    results: dict[str, Any] = {"rounds": rounds}
    for label, extensions in variants:
        schema = build_schema(extensions=extensions)
        for name, query in (("trivial", TRIVIAL_QUERY), ("profile", PROFILE_QUERY)):
            cost = asyncio.run(_execution_cost(schema, service, query, rounds))
            results[f"{name}_{label}_ms"] = cost
    results["profile_floor_ms"] = asyncio.run(_graphql_core_floor(rounds))
    return results


async def _graphql_core_floor(rounds: int) -> float:
    """CPU milliseconds per graphql-core ``execute`` of the ``profile`` query alone.

    The schema has the same shape, the document is parsed once, and the
    resolver returns a constant: no store, no loader, no Strawberry
    per-request work. What any request that executes this query pays.
    """

    @strawberry.type
    class Profile:
        user_id: strawberry.ID
        name: str
        avatar_url: str

    constant = Profile(user_id=strawberry.ID("u0000001"), name="Brave Otter 01",
                       avatar_url="https://api.dicebear.com/9.x/adventurer/svg?seed=x")

    @strawberry.type
    class Query:
        @strawberry.field
        async def profile(self, user_id: strawberry.ID) -> Profile:
            return constant

    schema = strawberry.Schema(query=Query)._schema
    document = graphql.parse(PROFILE_QUERY)
    for _ in range(min(rounds, 50)):
        await graphql.execute(schema, document)
    started = time.process_time()
    for _ in range(rounds):
        result = await graphql.execute(schema, document)  # type: ignore[misc]
    assert not result.errors, result.errors
    return (time.process_time() - started) / rounds * 1000


async def _execution_cost(
    schema: Any, service: ProfileService, query: str, rounds: int
) -> float:
    """CPU milliseconds per ``schema.execute``, a fresh context each time."""

    async def execute() -> None:
        context = RequestContext(
            caller=Caller(TENANT, "reader"), service=service, max_profiles=100
        )
        result = await schema.execute(query, context_value=context)
        assert not result.errors, result.errors

    for _ in range(min(rounds, 50)):
        await execute()  # warm the caches and the interpreter
    started = time.process_time()
    for _ in range(rounds):
        await execute()
    return (time.process_time() - started) / rounds * 1000


def _cpu_per_call(call: Callable[[], Any], rounds: int) -> float:
    for _ in range(min(rounds, 50)):
        call()
    started = time.process_time()
    for _ in range(rounds):
        call()
    return (time.process_time() - started) / rounds * 1000


def json_encoding(rounds: int) -> dict[str, Any]:
    now = utc_now()
    profiles = [
        Profile(TENANT, f"u{n:07d}", f"Brave Otter {n % 100:02d}",
                f"https://api.dicebear.com/9.x/adventurer/svg?seed=bench_u{n:07d}", now, now)
        for n in range(100)
    ]
    rest_body = profile_json(profiles[0])
    graphql_body = {
        "data": {
            "profiles": [
                {"userId": p.user_id, "name": p.name, "avatarUrl": p.avatar_url}
                for p in profiles
            ]
        }
    }

    def stdlib(content: Any) -> bytes:
        # What Starlette's JSONResponse and Strawberry's default encoder do.
        return json.dumps(
            content, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")
        ).encode("utf-8")

    results: dict[str, Any] = {"rounds": rounds}
    for name, body in (("rest_profile", rest_body), ("graphql_profiles_100", graphql_body)):
        assert orjson.loads(orjson.dumps(body)) == json.loads(stdlib(body))
        for label, encode in (("orjson", orjson.dumps), ("stdlib", stdlib)):
            results[f"{name}_{label}_us"] = (
                _cpu_per_call(lambda: encode(body), rounds) * 1000
            )
    return results


def store_latency(path: str, rows: int, reads: int) -> dict[str, Any]:
    """Sequential reads of random existing profiles, one at a time."""

    async def measure() -> list[float]:
        store = SQLiteProfileStore(path)
        await store.start()
        now = utc_now()
        picker = random.Random(7)
        timings = []

        def unused(user_id: str) -> Profile:
            return Profile(TENANT, user_id, "unused", "unused", now, now)

        try:
            for _ in range(reads):
                user_id = f"u{picker.randrange(rows):07d}"
                started = time.perf_counter()
                stored = await store.get_or_create(TENANT, user_id, unused)
                timings.append(time.perf_counter() - started)
                assert stored.name != "unused", "the benchmark reads seeded profiles only"
        finally:
            await store.close()
        return timings

    return {"rows": rows, "reads": reads, **_latencies(asyncio.run(measure()))}


def write_latency(path: str, writes: int) -> dict[str, Any]:
    """Create-on-read and update latency, one at a time, at FULL and NORMAL sync."""

    async def measure(synchronous: str) -> dict[str, Any]:
        store = SQLiteProfileStore(path)
        await store.start()
        # The store always opens with synchronous=FULL; NORMAL is set here only
        # to show what FULL costs.
        assert store._writer is not None
        await store._writer.execute(f"PRAGMA synchronous = {synchronous}")
        creates, updates = [], []
        try:
            for n in range(writes):
                now = utc_now()
                candidate = Profile(TENANT, f"w-{synchronous}-{n}", "Fresh", "x", now, now)
                started = time.perf_counter()
                await store.get_or_create(TENANT, candidate.user_id, lambda _: candidate)
                creates.append(time.perf_counter() - started)
                started = time.perf_counter()
                await store.update(
                    TENANT, candidate.user_id, name=f"Renamed {n}", avatar_url=None,
                    updated_at=now,
                )
                updates.append(time.perf_counter() - started)
        finally:
            await store.close()
        return {
            "create": _latencies(creates),
            "update": _latencies(updates),
        }

    return {
        "writes": writes,
        "FULL": asyncio.run(measure("FULL")),
        "NORMAL": asyncio.run(measure("NORMAL")),
    }


def _latencies(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    return {
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[int(len(ordered) * 0.99) - 1] * 1000,
        "mean_ms": statistics.fmean(ordered) * 1000,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.micro")
    parser.add_argument("kind", choices=["caches", "json", "store", "writes"])
    parser.add_argument("--rounds", type=int, default=2000)
    parser.add_argument("--db")
    parser.add_argument("--rows", type=int, default=0)
    args = parser.parse_args(argv)
    if args.kind == "caches":
        result = document_caches(args.rounds)
    elif args.kind == "json":
        result = json_encoding(args.rounds)
    elif args.kind == "store":
        result = store_latency(args.db, args.rows, args.rounds)
    else:
        result = write_latency(args.db, args.rounds)
    json.dump(result, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
