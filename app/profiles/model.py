"""The profile value object and the shapes that change it."""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime


ADMIN_SCOPE = "profiles:admin"


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is asking, for which tenant, as a verified token says."""

    tenant_id: str
    user_id: str
    scopes: frozenset[str] = frozenset()

    @property
    def is_admin(self) -> bool:
        return ADMIN_SCOPE in self.scopes


@dataclass(frozen=True, slots=True)
class Profile:
    tenant_id: str
    user_id: str
    name: str
    avatar_url: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ProfilePatch:
    """A validated change: ``None`` keeps the current value."""

    name: str | None = None
    avatar_url: str | None = None


def utc_now() -> datetime:
    """The current time in UTC, to whole seconds, as every stored timestamp is."""
    return datetime.now(UTC).replace(microsecond=0)


def version_tag(profile: Profile) -> str:
    """A short digest that changes whenever anything a client sees changes."""
    # Times enter as POSIX timestamps: the same instants as the text a client
    # reads, at a fraction of the cost of formatting them.
    fields = "\0".join(
        (
            profile.tenant_id,
            profile.user_id,
            profile.name,
            profile.avatar_url,
            str(profile.created_at.timestamp()),
            str(profile.updated_at.timestamp()),
        )
    )
    return hashlib.blake2b(fields.encode(), digest_size=12).hexdigest()
