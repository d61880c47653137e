"""Install wheels into the develop environment with pip or uv."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Sequence
from pathlib import Path

from rustwheel import _run
from rustwheel.develop.environment import PythonEnv
from rustwheel.errors import ToolError


def installer_argv(env: PythonEnv, use_uv: bool) -> list[str]:
    """``uv pip install --python ENV`` (with --uv or in an env uv made), else ``python -m pip
    install``."""
    if use_uv or env.made_by_uv:
        uv = _run.which("uv")
        if uv is None:
            raise ToolError("uv was not found on PATH; install it (pip install uv) or drop --uv"
                            + (" (this environment was made by uv and has no pip)"
                               if env.made_by_uv else ""))
        return [str(uv), "pip", "install", "--python", str(env.python)]
    return [str(env.python), "-m", "pip", "install", "--disable-pip-version-check"]


def wheel_metadata(wheel: Path) -> tuple[str, str, list[str]]:
    """(dist-info directory, Name, Requires-Dist lines) of a wheel."""
    with zipfile.ZipFile(wheel) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        text = zf.read(name).decode("utf-8")
    head = text.split("\n\n", 1)[0]
    fields = [line.split(": ", 1) for line in head.splitlines() if ": " in line]
    dist = next(v for k, v in fields if k == "Name")
    return name.split("/", 1)[0], dist, [v for k, v in fields if k == "Requires-Dist"]


def install(env: PythonEnv, wheel: Path, *, use_uv: bool, extras: Sequence[str],
            with_dependencies: bool) -> None:
    """The wheel's dependencies (with ``extras``) unless told not to, then the wheel itself,
    replacing any installed version."""
    base = installer_argv(env, use_uv)
    _, dist, requires = wheel_metadata(wheel)
    if with_dependencies and requires:
        spec = f"{dist}[{','.join(extras)}]" if extras else dist
        _run.run([*base, f"{spec} @ {wheel.resolve().as_uri()}"], capture_stdout=False,
                 capture_stderr=False, hint="installing the package's dependencies")
    reinstall = "--reinstall" if base[1:3] == ["pip", "install"] else "--force-reinstall"
    _run.run([*base, "--no-deps", reinstall, str(wheel)], capture_stdout=False,
             hint="installing the editable wheel")


def site_packages(env: PythonEnv, dist_info: str = "") -> Path:
    """The environment's site-packages: where ``dist_info`` is installed when exactly one
    ``lib/python*/site-packages`` holds it (no subprocess), else as its python says."""
    if dist_info:
        found = list(env.prefix.glob(f"lib/python*/site-packages/{dist_info}"))
        if len(found) == 1:
            return found[0].parent
    proc = _run.run([str(env.python), "-c",
                     "import sysconfig; print(sysconfig.get_path('platlib'))"])
    return Path(proc.stdout.strip())


def mark_editable(env: PythonEnv, wheel: Path, project_root: Path) -> None:
    """PEP 610: record the install as editable from ``project_root`` (``pip list -e``)."""
    from rustwheel.develop import record

    dist_info, _, _ = wheel_metadata(wheel)
    data = {"dir_info": {"editable": True}, "url": project_root.resolve().as_uri()}
    record.add_file(site_packages(env, dist_info), dist_info, f"{dist_info}/direct_url.json",
                    (json.dumps(data) + "\n").encode("utf-8"))
