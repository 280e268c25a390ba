"""Execution that completes plain leaf selections without per-field machinery.

graphql-core completes every field of every object the same general way: it
builds a resolve info, calls the resolver, checks for an awaitable and walks the
wrapping types down to the scalar, and it does the same walk for each item of a
list. For a selection of plain attributes, such as ``{ userId name avatarUrl }``
on each profile of a leaderboard, that work costs far more than reading the
attributes. This executor reads such selections directly and hands everything
else, and every value that needs a second look, to graphql-core's general path,
so results and errors stay exactly graphql-core's.
"""

from collections.abc import Callable, Iterable
from datetime import date, datetime
from functools import cache
from typing import Any

from graphql import (
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    Undefined,
    is_leaf_type,
    is_non_null_type,
    is_object_type,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.pyutils import Path
from graphql.type.definition import GraphQLLeafType
from graphql.type.introspection import TypeNameMetaFieldDef
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

# Values of these types are never null, an exception or awaitable, the cases in
# which graphql-core's completion does more than coerce the value.
_SETTLED_TYPES = frozenset({str, int, float, bool, datetime, date})

# How to complete one field of a plain selection: its response name, and a
# function from the parent object to the field's serialized value.
_PlainField = tuple[str, Callable[[Any], Any]]
_Plan = tuple[_PlainField, ...]


class _Fallback(Exception):
    """A value the shortcut leaves to graphql-core's general completion."""


class ProfileExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # One plan per selection set and parent type, kept with the selection so
        # that its id is not reused while this execution runs.
        self._plans: dict[tuple[str, int], tuple[GroupedFieldSet, _Plan | None]] = {}

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> Any:
        plan = self._plan(parent_type, grouped_field_set)
        if plan is not None:
            try:
                return _complete(plan, source_value)
            except Exception:  # noqa: BLE001
                pass  # the general path below reports it where it happened
        return super().execute_fields(
            parent_type, source_value, path, grouped_field_set, position_context
        )

    def complete_iterable_value(
        self,
        item_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo,
        path: Path,
        items: Iterable[Any],
        position_context: Any,
    ) -> Any:
        plan = self._item_plan(item_type, field_details_list)
        if (
            plan is not None
            and isinstance(items, list | tuple)  # read twice if the shortcut fails
            and self.get_stream_usage(field_details_list, path) is None
        ):
            try:
                return [_complete(plan, item) for item in items]
            except Exception:  # noqa: BLE001
                pass
        return super().complete_iterable_value(
            item_type, field_details_list, info, path, items, position_context
        )

    def _item_plan(
        self, item_type: GraphQLOutputType, field_details_list: FieldDetailsList
    ) -> _Plan | None:
        """The plan for each item of a list of objects, if they need no type check."""
        if is_non_null_type(item_type):
            item_type = item_type.of_type
        if not is_object_type(item_type) or item_type.is_type_of is not None:
            return None
        collected = self.collect_subfields(item_type, field_details_list)
        if collected.new_defer_usages:
            return None
        return self._plan(item_type, collected.grouped_field_set)

    def _plan(
        self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet
    ) -> _Plan | None:
        key = (parent_type.name, id(grouped_field_set))
        cached = self._plans.get(key)
        if cached is None:
            cached = self._plans[key] = (
                grouped_field_set,
                self._plain_fields(parent_type, grouped_field_set),
            )
        return cached[1]

    def _plain_fields(
        self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet
    ) -> _Plan | None:
        """How to complete each field of the selection, or None if one is not plain."""
        if self.middleware_manager and self.middleware_manager.middlewares:
            return None  # middleware may wrap any resolver
        fields = []
        for response_name, field_details_list in grouped_field_set.items():
            node = field_details_list[0].node
            field_def = self.schema.get_field(parent_type, node.name.value)
            if field_def is None or node.arguments or field_def.args:
                return None
            if field_def is TypeNameMetaFieldDef:
                fields.append((response_name, _constant(parent_type.name)))
                continue
            field = field_def.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
            leaf_type = field_def.type
            if is_non_null_type(leaf_type):
                leaf_type = leaf_type.of_type
            # A basic field reads an attribute with the configured default
            # resolver and has no extensions or permissions; exception handlers
            # apply only to fields returning their error type, never to a leaf.
            if not (
                isinstance(field, StrawberryField)
                and field.is_basic_field
                and is_leaf_type(leaf_type)
            ):
                return None
            fields.append((response_name, _leaf(field, leaf_type)))
        return tuple(fields)


def _complete(plan: _Plan, source: Any) -> dict[str, Any]:
    if not _is_plain_source(source.__class__):
        raise _Fallback
    return {name: complete(source) for name, complete in plan}


@cache
def _is_plain_source(cls: type) -> bool:
    """Whether graphql-core would complete an object of ``cls`` by its fields.

    It raises exceptions it is given, awaits awaitables and turns None into null
    or an error; the general path does each of these.
    """
    return not (
        cls is type(None) or issubclass(cls, BaseException) or hasattr(cls, "__await__")
    )


def _constant(value: str) -> Callable[[Any], str]:
    return lambda _source: value


def _leaf(field: StrawberryField, leaf_type: GraphQLLeafType) -> Callable[[Any], Any]:
    resolve = field.default_resolver
    name = field.python_name
    coerce_output_value = leaf_type.coerce_output_value

    def complete(source: Any) -> Any:
        value = resolve(source, name)
        if value.__class__ not in _SETTLED_TYPES:
            raise _Fallback
        coerced = coerce_output_value(value)
        if coerced is None or coerced is Undefined:
            raise _Fallback  # graphql-core words this error
        return coerced

    return complete


__all__ = ["ProfileExecutionContext"]
