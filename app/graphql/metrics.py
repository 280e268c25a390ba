"""Counts GraphQL operations by name and outcome."""

from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.schema.exceptions import InvalidOperationTypeError

from app.metrics import Metrics
from app.profiles.errors import ProfileError


def error_code(error: GraphQLError) -> str:
    """The ``extensions.code`` of an error: what the view answers and the metrics count."""
    if isinstance(error.original_error, ProfileError):
        return error.original_error.code
    if error.path is None:
        return "BAD_USER_INPUT"
    return "INTERNAL_SERVER_ERROR"


class OperationMetrics(SchemaExtension):
    def __init__(self, metrics: Metrics) -> None:
        super().__init__()
        self.metrics = metrics

    def on_operation(self) -> Iterator[None]:
        try:
            yield
        except InvalidOperationTypeError:
            self._count("METHOD_NOT_ALLOWED")  # a mutation over GET
            raise
        except Exception:
            # Refused before execution: no query, or an unknown operation name.
            # The view answers these with 400.
            self._count("BAD_REQUEST")
            raise
        result = self.execution_context.result
        errors = (result.errors if result is not None else None) or ()
        self._count(error_code(errors[0]) if errors else "ok")

    def _count(self, outcome: str) -> None:
        self.metrics.count_operation(self.execution_context.operation_name, outcome)
