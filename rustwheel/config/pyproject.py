"""Read pyproject.toml: the `[project]` table and the tool table.

The tool table is `[tool.rustwheel]`; when it is absent, `[tool.maturin]` is read with the same
keys and meanings so that existing maturin projects build unchanged.
"""

from __future__ import annotations

import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from rustwheel.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.9/3.10
    import tomli as tomllib


@dataclass(frozen=True)
class PyProject:
    """The parts of one pyproject.toml that rustwheel reads."""

    path: Path
    project: Optional[dict[str, Any]]
    tool: dict[str, Any] = field(default_factory=dict)
    tool_table: str = "tool.rustwheel"
    """Which table the tool keys came from: ``tool.rustwheel`` or ``tool.maturin``."""

    @property
    def directory(self) -> Path:
        return self.path.parent


def check_regular_file(path: Path) -> None:
    """`ConfigError` unless *path* is a readable regular file (a symlink to one is fine)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        what = "a dangling symlink" if path.is_symlink() else "missing"
        raise ConfigError(f"{path}: is {what}; point it at a regular file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror}); check its permissions "
                          "and those of its directories") from None
    if not stat.S_ISREG(mode):
        kind = "a directory" if stat.S_ISDIR(mode) else "not a regular file (a FIFO, socket or " \
            "device)"
        raise ConfigError(f"{path}: is {kind}; it must be a regular file, replace it with one")
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror}); check its permissions") \
            from None


def load_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file (a readable regular file); syntax errors name the file, line and
    column."""
    check_regular_file(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror}); check its permissions") \
            from None
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: is not valid UTF-8; save it as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: is not valid TOML ({exc}); fix the syntax there") from None


def load_pyproject(path: Path) -> PyProject:
    data = load_toml(path)
    project = data.get("project")
    if project is not None and not isinstance(project, dict):
        raise ConfigError(f"{path}: [project] must be a table")
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: [tool] must be a table")
    for table in ("rustwheel", "maturin"):
        values = tool.get(table)
        if values is not None:
            if not isinstance(values, dict):
                raise ConfigError(f"{path}: [tool.{table}] must be a table")
            return PyProject(path=path, project=project, tool=values, tool_table=f"tool.{table}")
    return PyProject(path=path, project=project)
