"""The request's profile loader: which ids go to the store together, and when."""

import asyncio
from datetime import UTC, datetime

import pytest

from app.graphql.loader import ProfileLoader
from app.profiles.errors import StoreUnavailable
from app.profiles.model import Profile

NOW = datetime(2026, 1, 28, 10, 0, tzinfo=UTC)


def _profile(user_id: str, name: str = "Stored") -> Profile:
    return Profile("t", user_id, name, f"https://avatars.test/{user_id}", NOW, NOW)


class Reads:
    """A batch function that records each batch it is given."""

    def __init__(self, error: Exception | None = None) -> None:
        self.batches: list[list[str]] = []
        self.error = error
        self.release = asyncio.Event()
        self.release.set()

    async def __call__(self, user_ids: list[str]) -> list[Profile]:
        self.batches.append(list(user_ids))
        await self.release.wait()
        if self.error is not None:
            raise self.error
        return [_profile(user_id) for user_id in user_ids]


async def test_loads_of_one_turn_share_one_batch() -> None:
    reads = Reads()
    loader = ProfileLoader(reads)

    many, one, again = await asyncio.gather(
        loader.load_many(["a", "b", "a"]), loader.load("c"), loader.load("b")
    )

    assert [profile.user_id for profile in many] == ["a", "b", "a"]
    assert (one.user_id, again.user_id) == ("c", "b")
    assert reads.batches == [["a", "b", "c"]]


async def test_ids_already_read_are_not_read_again() -> None:
    reads = Reads()
    loader = ProfileLoader(reads)
    await loader.load_many(["a", "b"])

    profiles = await loader.load_many(["b", "c", "a"])

    assert [profile.user_id for profile in profiles] == ["b", "c", "a"]
    assert reads.batches == [["a", "b"], ["c"]]


async def test_batches_hold_at_most_the_batch_size() -> None:
    reads = Reads()
    loader = ProfileLoader(reads, max_batch_size=2)

    profiles = await loader.load_many(["a", "b", "c", "d", "e"])

    assert [profile.user_id for profile in profiles] == ["a", "b", "c", "d", "e"]
    assert reads.batches == [["a", "b"], ["c", "d"], ["e"]]


async def test_a_failed_batch_fails_each_of_its_ids_without_reading_again() -> None:
    reads = Reads(error=StoreUnavailable("down for the test"))
    loader = ProfileLoader(reads)

    outcomes = await asyncio.gather(
        loader.load("a"), loader.load_many(["a", "b"]), return_exceptions=True
    )

    assert all(isinstance(outcome, StoreUnavailable) for outcome in outcomes)
    with pytest.raises(StoreUnavailable):
        await loader.load("b")
    assert reads.batches == [["a", "b"]]


async def test_a_cancelled_load_leaves_the_batch_to_the_others() -> None:
    reads = Reads()
    reads.release.clear()
    loader = ProfileLoader(reads)
    cancelled = asyncio.ensure_future(loader.load("a"))
    waiting = asyncio.ensure_future(loader.load_many(["a", "b"]))
    while not reads.batches:
        await asyncio.sleep(0)

    cancelled.cancel()
    reads.release.set()

    assert [profile.user_id for profile in await waiting] == ["a", "b"]
    assert cancelled.cancelled()


async def test_primed_profile_answers_later_loads() -> None:
    reads = Reads()
    loader = ProfileLoader(reads)
    await loader.load("a")

    loader.prime("a", _profile("a", name="Renamed"))

    assert (await loader.load("a")).name == "Renamed"
    assert reads.batches == [["a"]]
