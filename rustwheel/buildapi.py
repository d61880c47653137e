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

import json
import os
import shlex
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Optional, Union

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


def _hook_args(config_settings: Optional[Mapping[str, Any]], editable: bool) -> list[str]:
    """`rustwheel build` arguments of a wheel hook (without the output directory)."""
    args = _build_args(config_settings)
    tool = _tool_table()
    profile_keys = ("profile", "editable-profile") if editable else ("profile",)
    if not any(a in _PROFILE_FLAGS or a.startswith("--profile=") for a in args) \
            and not any(isinstance(tool.get(k), str) for k in profile_keys):
        args = ["--release", *args]
    if "-i" not in args and "--interpreter" not in args:
        args += ["-i", sys.executable]
    if not any(a.split("=", 1)[0] in ("--compatibility", "--manylinux", "--auditwheel")
               for a in args):
        # As maturin's backend: a wheel built for this machine needs no repair (pass
        # --compatibility in build-args for a portable one).
        args += ["--compatibility", "off"]
    if editable:
        args.append("--editable")
    return args


def _split_rustc(args: list[str]) -> tuple[list[str], list[str]]:
    if "--" in args:
        i = args.index("--")
        return args[:i], args[i + 1:]
    return args, []


def _build(wheel_directory: str, config_settings: Optional[Mapping[str, Any]],
           editable: bool) -> str:
    from rustwheel.cli import main, report_errors

    args, rustc = _split_rustc(report_errors(lambda: _hook_args(config_settings, editable)))
    with tempfile.TemporaryDirectory(prefix="rustwheel-pep517-") as tmp:
        report = Path(tmp) / "report.json"
        code = main(["build", "-o", wheel_directory, "--report", str(report), *args, "--",
                     *rustc])
        if code != 0:
            raise SystemExit(code)
        wheels = json.loads(report.read_text(encoding="utf-8"))["wheels"]
    if len(wheels) != 1:
        raise SystemExit(f"error: expected one wheel, rustwheel built {len(wheels)}")
    return Path(wheels[0]).name


def _metadata(metadata_directory: str, config_settings: Optional[Mapping[str, Any]],
              editable: bool) -> str:
    """Write the .dist-info the wheel hook would write (same plan, no compiling)."""
    from rustwheel.cli import build_options, report_errors

    def write() -> str:
        from rustwheel.atomic import write_bytes
        from rustwheel.config.options import resolve_config
        from rustwheel.stages.detect import make_plan

        args, rustc = _split_rustc(_hook_args(config_settings, editable))
        plan = make_plan(resolve_config(build_options(args, rustc)))
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

    return report_errors(write)


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
    from rustwheel.cli import report_errors

    def write() -> str:
        from rustwheel.commands.sdist import write_sdist
        from rustwheel.config.options import CliOptions

        _build_args(config_settings)  # reject unknown settings here too
        return Path(write_sdist(CliOptions(out=sdist_directory)).output).name

    return report_errors(write)


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
    from rustwheel.cli import report_errors

    return ["cffi"] if report_errors(_tool_table).get("bindings") == "cffi" else []


def get_requires_for_build_editable(config_settings: Optional[Mapping[str, Any]] = None,
                                    ) -> list[str]:
    return get_requires_for_build_wheel(config_settings)


def get_requires_for_build_sdist(config_settings: Optional[Mapping[str, Any]] = None,
                                 ) -> list[str]:
    return []
