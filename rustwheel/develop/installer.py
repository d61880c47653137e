"""Install wheels into the develop environment with pip or uv."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple, Optional

from rustwheel import _run
from rustwheel.develop.environment import PythonEnv
from rustwheel.errors import ToolError


def installer_argv(env: PythonEnv, use_uv: bool, pip_path: Optional[str] = None) -> list[str]:
    """``PIP --python ENV install`` with ``--pip-path PIP``; ``uv pip install --python ENV``
    (with --uv or in an env uv made); else ``python -m pip install``."""
    if pip_path is not None:
        return [pip_path, "--python", str(env.python), "install", "--disable-pip-version-check"]
    if use_uv or env.made_by_uv:
        uv = _run.which("uv")
        if uv is None:
            raise ToolError("uv was not found on PATH; install it (pip install uv) or drop --uv"
                            + (" (this environment was made by uv and has no pip)"
                               if env.made_by_uv else ""))
        return [str(uv), "pip", "install", "--python", str(env.python)]
    return [str(env.python), "-m", "pip", "install", "--disable-pip-version-check"]


class WheelInfo(NamedTuple):
    dist_info: str
    """The ``.dist-info`` directory's name."""
    dist: str
    """METADATA's Name."""
    requires: list[str]
    """METADATA's Requires-Dist lines."""
    names: list[str]
    """Every member's name."""


def dist_info_dir(names: Sequence[str]) -> str:
    """The ``.dist-info`` directory of a wheel with members ``names``."""
    return next(n.split("/", 1)[0] for n in names if n.endswith(".dist-info/METADATA"))


def wheel_metadata(wheel: Path) -> WheelInfo:
    """What installing the wheel needs to know of it, read once."""
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        dist_info = dist_info_dir(names)
        text = zf.read(f"{dist_info}/METADATA").decode("utf-8")
    head = text.split("\n\n", 1)[0]
    fields = [line.split(": ", 1) for line in head.splitlines() if ": " in line]
    dist = next(v for k, v in fields if k == "Name")
    return WheelInfo(dist_info, dist, [v for k, v in fields if k == "Requires-Dist"], names)


def install(env: PythonEnv, wheel: Path, info: WheelInfo, *, use_uv: bool,
            extras: Sequence[str], with_dependencies: bool, groups: Sequence[str] = (),
            pip_path: Optional[str] = None) -> None:
    """The wheel's dependencies (with ``extras``) unless told not to, and the requirements of
    dependency ``groups``, then the wheel itself, replacing any installed version (with the
    installer `installer_argv` picks)."""
    base = installer_argv(env, use_uv, pip_path)
    dist, requires = info.dist, info.requires
    if with_dependencies and requires:
        spec = f"{dist}[{','.join(extras)}]" if extras else dist
        _run.run([*base, f"{spec} @ {wheel.resolve().as_uri()}"], capture_stdout=False,
                 capture_stderr=False, hint="installing the package's dependencies")
    if groups:
        _run.run([*base, *groups], capture_stdout=False, capture_stderr=False,
                 hint="installing the dependency groups (--group)")
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


def mark_editable(site: Path, dist_info: str, project_root: Path) -> None:
    """PEP 610: record the install as editable from ``project_root`` (``pip list -e``)."""
    from rustwheel.develop import record

    data = {"dir_info": {"editable": True}, "url": project_root.resolve().as_uri()}
    record.add_file(site, dist_info, f"{dist_info}/direct_url.json",
                    (json.dumps(data) + "\n").encode("utf-8"))
