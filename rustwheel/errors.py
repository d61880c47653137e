"""One root exception for user-facing errors.

Every message is one sentence that names the file, key or command at fault and says how to fix
it. `rustwheel.cli` prints it as ``error: <message>`` and exits non-zero; anything that is not a
`RustwheelError` is a bug and keeps its traceback.
"""

from __future__ import annotations


class RustwheelError(Exception):
    """A problem with the user's input or environment, reported without a traceback."""

    exit_code = 1


class ConfigError(RustwheelError):
    """Invalid pyproject.toml / Cargo.toml / command-line configuration."""


class ToolError(RustwheelError):
    """An external tool (cargo, the interpreter, ...) failed or is missing."""


class CacheError(RustwheelError):
    """The content-addressed build cache could not be used (unwritable directory, bad size, ...)."""
