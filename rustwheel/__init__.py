"""rustwheel: build Python wheels from Rust crates as an incremental doit task graph.

    import rustwheel

    result = rustwheel.build(release=True, out="dist")   # options: rustwheel.BuildOptions
    print(result.wheels, [(s.task, s.status) for s in result.stages])
    rustwheel.sdist(out="dist")

Errors are `rustwheel.RustwheelError` exceptions (`BuildError` when a stage failed). The
package is also a PEP 517 / PEP 660 build backend (``build-backend = "rustwheel"``; the hooks
are in `rustwheel.buildapi`), and `rustwheel.tasks` gives the task graph to a ``dodo.py``.
Everything is imported when first used: the auto-rebuild import hook imports this package.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any, Optional

    from rustwheel.errors import RustwheelError
    from rustwheel.options import BuildOptions
    from rustwheel.results import BuildError, BuildResult, StageResult

    Settings = Optional[dict[str, Any]]

__version__ = "0.1.0"
__all__ = ["BuildError", "BuildOptions", "BuildResult", "RustwheelError", "StageResult",
           "build", "sdist"]
_LAZY = {"BuildOptions": "rustwheel.options", "BuildError": "rustwheel.results",
         "BuildResult": "rustwheel.results", "StageResult": "rustwheel.results",
         "RustwheelError": "rustwheel.errors"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'rustwheel' has no attribute {name!r}")


def build(options: Optional[BuildOptions] = None, /, **kwargs: Any) -> BuildResult:
    """Build the wheel(s) the options describe (see `rustwheel.api.build`)."""
    from rustwheel import api

    return api.build(options, **kwargs)


def sdist(options: Optional[BuildOptions] = None, /, **kwargs: Any) -> Path:
    """Write the source distribution (see `rustwheel.api.sdist`)."""
    from rustwheel import api

    return api.sdist(options, **kwargs)


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
