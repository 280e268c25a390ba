"""The reproducible benchmark behind docs/performance.md; run it with ``make bench``."""
