"""Every rule about profiles: defaults, validation, who may change what, and when."""

import time
from collections.abc import Collection, Sequence
from datetime import datetime

from app.profiles.avatars import default_avatar_url, regenerated_avatar_url
from app.profiles.errors import NotAllowed, StaleProfile
from app.profiles.model import Caller, Profile, utc_now, version_tag
from app.profiles.names import generate_display_name
from app.profiles.validation import check_batch, check_identifier, clean_display_name
from app.stores.base import ProfileStore


class ProfileService:
    def __init__(self, store: ProfileStore) -> None:
        self.store = store

    async def get(self, caller: Caller, user_id: str) -> Profile:
        """The profile of a user of the caller's tenant, created on first read."""
        check_identifier(user_id, "user_id")
        tenant_id = caller.tenant_id
        return await self.store.get_or_create(
            tenant_id, user_id, lambda uid: self._new_profile(tenant_id, uid)
        )

    async def get_many(self, caller: Caller, user_ids: Sequence[str]) -> list[Profile]:
        """Profiles in the order asked for, missing ones created, duplicates allowed."""
        check_batch(user_ids)
        tenant_id = caller.tenant_id
        now = utc_now()
        return await self.store.get_or_create_many(
            tenant_id, user_ids, lambda uid: self._new_profile(tenant_id, uid, now=now)
        )

    async def update(
        self,
        caller: Caller,
        user_id: str,
        *,
        name: str | None = None,
        regenerate_avatar: bool = False,
        if_match: Collection[str] | None = None,
    ) -> Profile:
        """Change a profile, creating it first if needed.

        ``if_match`` holds the ``version_tag``s the caller accepts; the change is
        made only while the stored profile still has one of them.
        """
        check_identifier(user_id, "user_id")
        if caller.user_id != user_id and not caller.is_admin:
            raise NotAllowed(user_id)
        if name is not None:
            name = clean_display_name(name)
        tenant_id = caller.tenant_id
        avatar_url = (
            regenerated_avatar_url(tenant_id, user_id, time.time_ns() // 1_000_000)
            if regenerate_avatar
            else None
        )
        candidate = self._new_profile(tenant_id, user_id, name=name, avatar_url=avatar_url)
        current = await self.store.get_or_create(tenant_id, user_id, lambda _: candidate)
        if if_match is not None and version_tag(current) not in if_match:
            raise StaleProfile(user_id)
        if current == candidate and if_match is None:
            return current

        new_name = name if name is not None and name != current.name else None
        if new_name is None and avatar_url is None:
            return current
        updated = await self.store.update(
            tenant_id,
            user_id,
            name=new_name,
            avatar_url=avatar_url,
            updated_at=max(utc_now(), current.updated_at),
            expected=current if if_match is not None else None,
        )
        if updated is None:
            raise StaleProfile(user_id)
        return updated

    @staticmethod
    def _new_profile(
        tenant_id: str,
        user_id: str,
        *,
        name: str | None = None,
        avatar_url: str | None = None,
        now: datetime | None = None,
    ) -> Profile:
        now = now or utc_now()
        return Profile(
            tenant_id=tenant_id,
            user_id=user_id,
            name=name or generate_display_name(),
            avatar_url=avatar_url or default_avatar_url(tenant_id, user_id),
            created_at=now,
            updated_at=now,
        )
