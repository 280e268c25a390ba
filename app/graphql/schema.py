"""The GraphQL schema: three queries and one mutation over ``ProfileService``."""

import logging
from datetime import datetime

import strawberry
from graphql import GraphQLError
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext, Info

from app.graphql.context import RequestContext
from app.graphql.execution import ProfileExecutionContext
from app.graphql.types import ProfileType, UpdateProfileInput, UTC_DATETIME
from app.profiles.errors import ProfileError

logger = logging.getLogger("profile.graphql")

Context = Info[RequestContext, None]


async def _load_one(context: RequestContext, user_id: str) -> ProfileType:
    context.admit([user_id])
    return ProfileType.from_profile(await context.profiles.load(user_id))


@strawberry.type
class Query:
    @strawberry.field(description="A profile of the caller's tenant, created on first read.")
    async def profile(self, info: Context, user_id: strawberry.ID) -> ProfileType:
        return await _load_one(info.context, user_id)

    @strawberry.field(description="The caller's own profile.")
    async def me(self, info: Context) -> ProfileType:
        return await _load_one(info.context, info.context.caller.user_id)

    @strawberry.field(description="Several profiles in the order asked for (at most 100).")
    async def profiles(
        self, info: Context, user_ids: list[strawberry.ID]
    ) -> list[ProfileType]:
        info.context.admit(list(user_ids))
        profiles = await info.context.profiles.load_many(user_ids)
        return [ProfileType.from_profile(profile) for profile in profiles]


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Rename a profile or draw it a new avatar.")
    async def update_profile(
        self, info: Context, user_id: strawberry.ID, input: UpdateProfileInput
    ) -> ProfileType:
        context = info.context
        name = input.name if isinstance(input.name, str) else None
        profile = await context.service.update(
            context.caller,
            user_id,
            name=name,
            regenerate_avatar=bool(input.regenerate_avatar),
        )
        context.profiles.prime(user_id, profile)
        return ProfileType.from_profile(profile)


class ProfileSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Errors the caller caused, or was told about, are answers, not incidents;
        # only the unexpected are logged, once, with their traceback.
        for error in errors:
            if error.path is not None and not isinstance(error.original_error, ProfileError):
                logger.error(
                    "GraphQL resolver failed at %s",
                    ".".join(map(str, error.path)),
                    exc_info=error.original_error or error,
                )


def build_schema(**options: object) -> strawberry.Schema:
    return ProfileSchema(
        query=Query,
        mutation=Mutation,
        config=StrawberryConfig(scalar_map={datetime: UTC_DATETIME}),
        execution_context_class=ProfileExecutionContext,
        **options,  # type: ignore[arg-type]
    )
