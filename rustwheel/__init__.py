"""rustwheel: build Python wheels from Rust crates as an incremental doit task graph.

The package is also a PEP 517 / PEP 660 build backend (``build-backend = "rustwheel"``); the
hooks live in `rustwheel.buildapi` and are imported only when a frontend calls one.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # not imported at run time: the auto-rebuild hook imports this package
    from typing import Any, Optional

    Settings = Optional[dict[str, Any]]

__version__ = "0.1.0"


def build_wheel(wheel_directory: str, config_settings: Settings = None,
                metadata_directory: Optional[str] = None) -> str:
    from rustwheel import buildapi

    return buildapi.build_wheel(wheel_directory, config_settings, metadata_directory)


def build_editable(wheel_directory: str, config_settings: Settings = None,
                   metadata_directory: Optional[str] = None) -> str:
    from rustwheel import buildapi

    return buildapi.build_editable(wheel_directory, config_settings, metadata_directory)


def build_sdist(sdist_directory: str, config_settings: Settings = None) -> str:
    from rustwheel import buildapi

    return buildapi.build_sdist(sdist_directory, config_settings)


def prepare_metadata_for_build_wheel(metadata_directory: str,
                                     config_settings: Settings = None) -> str:
    from rustwheel import buildapi

    return buildapi.prepare_metadata_for_build_wheel(metadata_directory, config_settings)


def prepare_metadata_for_build_editable(metadata_directory: str,
                                        config_settings: Settings = None) -> str:
    from rustwheel import buildapi

    return buildapi.prepare_metadata_for_build_editable(metadata_directory, config_settings)


def get_requires_for_build_wheel(config_settings: Settings = None) -> list[str]:
    from rustwheel import buildapi

    return buildapi.get_requires_for_build_wheel(config_settings)


def get_requires_for_build_editable(config_settings: Settings = None) -> list[str]:
    from rustwheel import buildapi

    return buildapi.get_requires_for_build_editable(config_settings)


def get_requires_for_build_sdist(config_settings: Settings = None) -> list[str]:
    from rustwheel import buildapi

    return buildapi.get_requires_for_build_sdist(config_settings)
