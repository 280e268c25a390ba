"""One request's profiles, read in as few store round trips as the fields allow.

Strawberry's DataLoader gives every key its own future and gathers them for
``load_many``; a leaderboard of 100 would pay for 100 futures and a gather. Here
the ids asked for in one turn of the event loop, by any field, share one
pending batch with one future, and a field waits once for the batches its ids
are in.
"""

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from app.profiles.model import Profile
from app.profiles.validation import MAX_BATCH_SIZE

LoadBatch = Callable[[list[str]], Awaitable[list[Profile]]]
_Batch = asyncio.Future[dict[str, Profile]]


class ProfileLoader:
    def __init__(
        self, load_batch: LoadBatch, max_batch_size: int = MAX_BATCH_SIZE
    ) -> None:
        self._load_batch = load_batch
        self._max_batch_size = max_batch_size
        # The batch that reads each id this request has asked for; a failed
        # batch stays, so the id fails alike wherever else it is asked for.
        self._batch_of: dict[str, _Batch] = {}
        self._queued: list[str] = []
        self._queued_batch: _Batch | None = None
        self._running: set[asyncio.Task[None]] = set()

    async def load(self, user_id: str) -> Profile:
        return (await self.load_many((user_id,)))[0]

    async def load_many(self, user_ids: Sequence[str]) -> list[Profile]:
        batches = [
            self._batch_of.get(user_id) or self._enqueue(user_id) for user_id in user_ids
        ]
        for batch in dict.fromkeys(batches):
            if not batch.done():
                # Shielded: another field waiting for the same batch must not
                # lose it when this field is cancelled.
                await asyncio.shield(batch)
        return [batch.result()[user_id] for batch, user_id in zip(batches, user_ids)]

    def prime(self, user_id: str, profile: Profile) -> None:
        """Answer later loads of ``user_id`` with ``profile``, as it is now."""
        batch: _Batch = asyncio.get_running_loop().create_future()
        batch.set_result({user_id: profile})
        self._batch_of[user_id] = batch

    def _enqueue(self, user_id: str) -> _Batch:
        batch = self._queued_batch
        if batch is None or len(self._queued) >= self._max_batch_size:
            batch = self._queued_batch = asyncio.get_running_loop().create_future()
            self._queued = []
            # Dispatch after the fields already scheduled in this turn have
            # asked for their ids, so that they share the batch.
            asyncio.get_running_loop().call_soon(self._dispatch, self._queued, batch)
        self._queued.append(user_id)
        self._batch_of[user_id] = batch
        return batch

    def _dispatch(self, user_ids: list[str], batch: _Batch) -> None:
        if batch is self._queued_batch:
            self._queued_batch = None
        task = asyncio.create_task(self._run(user_ids, batch))
        self._running.add(task)  # the loop holds tasks only weakly
        task.add_done_callback(self._running.discard)

    async def _run(self, user_ids: list[str], batch: _Batch) -> None:
        try:
            profiles = await self._load_batch(user_ids)
            found = dict(zip(user_ids, profiles, strict=True))
        except asyncio.CancelledError:
            batch.cancel()
            raise
        except Exception as error:  # noqa: BLE001
            if not batch.done():
                batch.set_exception(error)
            return
        if not batch.done():
            batch.set_result(found)


__all__ = ["ProfileLoader"]
