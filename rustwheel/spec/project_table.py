"""Typed, checked access to the PEP 621 ``[project]`` table of pyproject.toml."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rustwheel.errors import ConfigError


class ProjectTable:
    """The ``[project]`` table, with getters that raise `ConfigError` on a wrong type."""

    def __init__(self, table: Mapping[str, Any], pyproject: str) -> None:
        self.table = table
        self.pyproject = pyproject
        self.dynamic = frozenset(self.str_list("dynamic"))
        self._check_name_and_dynamic()

    def where(self, key: str) -> str:
        """The file-and-key prefix for messages about *key*."""
        return f"{self.pyproject}: [project] {key!r}"

    def _check_name_and_dynamic(self) -> None:
        if "name" in self.dynamic:
            raise ConfigError(
                f"{self.pyproject}: [project] 'dynamic' lists 'name', which must be static; "
                'remove it from dynamic and set name = "..."'
            )
        if "name" not in self.table:
            raise ConfigError(f"{self.pyproject}: [project] has no 'name'; add name = \"...\"")
        self.string("name")
        for key in sorted(self.dynamic):
            if key in self.table:
                raise ConfigError(
                    f"{self.pyproject}: [project] {key!r} is both set and listed in 'dynamic'; "
                    "remove one"
                )

    def from_cargo(self, key: str) -> bool:
        """Whether *key* is listed in ``dynamic`` (so Cargo.toml supplies it)."""
        return key in self.dynamic

    def has(self, key: str) -> bool:
        return key in self.table

    def string(self, key: str) -> str:
        value = self.table[key]
        if not isinstance(value, str):
            raise ConfigError(f"{self.where(key)} must be a string; got {value!r}")
        return value

    def optional_string(self, key: str) -> str | None:
        return self.string(key) if key in self.table else None

    def str_list(self, key: str) -> list[str]:
        value = self.table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ConfigError(f"{self.where(key)} must be a list of strings; got {value!r}")
        return value

    def str_table(self, key: str) -> dict[str, str]:
        value = self.table.get(key, {})
        return checked_str_table(value, self.where(key))

    def table_list(self, key: str) -> list[Mapping[str, Any]]:
        value = self.table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
            raise ConfigError(
                f"{self.where(key)} must be a list of tables like "
                '{ name = "...", email = "..." }; got ' + repr(value)
            )
        return value

    def nested_table(self, key: str) -> dict[str, Mapping[str, Any]]:
        value = self.table.get(key, {})
        if not isinstance(value, Mapping) or not all(
            isinstance(item, Mapping) for item in value.values()
        ):
            raise ConfigError(f"{self.where(key)} must be a table of tables; got {value!r}")
        return dict(value)

    def list_table(self, key: str) -> dict[str, list[str]]:
        value = self.table.get(key, {})
        if not isinstance(value, Mapping):
            raise ConfigError(f"{self.where(key)} must be a table of lists; got {value!r}")
        result: dict[str, list[str]] = {}
        for name, items in value.items():
            if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
                raise ConfigError(
                    f"{self.where(key)} entry {name!r} must be a list of strings; got {items!r}"
                )
            result[name] = items
        return result


def checked_str_table(value: object, where: str) -> dict[str, str]:
    """*value* as a ``{str: str}`` table, or `ConfigError` naming *where*."""
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ConfigError(f"{where} must be a table of strings; got {value!r}")
    return dict(value)
