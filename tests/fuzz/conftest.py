"""Removes the fuzz apps' data and reports how many cases each surface was sent."""

import shutil
from collections.abc import Iterator

import pytest

from tests.fuzz.harness import CASES, DATA_DIR


@pytest.fixture(scope="session", autouse=True)
def _remove_fuzz_data() -> Iterator[None]:
    yield
    shutil.rmtree(DATA_DIR, ignore_errors=True)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not CASES:
        return
    terminalreporter.section("fuzz cases sent")
    for surface, count in sorted(CASES.items()):
        terminalreporter.write_line(f"{surface}: {count}")
    terminalreporter.write_line(f"total: {sum(CASES.values())}")
