"""Which Python environment `rustwheel develop` installs into."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from rustwheel.errors import ConfigError


@dataclass(frozen=True)
class PythonEnv:
    prefix: Path
    python: Path
    source: str
    """How it was found: ``VIRTUAL_ENV``, ``CONDA_PREFIX`` or the ``.venv`` directory."""

    @property
    def made_by_uv(self) -> bool:
        """uv writes ``uv = <version>`` into pyvenv.cfg; such envs have no pip."""
        try:
            text = (self.prefix / "pyvenv.cfg").read_text(encoding="utf-8")
        except OSError:
            return False
        return any(line.split("=", 1)[0].strip() == "uv" for line in text.splitlines())


def _python(prefix: Path, source: str) -> PythonEnv:
    for name in ("bin/python", "bin/python3"):
        python = prefix / name
        if python.is_file():
            return PythonEnv(prefix, python, source)
    raise ConfigError(f"{source} points to {prefix}, which has no bin/python; recreate the "
                      "environment or activate another one")


def find_environment(env: Mapping[str, str], cwd: Path) -> PythonEnv:
    """``VIRTUAL_ENV``, else ``CONDA_PREFIX``, else the nearest ``.venv`` from ``cwd`` up."""
    venv, conda = env.get("VIRTUAL_ENV"), env.get("CONDA_PREFIX")
    if venv and conda and Path(venv).resolve() != Path(conda).resolve():
        raise ConfigError(f"both VIRTUAL_ENV ({venv}) and CONDA_PREFIX ({conda}) are set; "
                          "deactivate one of them so rustwheel develop knows where to install")
    if venv:
        return _python(Path(venv), "VIRTUAL_ENV")
    if conda:
        return _python(Path(conda), "CONDA_PREFIX")
    for directory in [cwd, *cwd.parents]:
        candidate = directory / ".venv"
        if (candidate / "pyvenv.cfg").is_file():
            return _python(candidate, str(candidate))
    raise ConfigError("rustwheel develop found no virtual environment (VIRTUAL_ENV and "
                      "CONDA_PREFIX are unset and there is no .venv here or above); activate "
                      "one, or create it with `python -m venv .venv`, or use `rustwheel build` "
                      "and install the wheel with pip")
