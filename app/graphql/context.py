"""What every resolver gets: the caller, the service, and this request's loader."""

from dataclasses import dataclass, field

from starlette.requests import Request

from app.graphql.loader import ProfileLoader
from app.profiles.errors import InvalidInput
from app.profiles.model import Caller, Profile
from app.profiles.service import ProfileService
from app.profiles.validation import check_identifier


@dataclass
class RequestContext:
    caller: Caller
    service: ProfileService
    max_profiles: int
    request: Request | None = None
    _loader: ProfileLoader | None = field(default=None, repr=False)
    _requested: set[str] = field(default_factory=set, repr=False)

    @property
    def profiles(self) -> ProfileLoader:
        """Loads this request's profiles in batches: one store round trip per batch."""
        if self._loader is None:
            self._loader = ProfileLoader(self._load_batch)
        return self._loader

    def admit(self, user_ids: list[str]) -> None:
        """Refuse a request that would touch more profiles than one request may."""
        for user_id in user_ids:
            check_identifier(user_id, "userId")
        self._requested.update(user_ids)
        if len(self._requested) > self.max_profiles:
            raise InvalidInput(
                "query", f"at most {self.max_profiles} distinct profiles per request"
            )

    async def _load_batch(self, user_ids: list[str]) -> list[Profile]:
        return await self.service.get_many(self.caller, user_ids)
