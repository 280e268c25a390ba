"""DiceBear avatar URLs: the same seed always draws the same picture."""

from urllib.parse import quote

AVATAR_BASE_URL = "https://api.dicebear.com/9.x/adventurer/svg"


def avatar_url(seed: str) -> str:
    return f"{AVATAR_BASE_URL}?seed={quote(seed, safe='')}"


def default_avatar_url(tenant_id: str, user_id: str) -> str:
    return avatar_url(f"{tenant_id}_{user_id}")


def regenerated_avatar_url(tenant_id: str, user_id: str, timestamp_ms: int) -> str:
    """A fresh avatar whose seed adds the moment it was asked for."""
    return avatar_url(f"{tenant_id}_{user_id}_{timestamp_ms}")
