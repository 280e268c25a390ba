"""Apps for the fuzz runs, tokens for them, and a count of the cases sent.

Each fuzz module builds its app at import; building one opens nothing, since the
store connects when the app's lifespan starts, on the module's first case. Every
case of a module then talks to that one app and store, which fills up as a real
one would.
"""

import tempfile
import uuid
from pathlib import Path

from hypothesis import HealthCheck, settings
from starlette.applications import Starlette

from app.auth import mint_token
from app.profiles.model import ADMIN_SCOPE
from app.config import Secret, Settings
from app.main import create_app

TENANT = "fuzz_tenant"
CALLER = "fuzz_user"

# Created by the first store that starts; tests/fuzz/conftest.py removes it.
DATA_DIR = Path(tempfile.gettempdir()) / f"phoenix-fuzz-{uuid.uuid4().hex}"
_SECRET = Secret("fuzz-secret-that-is-long-enough-for-hs256")
CASES: dict[str, int] = {}



def fuzz_settings(max_examples: int) -> settings:
    """Hypothesis settings for a fuzz test of ``max_examples`` generated cases.

    Derandomized so that CI replays the same cases on every run, and without an
    example database, so that a local run cannot steer CI's.
    """
    return settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


def fuzz_app(name: str) -> Starlette:
    """An app with its own SQLite file, named ``name``."""
    return create_app(_settings(name))


def bearer(*, admin: bool = False) -> dict[str, str]:
    """Headers for the fuzz caller, with ``admin=True`` for the admin scope."""
    scope = ADMIN_SCOPE if admin else ""
    token = mint_token(_settings("tokens"), tenant_id=TENANT, user_id=CALLER, scope=scope)
    return {"Authorization": f"Bearer {token}"}


def count_case(surface: str) -> None:
    CASES[surface] = CASES.get(surface, 0) + 1


def _settings(name: str) -> Settings:
    return Settings(
        database_url=f"sqlite:///{DATA_DIR / name}.db",
        jwt_secret=_SECRET,
        store_timeout_seconds=5.0,
    )
