"""The stats tests reuse the indicators' synthetic warehouse."""

from indicators.conftest import indicator_db  # noqa: F401
