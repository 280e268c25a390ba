"""Profile stores: one protocol, one implementation per database."""

from app.stores.base import ProfileStore, open_store

__all__ = ["ProfileStore", "open_store"]
