"""GraphQL types: the camelCase face of a profile."""

from datetime import UTC, datetime

import strawberry

from app.profiles.model import Profile


def _serialize_datetime(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_datetime(value: str) -> datetime:
    return datetime.fromisoformat(value)


# The built-in DateTime scalar writes "+00:00"; clients of both surfaces read the
# same "Z" form.
UTC_DATETIME = strawberry.scalar(
    name="DateTime",
    description="A UTC timestamp in RFC 3339 form with whole seconds, e.g. 2026-01-28T10:00:00Z.",
    serialize=_serialize_datetime,
    parse_value=_parse_datetime,
)


@strawberry.type(name="Profile", description="A player's display name and avatar.")
class ProfileType:
    tenant_id: str
    user_id: strawberry.ID
    name: str
    avatar_url: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_profile(cls, profile: Profile) -> "ProfileType":
        return cls(
            tenant_id=profile.tenant_id,
            user_id=strawberry.ID(profile.user_id),
            name=profile.name,
            avatar_url=profile.avatar_url,
            created_at=profile.created_at,
            updated_at=profile.updated_at,
        )


@strawberry.input(description="Changes to a profile; omitted fields stay as they are.")
class UpdateProfileInput:
    name: str | None = strawberry.UNSET
    regenerate_avatar: bool | None = False
