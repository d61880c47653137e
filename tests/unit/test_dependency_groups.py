"""PEP 735 dependency groups as ``rustwheel develop --group`` resolves them (pure)."""

from __future__ import annotations

from typing import Any

import pytest

from rustwheel.develop.groups import resolve
from rustwheel.errors import ConfigError

W = "pyproject.toml"


def test_includes_are_expanded_in_order_each_requirement_once() -> None:
    table: dict[str, Any] = {
        "Dev": ["ruff", {"include-group": "test"}, {"include-group": "typing"}],
        "test": ["pytest>=8", "coverage[toml]"],
        "typing": ["mypy", "pytest>=8"],
    }
    assert resolve(table, ["dev"], W) == ["ruff", "pytest>=8", "coverage[toml]", "mypy"]
    assert resolve(table, ["test", "typing"], W) == ["pytest>=8", "coverage[toml]", "mypy"]
    assert resolve({"my.group": ["a"]}, ["My_Group"], W) == ["a"]  # names normalized


@pytest.mark.parametrize(("table", "words"), [
    ({"dev": ["a"]}, "has no group 'lint' (groups: dev)"),
    ({"lint": [{"include-group": "dev"}], "dev": [{"include-group": "lint"}]},
     "groups include each other: lint -> dev -> lint"),
    ({"lint": ["not a requirement!"]}, "is not a valid requirement"),
    ({"lint": [{"include": "dev"}]}, "is neither a requirement nor {include-group"),
    ({"lint": "ruff"}, "lint must be a list"),
    ({"lint": [], "LINT": []}, "names 'lint' and 'LINT' are the same group"),
    (["lint"], "must be a table"),
])
def test_bad_groups_are_one_error(table: Any, words: str) -> None:
    with pytest.raises(ConfigError, match=words.replace("(", r"\(").replace(")", r"\)")
                       .replace("{", r"\{")):
        resolve(table, ["lint"], W)
