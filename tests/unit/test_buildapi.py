"""PEP 517 config settings and the profile a hook builds with."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from rustwheel.buildapi import _build_args, _hook_options
from rustwheel.errors import ConfigError
from rustwheel.options import BuildOptions


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
    # As maturin's backend: release, this interpreter, no repair for a wheel built here.
    local = BuildOptions(release=True, interpreters=(sys.executable,), compatibility="off")
    assert _hook_options(None, editable=False) == local
    assert _hook_options(None, editable=True) == local._replace(editable=True)
    assert _hook_options({"build-args": "--profile dev -i py"}, editable=False) == \
        BuildOptions(profile="dev", interpreters=("py",), compatibility="off")
    assert _hook_options({"build-args": "--compatibility=manylinux_2_34"}, editable=False) == \
        local._replace(compatibility="manylinux_2_34")


def test_bad_build_args_are_one_config_error(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    _pyproject(tmp_path, monkeypatch, "")
    with pytest.raises(ConfigError, match="--target-d"):
        _hook_options({"build-args": "--target-d x"}, editable=False)


def test_editable_profile_applies_to_editable_builds_only(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rustwheel.config.options import resolve_config

    _pyproject(tmp_path, monkeypatch, 'editable-profile = "dev"\n')
    assert not _hook_options(None, editable=True).release
    assert _hook_options(None, editable=False).release
    (tmp_path / "Cargo.toml").write_text('[package]\nname = "x"\nversion = "0.1.0"\n')
    assert resolve_config(BuildOptions(editable=True)).profile == "dev"
    assert resolve_config(BuildOptions(editable=True, release=True)).profile == "release"
