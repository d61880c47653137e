"""rustwheel: build Python wheels from Rust crates as an incremental doit task graph.

The package is also a PEP 517 build backend (``build-backend = "rustwheel"``); the hooks live
in `rustwheel.buildapi` and are imported only when a frontend calls them.
"""

from __future__ import annotations

from typing import Any, Optional

__version__ = "0.1.0"


def build_wheel(wheel_directory: str, config_settings: Optional[dict[str, Any]] = None,
                metadata_directory: Optional[str] = None) -> str:
    from rustwheel.buildapi import build_wheel as hook

    return hook(wheel_directory, config_settings, metadata_directory)


def get_requires_for_build_wheel(config_settings: Optional[dict[str, Any]] = None) -> list[str]:
    from rustwheel.buildapi import get_requires_for_build_wheel as hook

    return hook(config_settings)
