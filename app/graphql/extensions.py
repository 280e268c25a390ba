"""Limits on what one GraphQL request may ask, and the document caches."""

from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.query_depth_limiter import IgnoreContext

from app.config import Settings


def _is_introspection(context: IgnoreContext) -> bool:
    # GraphiQL's schema query nests type references deeply; it reads only the
    # schema, so it does not count toward the depth limit.
    return context.field_name.startswith("__")


def limit_extensions(settings: Settings) -> list[SchemaExtension | type[SchemaExtension]]:
    extensions: list[SchemaExtension | type[SchemaExtension]] = [
        MaxTokensLimiter(max_token_count=settings.graphql_max_tokens),
        ParserCache(maxsize=256),
        ValidationCache(maxsize=256),
        QueryDepthLimiter(
            max_depth=settings.graphql_max_depth, should_ignore=_is_introspection
        ),
        MaxAliasesLimiter(max_alias_count=settings.graphql_max_aliases),
    ]
    if not settings.graphql_introspection:
        extensions.append(DisableIntrospection())
    return extensions
