"""Limits on what one GraphQL request may ask, and the document caches."""

from collections.abc import Callable
from functools import partial

from graphql import ASTValidationRule
from strawberry.extensions import (
    AddValidationRules,
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


def limit_extensions(settings: Settings) -> list[Callable[[], SchemaExtension]]:
    """Factories for the extensions of one request, each built fresh per request.

    The limiters' validation rules are built here once: ValidationCache keys its
    entries by the rule classes, so rules rebuilt per request would never hit.
    The parse and validation caches live at module level in Strawberry, so fresh
    cache extensions still share one cache.
    """
    rules: list[type[ASTValidationRule]] = [
        *QueryDepthLimiter(
            max_depth=settings.graphql_max_depth, should_ignore=_is_introspection
        ).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.graphql_max_aliases).validation_rules,
    ]
    if not settings.graphql_introspection:
        rules += DisableIntrospection().validation_rules
    return [
        partial(MaxTokensLimiter, max_token_count=settings.graphql_max_tokens),
        partial(ParserCache, maxsize=256),
        partial(ValidationCache, maxsize=256),
        partial(AddValidationRules, rules),
    ]
