"""Log set-up: JSON lines (or plain text in development) on stdout.

Loggers, by audience: ``profile.access`` (one line per request),
``profile.auth``, ``profile.store`` and ``profile.graphql``. Every line carries
the request id of the request it belongs to. Nothing here runs at import: the
service calls ``configure_logging`` once it has its settings.
"""

import contextvars
import json
import logging
import sys
import time
from typing import Any

from app.config import ConfigError, Settings

REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)

# Attributes every LogRecord has; anything else was passed with ``extra=``.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}
# uvicorn passes an ANSI-coloured copy of some messages; the plain one is enough.
_DROPPED = {"color_message"}
_HANDLER_NAME = "phoenix-profiles"


class _WithRequestId(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = REQUEST_ID.get()
        return True


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    return {
        key: value
        for key, value in vars(record).items()
        if key not in _STANDARD
        and key not in _DROPPED
        and value is not None
        and not key.startswith("_")
    }


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, then the extras."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": _utc_timestamp(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_fields(record),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """``time level logger message key=value …``, for reading in a terminal."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extras = " ".join(
            f"{key}={value}"
            for key, value in _fields(record).items()
            if key not in ("method", "route", "status", "duration_ms")
        )
        return f"{line}  {extras}" if extras else line


def configure_logging(settings: Settings) -> None:
    """Send the service's loggers to stdout in the configured format and level.

    Calling it again replaces the handler it added before, so building several
    applications in one process does not duplicate lines.
    """
    _check_level(settings.log_level)
    handler = logging.StreamHandler(sys.stdout)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(_formatter(settings.log_format))
    handler.addFilter(_WithRequestId())
    logger = logging.getLogger("profile")
    for old in [h for h in logger.handlers if h.get_name() == _HANDLER_NAME]:
        logger.removeHandler(old)
    logger.addHandler(handler)
    logger.setLevel(settings.log_level)


def uvicorn_log_config(settings: Settings) -> dict[str, Any]:
    """uvicorn's own start-up and error lines, in the same format as ours."""
    _check_level(settings.log_level)
    formatter = "app.logs.JsonFormatter" if settings.log_format == "json" else (
        "app.logs.TextFormatter"
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": {"()": formatter}},
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "stream": "ext://sys.stdout",
            }
        },
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": settings.log_level},
            "uvicorn.error": {"level": settings.log_level},
        },
    }


def _check_level(level: str) -> None:
    if not isinstance(logging.getLevelName(level), int):
        raise ConfigError(
            f"PHOENIX_LOG_LEVEL={level!r} is not valid: "
            "expected DEBUG, INFO, WARNING or ERROR"
        )


def _formatter(log_format: str) -> logging.Formatter:
    return JsonFormatter() if log_format == "json" else TextFormatter()


def _utc_timestamp(created: float) -> str:
    seconds = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(created))
    return f"{seconds}.{int(created % 1 * 1000):03d}Z"
