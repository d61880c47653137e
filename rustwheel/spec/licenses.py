"""License files (PEP 639 ``license-files``) and the legacy ``License`` text."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from rustwheel.errors import ConfigError
from rustwheel.spec.metadata_files import is_within, normalised_abspath

DEFAULT_LICENSE_GLOBS = ("LICEN[CS]E*", "COPYING*", "NOTICE*", "AUTHORS*")
"""Searched in the pyproject directory when ``[project] license-files`` is absent."""

_VERBATIM = frozenset("_-.")


@dataclass(frozen=True)
class LicenseFile:
    """A license file to copy into the wheel's ``.dist-info/licenses/`` directory."""

    source: str
    """Absolute path of the file on disk."""
    archive_path: str
    """Path relative to ``.dist-info/licenses/``, with forward slashes; also its License-File."""


def check_license_glob(glob: str, where: str) -> None:
    """Reject a ``license-files`` pattern that PEP 639 does not allow.

    Allowed: alphanumerics, ``_ - .`` matched verbatim, ``/`` as separator, ``* ? **`` and
    ``[...]`` ranges of verbatim characters; no leading ``/``, no ``..`` component, no ``***``.
    """
    reason = _shape_problem(glob) or _character_problem(glob)
    if reason is not None:
        raise ConfigError(
            f"{where} pattern {glob!r} is not a valid PEP 639 glob ({reason}); use a relative "
            "pattern such as 'LICENSE*' or 'licenses/**'"
        )


def _shape_problem(glob: str) -> Optional[str]:
    """Why the pattern as a whole is not allowed (empty, absolute, ...), or None."""
    if not glob:
        return "it is empty"
    if glob.startswith("/"):
        return "it is absolute"
    if ".." in glob.split("/"):
        return "'..' is not allowed"
    if "***" in glob:
        return "'***' is not allowed"
    return None


def _character_problem(glob: str) -> Optional[str]:
    """The first character not allowed where it stands, an unclosed ``[``, or None."""
    in_range = False
    for char in glob:
        verbatim = char.isalnum() or char in _VERBATIM
        if in_range:
            if char == "]":
                in_range = False
            elif not verbatim:
                return f"{char!r} is not allowed inside '[...]'"
        elif char == "[":
            in_range = True
        elif not (verbatim or char in "/*?"):
            return f"{char!r} is not allowed"
    return "'[' is not closed" if in_range else None


def glob_license_files(base_dir: Path, globs: Sequence[str]) -> list[Path]:
    """Files (not directories) under *base_dir* matching any of *globs*, sorted, no duplicates."""
    found: set[Path] = set()
    for pattern in globs:
        for path in base_dir.glob(pattern):
            if path.is_file():
                found.add(Path(normalised_abspath(path)))
    return sorted(found)


def license_file_entry(path: Path, base_dir: Path) -> LicenseFile:
    """The archive entry for *path*: its path relative to *base_dir*, else just its file name."""
    source = normalised_abspath(path)
    if is_within(Path(source), base_dir):
        relative = os.path.relpath(source, normalised_abspath(base_dir))
        return LicenseFile(source, Path(relative).as_posix())
    return LicenseFile(source, Path(source).name)


def merge_license_files(entries: Iterable[LicenseFile]) -> tuple[LicenseFile, ...]:
    """Deduplicate *entries*, sorted by archive path; two sources for one path is an error."""
    by_path: dict[str, LicenseFile] = {}
    for entry in entries:
        previous = by_path.setdefault(entry.archive_path, entry)
        if previous.source != entry.source:
            raise ConfigError(
                f"license files {previous.source} and {entry.source} would both be stored as "
                f"licenses/{entry.archive_path}; rename one or list only one in license-files"
            )
    return tuple(by_path[key] for key in sorted(by_path))


def fold_license_text(text: str) -> str:
    """Fold a long ``License`` value as an RFC 5322 header (maturin's layout).

    Each line is wrapped at 78 columns; every output line after the first is joined with CRLF
    and starts with a TAB (an empty line, even the first, becomes a lone TAB).
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        wrapped = textwrap.wrap(paragraph, width=78, expand_tabs=False, replace_whitespace=False)
        lines.extend(wrapped or [""])
    folded = [lines[0].rstrip() or "\t"]
    folded.extend("\t" + line.rstrip() if line.strip() else "\t" for line in lines[1:])
    return "\r\n".join(folded)
