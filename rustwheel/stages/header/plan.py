"""The header stage's plan (cffi bindings): where the header and ffi.py are staged, what is read."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Optional

from rustwheel.cache.keys import CacheSpec
from rustwheel.stages.header import cbindgen

_SKIP_DIRS = {"target", "__pycache__", "node_modules"}


@dataclass(frozen=True)
class HeaderPlan:
    cell: str
    crate_dir: str
    lockfile: Optional[str]
    existing_header: str
    """``<cargo target dir>/header.h``: used instead of cbindgen when it exists."""
    after_compile: bool
    """The crate has a build script (which may write the header): run after compile."""
    interpreter: str
    """The target interpreter, which must be able to import cffi."""
    stage_dir: str
    inputs_record: str
    known_inputs: tuple[str, ...]
    """Manifests and Cargo.lock: inputs known before running."""
    source_dirs: tuple[str, ...]
    """Directories whose ``.rs`` files cbindgen reads (walked when the stage runs)."""
    cache: Optional[CacheSpec] = None

    @property
    def header_path(self) -> str:
        return os.path.join(self.stage_dir, "header.h")

    @property
    def ffi_path(self) -> str:
        return os.path.join(self.stage_dir, "ffi.py")

    @property
    def config_path(self) -> str:
        return os.path.join(self.crate_dir, cbindgen.CONFIG_NAME)

    def watched(self) -> tuple[str, str]:
        """Files whose appearance or removal changes how the header is made."""
        return (self.config_path, self.existing_header)


def rust_sources(dirs: tuple[str, ...]) -> list[str]:
    found: list[str] = []
    for top in dirs:
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames[:] = sorted(d for d in dirnames
                                 if d not in _SKIP_DIRS and not d.startswith("."))
            found += [os.path.join(dirpath, f) for f in filenames if f.endswith(".rs")]
    return sorted(found)
