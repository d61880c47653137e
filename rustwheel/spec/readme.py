"""The long description (METADATA body) from Cargo's ``readme`` or PEP 621 ``[project] readme``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rustwheel.errors import ConfigError
from rustwheel.spec.metadata_files import read_text, referenced_file

MARKDOWN = "text/markdown; charset=UTF-8; variant=GFM"
RST = "text/x-rst; charset=UTF-8"
PLAIN = "text/plain; charset=UTF-8"

# Cargo looks for README.md, README.txt and README; maturin adds README.rst, common in Python.
CARGO_README_GUESSES = ("README.md", "README.txt", "README.rst", "README")


@dataclass(frozen=True)
class Readme:
    """A resolved long description."""

    text: str
    """The description, which becomes the METADATA body."""
    content_type: str | None
    """The Description-Content-Type, when known."""
    path: Path | None
    """The file it was read from (absolute), or None for inline text."""


def content_type_for(path: Path) -> str:
    """Description-Content-Type from a readme's extension (case-insensitive), else plain text."""
    suffix = path.suffix.lower()
    if suffix in (".md", ".markdown"):
        return MARKDOWN
    if suffix == ".rst":
        return RST
    return PLAIN


def cargo_readme(value: object, manifest_dir: Path) -> Readme | None:
    """The readme named by Cargo's ``package.readme`` (as ``cargo metadata`` reports it).

    ``false`` disables it; a path is read relative to the manifest directory; when it is absent
    the first existing file of `CARGO_README_GUESSES` in the manifest directory is used.
    """
    if value is False or value == "false":
        return None
    where = "Cargo.toml: [package] 'readme'"
    if value is None:
        for guess in CARGO_README_GUESSES:
            candidate = manifest_dir / guess
            if candidate.is_file():
                return Readme(read_text(candidate, where), content_type_for(candidate), candidate)
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{where} must be a path or false; got {value!r}")
    path = manifest_dir / value
    if not path.is_file():
        raise ConfigError(f"{where} file {path} does not exist; create it or fix the path")
    return Readme(read_text(path, where), content_type_for(path), path)


def pyproject_readme(
    value: object, pyproject_dir: Path, allowed_root: Path, pyproject: str
) -> Readme:
    """The readme from PEP 621 ``[project] readme``: a path, or ``{file|text, content-type}``."""
    where = f"{pyproject}: [project] 'readme'"
    if isinstance(value, str):
        path = referenced_file(pyproject_dir, value, allowed_root, where)
        return Readme(read_text(path, where), content_type_for(path), path)
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where} must be a path or a table with 'file' or 'text'; got {value!r}")
    table: Mapping[str, Any] = value
    unknown = sorted(set(table) - {"file", "text", "content-type"})
    if unknown:
        raise ConfigError(
            f"{where} has unknown key {unknown[0]!r}; use 'file' or 'text' and 'content-type'"
        )
    content_type = table.get("content-type")
    if content_type is not None and not isinstance(content_type, str):
        raise ConfigError(f"{where} 'content-type' must be a string like 'text/markdown'")
    file, text = table.get("file"), table.get("text")
    if file is not None and text is not None:
        raise ConfigError(f"{where} has both 'file' and 'text'; keep only one")
    if isinstance(file, str):
        path = referenced_file(pyproject_dir, file, allowed_root, where)
        return Readme(read_text(path, where), content_type or content_type_for(path), path)
    if isinstance(text, str):
        return Readme(text, content_type, None)
    raise ConfigError(f"{where} needs a string 'file' or 'text'; add file = \"README.md\"")
