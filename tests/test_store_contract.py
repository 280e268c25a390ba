"""One contract, every store: SQLite, MongoDB through a double, and a real MongoDB when set."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.profiles.model import Profile
from app.stores import ProfileStore
from tests.stores import STORE_KINDS, get_or_create, get_or_create_many, open_test_store

T0 = datetime(2026, 1, 28, 10, 0, 0, tzinfo=UTC)


@pytest.fixture(params=STORE_KINDS)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[ProfileStore]:
    async with open_test_store(request.param, tmp_path) as opened:
        yield opened


def candidate(user_id: str, tenant_id: str = "t1", name: str = "Brave Tiger 42") -> Profile:
    return Profile(
        tenant_id=tenant_id,
        user_id=user_id,
        name=name,
        avatar_url=f"https://example.test/{tenant_id}_{user_id}",
        created_at=T0,
        updated_at=T0,
    )


async def test_get_or_create_stores_the_candidate_once(store: ProfileStore) -> None:
    first = await get_or_create(store, candidate("u1"))
    second = await get_or_create(store, candidate("u1", name="Other Name 10"))

    assert first == candidate("u1")
    assert second == first


async def test_tenants_are_separate(store: ProfileStore) -> None:
    await get_or_create(store, candidate("u1", tenant_id="t1", name="One"))
    other = await get_or_create(store, candidate("u1", tenant_id="t2", name="Two"))

    assert other.tenant_id == "t2"
    assert other.name == "Two"
    assert (await get_or_create(store, candidate("u1", tenant_id="t1"))).name == "One"


async def test_timestamps_come_back_as_utc(store: ProfileStore) -> None:
    profile = await get_or_create(store, candidate("u1"))

    assert profile.created_at.tzinfo is not None
    assert profile.created_at.utcoffset() == timedelta(0)
    assert profile.created_at == T0


async def test_get_or_create_many_keeps_order_and_creates_missing(store: ProfileStore) -> None:
    await get_or_create(store, candidate("b", name="Existing"))

    profiles = await get_or_create_many(store, 
        "t1", [candidate("c"), candidate("b"), candidate("a")]
    )

    assert [p.user_id for p in profiles] == ["c", "b", "a"]
    assert profiles[1].name == "Existing"
    assert (await get_or_create(store, candidate("c", name="Changed"))).name == "Brave Tiger 42"


async def test_get_or_create_many_builds_candidates_only_for_missing_users(
    store: ProfileStore,
) -> None:
    await get_or_create(store, candidate("old"))
    built: list[str] = []

    def new(user_id: str) -> Profile:
        built.append(user_id)
        return candidate(user_id, name="Fresh Fox 10")

    profiles = await store.get_or_create_many("t1", ["old", "new", "new", "old"], new)

    assert built == ["new"]
    assert [p.name for p in profiles] == [
        "Brave Tiger 42", "Fresh Fox 10", "Fresh Fox 10", "Brave Tiger 42"
    ]


async def test_get_or_create_many_of_nothing(store: ProfileStore) -> None:
    assert await get_or_create_many(store, "t1", []) == []


async def test_update_changes_only_given_fields(store: ProfileStore) -> None:
    await get_or_create(store, candidate("u1"))
    later = T0 + timedelta(minutes=5)

    updated = await store.update("t1", "u1", name="New Name", avatar_url=None, updated_at=later)

    assert updated is not None
    assert updated.name == "New Name"
    assert updated.avatar_url == candidate("u1").avatar_url
    assert updated.created_at == T0
    assert updated.updated_at == later
    assert await get_or_create(store, candidate("u1")) == updated


async def test_update_of_missing_profile_returns_none(store: ProfileStore) -> None:
    result = await store.update("t1", "ghost", name="x", avatar_url=None, updated_at=T0)

    assert result is None
    assert (await get_or_create(store, candidate("ghost"))).name == "Brave Tiger 42"


async def test_conditional_update_refuses_a_stale_version(store: ProfileStore) -> None:
    original = await get_or_create(store, candidate("u1"))
    later = T0 + timedelta(seconds=1)
    await store.update("t1", "u1", name="First", avatar_url=None, updated_at=later)

    stale = await store.update(
        "t1", "u1", name="Second", avatar_url=None, updated_at=later, expected=original
    )

    assert stale is None
    assert (await get_or_create(store, candidate("u1"))).name == "First"


async def test_conditional_update_applies_to_the_current_version(store: ProfileStore) -> None:
    current = await get_or_create(store, candidate("u1"))

    updated = await store.update(
        "t1", "u1", name=None, avatar_url="https://new", updated_at=T0, expected=current
    )

    assert updated is not None and updated.avatar_url == "https://new"


async def test_concurrent_first_reads_create_one_profile(store: ProfileStore) -> None:
    names = [f"Name {i}" for i in range(50)]

    results = await asyncio.gather(
        *(get_or_create(store, candidate("racer", name=name)) for name in names)
    )

    assert len({(p.name, p.created_at) for p in results}) == 1
    assert results[0].name in names


async def test_concurrent_first_reads_of_distinct_users_all_succeed(
    store: ProfileStore,
) -> None:
    ids = [f"user-{i}" for i in range(200)]

    results = await asyncio.gather(*(get_or_create(store, candidate(u)) for u in ids))

    assert [profile.user_id for profile in results] == ids
    assert await get_or_create_many(store, "t1", [candidate(u, name="x") for u in ids]) == results


async def test_concurrent_batches_agree(store: ProfileStore) -> None:
    ids = [f"u{i}" for i in range(30)]

    batches = await asyncio.gather(
        *(
            get_or_create_many(store, "t1", [candidate(u, name=f"{u} v{n}") for u in ids])
            for n in range(5)
        )
    )

    assert all(batch == batches[0] for batch in batches)


async def test_ping_answers(store: ProfileStore) -> None:
    await store.ping()
