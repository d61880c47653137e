"""PEP 517 / PEP 660 build backend: ``build-backend = "rustwheel"``.

Wheels (normal and editable) are built by the same task graph as ``rustwheel build``, for the
interpreter running the hook, with the content-addressed store: a repeated ``pip install .``
from a fresh copy of the same sources restores the compiled library instead of running cargo.
The release profile is the default; editable builds use ``editable-profile`` when it is set;
``profile`` in the tool table, or a profile in the build arguments, wins over both.

Extra ``rustwheel build`` arguments come from ``config_settings["build-args"]`` (a string split
like a shell command line, or a list) or, when absent, from ``RUSTWHEEL_PEP517_ARGS``. Any other
config setting is an error. User errors end a hook with ``error: ...`` and a non-zero exit, no
traceback.
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional, TypeVar, Union

if TYPE_CHECKING:
    from rustwheel.options import BuildOptions

_PROFILE_FLAGS = ("-r", "--release", "--profile")
_SETTINGS = ("build-args", "rustwheel.build-args", "maturin.build-args")
ENV_ARGS = "RUSTWHEEL_PEP517_ARGS"


def _build_args(config_settings: Optional[Mapping[str, Any]]) -> list[str]:
    unknown = [k for k in (config_settings or {}) if k not in _SETTINGS]
    if unknown:
        from rustwheel.errors import ConfigError

        raise ConfigError(f"config setting(s) {', '.join(sorted(unknown))} are unknown to "
                          "rustwheel; pass build options as -C build-args='...' (or set "
                          f"{ENV_ARGS})")
    value: Union[str, list[str], None] = None
    for key in _SETTINGS:
        if config_settings and key in config_settings:
            value = config_settings[key]
            break
    if value is None:
        value = os.environ.get(ENV_ARGS, "")
    return shlex.split(value) if isinstance(value, str) else [str(v) for v in value]


def _tool_table() -> dict[str, Any]:
    from rustwheel.config.pyproject import load_pyproject

    path = Path("pyproject.toml")
    return load_pyproject(path).tool if path.is_file() else {}


def _hook_options(config_settings: Optional[Mapping[str, Any]], editable: bool,
                  ) -> BuildOptions:
    """The build options of a wheel hook (without the output directory)."""
    from rustwheel.commands.options import parse_build_args

    args = _build_args(config_settings)
    tool = _tool_table()
    profile_keys = ("profile", "editable-profile") if editable else ("profile",)
    if not any(a in _PROFILE_FLAGS or a.startswith("--profile=") for a in args) \
            and not any(isinstance(tool.get(k), str) for k in profile_keys):
        args = ["--release", *args]
    if "-i" not in args and "--interpreter" not in args:
        args += ["-i", _hook_python(tool)]
    if not any(a.split("=", 1)[0] in ("--compatibility", "--manylinux", "--auditwheel")
               for a in args):
        # As maturin's backend: a wheel built for this machine needs no repair (pass
        # --compatibility in build-args for a portable one).
        args += ["--compatibility", "off"]
    if editable:
        args.append("--editable")
    return parse_build_args(args)


def _hook_python(tool: Mapping[str, Any]) -> str:
    """The interpreter the hook builds for: the one running it, or with ``use-base-python``
    (or ``MATURIN_PEP517_USE_BASE_PYTHON`` / ``RUSTWHEEL_PEP517_USE_BASE_PYTHON`` = 1/true)
    the base interpreter of its virtual env, as maturin does, so that pip's throwaway build
    envs keep one interpreter path and pyo3 is not rebuilt."""
    env = (os.environ.get(name, "").strip().lower() for name in
           ("RUSTWHEEL_PEP517_USE_BASE_PYTHON", "MATURIN_PEP517_USE_BASE_PYTHON"))
    if tool.get("use-base-python") is True or any(v in ("1", "true") for v in env):
        return os.path.realpath(getattr(sys, "_base_executable", sys.executable))
    return sys.executable


T = TypeVar("T")


def _hook(action: Callable[[], T]) -> T:
    """Run a hook: a user error is printed as ``error: ...`` and ends the hook with a non-zero
    `SystemExit`, without a traceback."""
    from rustwheel.errors import RustwheelError, os_error_message

    try:
        return action()
    except RustwheelError as exc:
        from rustwheel.cli import print_error

        print_error(exc)
        raise SystemExit(exc.exit_code) from None
    except OSError as exc:  # no space, no permission, a read-only file system: not a bug
        print(f"error: {os_error_message(exc, doing='accessing')}", file=sys.stderr)
        raise SystemExit(1) from None


def _build(wheel_directory: str, config_settings: Optional[Mapping[str, Any]],
           editable: bool) -> str:
    def run() -> str:
        from rustwheel.api import build
        from rustwheel.errors import RustwheelError

        options = _hook_options(config_settings, editable)
        wheels = build(options._replace(out=wheel_directory)).wheels
        if len(wheels) != 1:
            raise RustwheelError(f"expected one wheel, rustwheel built {len(wheels)}")
        return wheels[0].name

    return _hook(run)


def _metadata(metadata_directory: str, config_settings: Optional[Mapping[str, Any]],
              editable: bool) -> str:
    """Write the .dist-info the wheel hook would write (same plan, no compiling)."""
    def write() -> str:
        from rustwheel.atomic import write_bytes
        from rustwheel.plan.resolve import plan_build

        plan = plan_build(_hook_options(config_settings, editable)).build_plan()
        wheel = plan.cells[0].wheel
        prefix = wheel.dist_info + "/"
        target = Path(metadata_directory)
        for gen in wheel.generated:
            if gen.archive_path.startswith(prefix):
                write_bytes(target / gen.archive_path, gen.content.encode("utf-8"))
        for item in wheel.files:
            if item.archive_path.startswith(prefix):
                write_bytes(target / item.archive_path, Path(item.source).read_bytes())
        return wheel.dist_info

    return _hook(write)


def build_wheel(wheel_directory: str, config_settings: Optional[Mapping[str, Any]] = None,
                metadata_directory: Optional[str] = None) -> str:
    return _build(wheel_directory, config_settings, editable=False)


def build_editable(wheel_directory: str, config_settings: Optional[Mapping[str, Any]] = None,
                   metadata_directory: Optional[str] = None) -> str:
    """PEP 660: mixed layouts get a .pth to the python source and the extension placed into
    the source tree; pure-Rust layouts get the normal wheel."""
    return _build(wheel_directory, config_settings, editable=True)


def build_sdist(sdist_directory: str,
                config_settings: Optional[Mapping[str, Any]] = None) -> str:
    def write() -> str:
        from rustwheel.api import sdist

        _build_args(config_settings)  # reject unknown settings here too
        return sdist(out=sdist_directory).name

    return _hook(write)


def prepare_metadata_for_build_wheel(metadata_directory: str,
                                     config_settings: Optional[Mapping[str, Any]] = None,
                                     ) -> str:
    return _metadata(metadata_directory, config_settings, editable=False)


def prepare_metadata_for_build_editable(metadata_directory: str,
                                        config_settings: Optional[Mapping[str, Any]] = None,
                                        ) -> str:
    return _metadata(metadata_directory, config_settings, editable=True)


def get_requires_for_build_wheel(config_settings: Optional[Mapping[str, Any]] = None,
                                 ) -> list[str]:
    """cffi bindings generate ffi.py with cffi in the build interpreter."""
    return ["cffi"] if _hook(_tool_table).get("bindings") == "cffi" else []


def get_requires_for_build_editable(config_settings: Optional[Mapping[str, Any]] = None,
                                    ) -> list[str]:
    return get_requires_for_build_wheel(config_settings)


def get_requires_for_build_sdist(config_settings: Optional[Mapping[str, Any]] = None,
                                 ) -> list[str]:
    return []
