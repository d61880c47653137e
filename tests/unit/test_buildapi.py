"""PEP 517 config settings: build-args as a string or a list, unknown keys rejected."""

from __future__ import annotations

import pytest

from rustwheel.buildapi import _build_args
from rustwheel.errors import ConfigError


def test_build_args_forms(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _build_args({"build-args": "-F extra --strip"}) == ["-F", "extra", "--strip"]
    assert _build_args({"maturin.build-args": ["--profile", "dev"]}) == ["--profile", "dev"]
    monkeypatch.setenv("RUSTWHEEL_PEP517_ARGS", "--locked")
    assert _build_args(None) == ["--locked"]


def test_unknown_config_setting_is_an_error() -> None:
    with pytest.raises(ConfigError, match="colour"):
        _build_args({"colour": "blue"})
