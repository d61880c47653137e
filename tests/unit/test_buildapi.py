"""PEP 517 config settings and the profile a hook builds with."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from rustwheel.buildapi import _build_args, _hook_args
from rustwheel.errors import ConfigError


def test_build_args_forms(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _build_args({"build-args": "-F extra --strip"}) == ["-F", "extra", "--strip"]
    assert _build_args({"maturin.build-args": ["--profile", "dev"]}) == ["--profile", "dev"]
    monkeypatch.setenv("RUSTWHEEL_PEP517_ARGS", "--locked")
    assert _build_args(None) == ["--locked"]


def test_unknown_config_setting_is_an_error() -> None:
    with pytest.raises(ConfigError, match="colour"):
        _build_args({"colour": "blue"})


def _pyproject(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tool: str) -> None:
    (tmp_path / "pyproject.toml").write_text(f'[project]\nname = "x"\n\n[tool.rustwheel]\n{tool}')
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RUSTWHEEL_PEP517_ARGS", raising=False)


def test_release_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _pyproject(tmp_path, monkeypatch, "")
    off = ["--compatibility", "off"]  # as maturin's backend: no repair for a local wheel
    assert _hook_args(None, editable=False) == ["--release", "-i", sys.executable, *off]
    assert _hook_args(None, editable=True) == ["--release", "-i", sys.executable, *off,
                                               "--editable"]
    assert _hook_args({"build-args": "--profile dev -i py"}, editable=False) == \
        ["--profile", "dev", "-i", "py", *off]
    assert _hook_args({"build-args": "--compatibility=manylinux_2_34"}, editable=False) == \
        ["--release", "--compatibility=manylinux_2_34", "-i", sys.executable]


def test_editable_profile_applies_to_editable_builds_only(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _pyproject(tmp_path, monkeypatch, 'editable-profile = "dev"\n')
    assert _hook_args(None, editable=True)[0] != "--release"
    assert _hook_args(None, editable=False)[0] == "--release"
    from rustwheel.config.options import CliOptions, resolve_config

    (tmp_path / "Cargo.toml").write_text('[package]\nname = "x"\nversion = "0.1.0"\n')
    assert resolve_config(CliOptions(editable=True)).profile == "dev"
    assert resolve_config(CliOptions(editable=True, release=True)).profile == "release"
    assert resolve_config(CliOptions()).profile == "dev"
