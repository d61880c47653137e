"""`[tool.rustwheel]` / `[tool.maturin]` keys: each validated for type and value, maturin's
keys without a Linux effect validated too, never accepted and ignored unchecked."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

from rustwheel.buildapi import _hook_python
from rustwheel.config.toolkeys import CargoTargetSpec, parse_tool_config
from rustwheel.errors import ConfigError


def test_maturin_keys_parse() -> None:
    cfg = parse_tool_config({
        "targets": [{"name": "mylib"}, {"name": "tool", "kind": "bin"}],
        "use-base-python": True, "include-import-lib": False, "pgo-command": "python bench.py",
        "generate-ci": {"github": {"pytest": True}},
        "features": ["a", {"feature": "b", "python-version": ">=3.12"}],
    }, "tool.maturin")
    assert cfg.targets == (CargoTargetSpec("mylib"), CargoTargetSpec("tool", "bin"))
    assert cfg.use_base_python and not cfg.include_import_lib
    assert cfg.pgo_command == "python bench.py" and cfg.features == ("a", "b")


@pytest.mark.parametrize(("key", "value", "needle"), [
    ("targets", "mylib", "must be a list of tables"),
    ("targets", [{"name": "x", "kind": "exe"}], "kind 'exe'"),
    ("targets", [{"nam": "x"}], "is not { name, kind }"),
    ("use-base-python", "yes", "must be true or false"),
    ("include-import-lib", 1, "must be true or false"),
    ("pgo-command", "", "non-empty string"),
    ("generate-ci", {"gitlab": {}}, "only a [github] table"),
    ("profile", "", "non-empty string"),
    ("profile", " release", "surrounding spaces"),
    ("module-name", 3, "non-empty string"),
    ("python-packages", ["ok", ""], "non-empty string"),
    ("features", [{"feature": "x", "python-version": "3.12!"}], "not a version specifier"),
    ("features", [{"feature": "x", "python-implementation": "jython"}], "unknown"),
    ("features", [{"feature": "x", "when": "always"}], "must be a feature name or a table"),
    ("config", [" "], "empty entry"),
    ("strip", "true", "must be true or false; got 'true'"),
    ("bindings", "pyo4", "is unknown"),
    ("sdist-generator", "hg", "is unknown"),
    ("colour", "blue", "unknown key 'colour'"),
])
def test_bad_values_are_one_error(key: str, value: Any, needle: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_tool_config({key: value}, "tool.maturin", "/p/pyproject.toml")
    message = str(info.value)
    assert message.startswith("/p/pyproject.toml: [tool.maturin]") and key in message
    assert needle in message, message


def test_use_base_python(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("RUSTWHEEL_PEP517_USE_BASE_PYTHON", "MATURIN_PEP517_USE_BASE_PYTHON"):
        monkeypatch.delenv(name, raising=False)
    base = os.path.realpath(getattr(sys, "_base_executable", sys.executable))
    assert _hook_python({}) == sys.executable
    assert _hook_python({"use-base-python": True}) == base
    monkeypatch.setenv("MATURIN_PEP517_USE_BASE_PYTHON", "true")
    assert _hook_python({}) == base
    assert Path(base).is_file()
