"""Input rules shared by every surface."""

import unicodedata
from collections.abc import Sequence

from app.profiles.errors import InvalidInput

MAX_NAME_LENGTH = 50
MAX_USER_ID_LENGTH = 128
MAX_BATCH_SIZE = 100

# Cc control, Cf format (zero-width, bidi overrides), Co private use,
# Cs lone surrogates, Cn unassigned.
_FORBIDDEN_IN_NAMES = {"Cc", "Cf", "Co", "Cs", "Cn"}


def clean_display_name(raw: str) -> str:
    """Return the canonical form of a display name, or raise ``InvalidInput``."""
    for char in raw:
        if unicodedata.category(char) in _FORBIDDEN_IN_NAMES and not char.isspace():
            raise InvalidInput(
                "name",
                f"must not contain control, format or private-use characters "
                f"(found U+{ord(char):04X})",
            )
    name = " ".join(unicodedata.normalize("NFC", raw).split())
    if not name:
        raise InvalidInput("name", "must not be empty or only whitespace")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInput("name", f"must be at most {MAX_NAME_LENGTH} characters")
    return name


def check_identifier(value: str, field: str) -> str:
    """User ids and tenant ids: 1 to 128 characters, none of them control characters."""
    if not value:
        raise InvalidInput(field, "must not be empty")
    if len(value) > MAX_USER_ID_LENGTH:
        raise InvalidInput(field, f"must be at most {MAX_USER_ID_LENGTH} characters")
    if value.isascii() and value.isprintable():
        return value  # the usual id, checked without a lookup per character
    if any(unicodedata.category(char) in ("Cc", "Cs") for char in value):
        raise InvalidInput(field, "must not contain control characters")
    return value


def check_batch(user_ids: Sequence[str]) -> None:
    if len(user_ids) > MAX_BATCH_SIZE:
        raise InvalidInput("userIds", f"at most {MAX_BATCH_SIZE} ids per request")
    for user_id in user_ids:
        check_identifier(user_id, "userId")
