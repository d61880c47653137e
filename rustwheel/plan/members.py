"""Members of a wheel as plans name them: a file copied from disk, or generated text.

Kept below the stage plans (and the project's shared facts) so that every layer can hold them
without importing the wheel stage.
"""

from __future__ import annotations

from typing import NamedTuple, Optional


class FileItem(NamedTuple):
    archive_path: str
    source: str
    executable: Optional[bool] = None
    """None: take the executable bit from the file on disk."""


class GeneratedItem(NamedTuple):
    archive_path: str
    content: str


class OutDirInclude(NamedTuple):
    pattern: str
    """Glob relative to the build script's OUT_DIR."""
    to: str
    """Archive directory for the matches ("" for the wheel's root)."""
    crate: str
    """Name of the package whose build script's OUT_DIR is searched."""
