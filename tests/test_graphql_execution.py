"""The executor's shortcut for plain leaf selections answers as graphql-core does.

Each test runs a query twice, once with Strawberry's executor and once with
ours, and compares the whole answer, errors included.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
import strawberry
from strawberry.permission import BasePermission

from app.graphql.execution import ProfileExecutionContext


@dataclass
class Row:
    id: str
    name: Any
    score: Any
    seen: datetime = datetime(2026, 1, 28, 10, 0, tzinfo=UTC)


class Nobody(BasePermission):
    message = "nobody may read this"

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return False


@strawberry.type
class Item:
    id: strawberry.ID
    name: str
    score: int | None
    seen: datetime
    secret: str = strawberry.field(default="hidden", permission_classes=[Nobody])

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()


ROWS = [Row("a", "Ann", 3), Row("b", "Bo", None)]


def _schemas(rows: Callable[[], list[Any]]) -> tuple[strawberry.Schema, strawberry.Schema]:
    @strawberry.type
    class Query:
        @strawberry.field
        def items(self) -> list[Item]:
            return rows()

        @strawberry.field
        def maybe_items(self) -> list[Item | None]:
            return [*rows(), None]

        @strawberry.field
        def lazy_items(self) -> list[Item]:
            return iter(rows())  # type: ignore[return-value]

        @strawberry.field
        async def first(self) -> Item:
            return rows()[0]

    plain = strawberry.Schema(query=Query)
    ours = strawberry.Schema(query=Query, execution_context_class=ProfileExecutionContext)
    return plain, ours


async def _both(query: str, rows: Callable[[], list[Any]] = lambda: ROWS) -> dict[str, Any]:
    plain, ours = _schemas(rows)
    expected = await plain.execute(query)
    answered = await ours.execute(query)

    assert _shape(answered) == _shape(expected)
    return _shape(answered)


def _shape(result: Any) -> dict[str, Any]:
    return {
        "data": result.data,
        "errors": [(error.message, error.path) for error in result.errors or ()],
    }


async def test_plain_fields_of_a_list() -> None:
    answer = await _both("{ items { id name score seen } }")

    assert answer["data"]["items"][0] == {
        "id": "a",
        "name": "Ann",
        "score": 3,
        "seen": "2026-01-28T10:00:00+00:00",
    }
    assert answer["data"]["items"][1]["score"] is None


async def test_aliases_typename_and_skipped_fields() -> None:
    query = '{ items { __typename label: name id @skip(if: true) k: id } first { __typename } }'

    answer = await _both(query)

    assert answer["data"]["items"][0] == {"__typename": "Item", "label": "Ann", "k": "a"}


async def test_null_items_and_lazy_lists() -> None:
    answer = await _both("{ maybeItems { id } lazyItems { id } }")

    assert answer["data"] == {
        "maybeItems": [{"id": "a"}, {"id": "b"}, None],
        "lazyItems": [{"id": "a"}, {"id": "b"}],
    }


async def test_resolver_fields_take_the_general_path() -> None:
    answer = await _both("{ items { name shout } }")

    assert answer["data"]["items"][1] == {"name": "Bo", "shout": "BO"}


async def test_permission_is_still_checked() -> None:
    answer = await _both("{ first { name secret } }")

    assert answer["errors"] == [("nobody may read this", ["first", "secret"])]


@pytest.mark.parametrize(
    "bad",
    [Row("c", None, 1), Row("c", ValueError("broken"), 1), Row("c", "Cy", "many")],
    ids=["null-in-non-null", "exception-value", "uncoercible"],
)
async def test_bad_values_get_graphql_cores_errors(bad: Row) -> None:
    answer = await _both("{ items { id name score } }", rows=lambda: [ROWS[0], bad])

    assert len(answer["errors"]) == 1
    assert answer["errors"][0][1][:2] == ["items", 1]


async def test_awaitable_attribute_is_awaited() -> None:
    async def later() -> str:
        return "Late"

    # A fresh row per run: a coroutine can be awaited only once.
    answer = await _both("{ first { name } }", rows=lambda: [Row("a", later(), 1)])

    assert answer["data"] == {"first": {"name": "Late"}}


async def test_plain_leaves_skip_per_field_resolution(monkeypatch: pytest.MonkeyPatch) -> None:
    resolved: list[str] = []
    general = ProfileExecutionContext.execute_field

    def counting(self: Any, parent_type: Any, *args: Any) -> Any:
        resolved.append(parent_type.name)
        return general(self, parent_type, *args)

    monkeypatch.setattr(ProfileExecutionContext, "execute_field", counting)
    _, ours = _schemas(lambda: [ROWS[0], Row("b", "Bo", 5)])

    result = await ours.execute("{ items { id name score seen } }")

    assert not result.errors
    assert resolved == ["Query"]  # only the list field itself
