"""Limits on what one GraphQL request may ask, and the document caches."""

from collections.abc import Callable, Iterator
from functools import lru_cache, partial

from graphql import ASTValidationRule, GraphQLError, GraphQLSchema, parse
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.extensions.query_depth_limiter import IgnoreContext
from strawberry.schema.schema import validate_document

from app.config import Settings

_CACHED_DOCUMENTS = 256


def _is_introspection(context: IgnoreContext) -> bool:
    # GraphiQL's schema query nests type references deeply; it reads only the
    # schema, so it does not count toward the depth limit.
    return context.field_name.startswith("__")


class _DocumentCaches:
    """Parsed and validated documents by query text, shared by one app's requests."""

    def __init__(
        self,
        max_tokens: int,
        rules: tuple[type[ASTValidationRule], ...],
        parse_size: int,
        validation_size: int,
    ) -> None:
        self.rules = rules
        self.parse = lru_cache(maxsize=parse_size)(partial(parse, max_tokens=max_tokens))
        self.validate = lru_cache(maxsize=validation_size)(self._validate)

    def _validate(
        self,
        schema: GraphQLSchema,
        rules: tuple[type[ASTValidationRule], ...],
        query: str,
    ) -> list[GraphQLError]:
        # The same document on_parse put in the context: parsing is cached too,
        # and re-parsing after an eviction yields an equal document.
        return validate_document(schema, self.parse(query), rules)


class RequestLimits(SchemaExtension):
    """The token limit, the validation rules and the document caches, in one extension.

    Strawberry's MaxTokensLimiter, AddValidationRules, ParserCache and
    ValidationCache do this as four extensions, and every extension costs each
    request its construction and a call per hook. Validation results are keyed
    by the query text rather than by the parsed document as in ValidationCache:
    a document is a frozen dataclass whose hash and equality walk the whole tree
    on every lookup, and the text alone determines the document.
    """

    def __init__(self, caches: _DocumentCaches) -> None:
        self._caches = caches

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.validation_rules = context.validation_rules + self._caches.rules
        yield

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        context.graphql_document = self._caches.parse(context.query or "")
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        context.pre_execution_errors = self._caches.validate(
            context.schema._schema, context.validation_rules, context.query or ""
        )
        yield


def limit_extensions(
    settings: Settings,
    *,
    parse_cache_size: int = _CACHED_DOCUMENTS,
    validation_cache_size: int = _CACHED_DOCUMENTS,
) -> list[Callable[[], SchemaExtension]]:
    """Factories for the extensions of one request, each built fresh per request.

    The validation rules and the document caches are built here once, so that
    every request of the app shares them. A cache size of 0 turns that cache
    off (the benchmark measures what each cache saves).
    """
    rules: list[type[ASTValidationRule]] = [
        *QueryDepthLimiter(
            max_depth=settings.graphql_max_depth, should_ignore=_is_introspection
        ).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.graphql_max_aliases).validation_rules,
    ]
    if not settings.graphql_introspection:
        rules += DisableIntrospection().validation_rules
    caches = _DocumentCaches(
        settings.graphql_max_tokens, tuple(rules), parse_cache_size, validation_cache_size
    )
    return [partial(RequestLimits, caches)]
