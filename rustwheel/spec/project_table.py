"""Typed, checked access to the PEP 621 ``[project]`` table of pyproject.toml."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Callable, Optional

from rustwheel.errors import ConfigError
from rustwheel.spec.project_schema import check_project_schema


def _ignore(_: str) -> None:
    pass


class ProjectTable:
    """The ``[project]`` table, with getters that raise `ConfigError` on a wrong type."""

    def __init__(self, table: Mapping[str, Any], pyproject: str,
                 cargo_values: Optional[Mapping[str, Optional[str]]] = None,
                 warn: Callable[[str], None] = _ignore) -> None:
        """*cargo_values*: what Cargo.toml gives for each key ``dynamic`` may list (None: no
        value), to judge keys that are both set and dynamic; *warn* reports what is accepted
        against the spec."""
        self.table = table
        self.pyproject = pyproject
        self.dynamic = frozenset(self.str_list("dynamic"))
        self.warn = warn
        self._check_name_and_dynamic(cargo_values or {}, warn)

    def check_schema(self) -> None:
        """Everything else the spec asks of the table (`check_project_schema`); run after the
        getters, whose messages about the keys they read are more precise."""
        check_project_schema(self.table, self.pyproject, self.warn)

    def where(self, key: str) -> str:
        """The file-and-key prefix for messages about *key*."""
        return f"{self.pyproject}: [project] {key!r}"

    def _check_name_and_dynamic(self, cargo_values: Mapping[str, Optional[str]],
                                warn: Callable[[str], None]) -> None:
        if "name" in self.dynamic:
            raise ConfigError(
                f"{self.pyproject}: [project] 'dynamic' lists 'name', which must be static; "
                'remove it from dynamic and set name = "..."'
            )
        if "name" not in self.table:
            raise ConfigError(f"{self.pyproject}: [project] has no 'name'; add name = \"...\"")
        self.string("name")
        for key in sorted(self.dynamic & set(self.table)):
            self._static_and_dynamic(key, cargo_values.get(key), warn)

    def _static_and_dynamic(self, key: str, cargo: Optional[str],
                            warn: Callable[[str], None]) -> None:
        """A key both set and listed in ``dynamic``, which the spec forbids. maturin takes the
        ``[project]`` value (for ``license``: Cargo's license text as well, beside a
        ``{file = ...}``); accepted with a warning unless Cargo.toml gives another value, when
        which one applies is ambiguous: an error."""
        value = self.table[key]
        fix = (f"remove {key!r} from 'dynamic' to use the [project] value, or remove the "
               "[project] key to use Cargo.toml's")
        if cargo is not None and not _same(key, value, cargo):
            raise ConfigError(
                f"{self.where(key)} = {value!r} is set and also listed in 'dynamic', and "
                f"Cargo.toml gives {cargo!r}: which one applies is ambiguous; {fix}")
        used = "the [project] value"
        if self.from_cargo(key) and cargo is not None:
            used = f"the [project] value and Cargo.toml's license {cargo!r}"
        warn(f"{self.where(key)} is set and also listed in 'dynamic', which the pyproject "
             f"metadata spec forbids (a key is static or dynamic, not both); built as maturin "
             f"does, with {used}; {fix}")

    def from_cargo(self, key: str) -> bool:
        """Whether Cargo.toml supplies *key*: listed in ``dynamic`` and not set here, except
        that maturin writes Cargo's ``license`` (as ``License``) beside a ``[project] license``
        file or expression (a ``{text = ...}`` replaces it)."""
        if key not in self.dynamic:
            return False
        value = self.table.get(key)
        return value is None or (key == "license" and not (isinstance(value, Mapping)
                                                           and "text" in value))

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


def _same(key: str, value: object, cargo: str) -> bool:
    """Whether the ``[project]`` *value* of *key* says what Cargo.toml's *cargo* says (a
    ``license = { file = ... }`` adds a file to Cargo's license text: no conflict)."""
    if key == "license" and isinstance(value, Mapping):
        return "file" in value or value.get("text") == cargo
    if key == "version" and isinstance(value, str):
        from packaging.version import InvalidVersion, Version

        try:
            return Version(value) == Version(cargo)
        except InvalidVersion:
            return False
    return value == cargo


def checked_str_table(value: object, where: str) -> dict[str, str]:
    """*value* as a ``{str: str}`` table, or `ConfigError` naming *where*."""
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ConfigError(f"{where} must be a table of strings; got {value!r}")
    return dict(value)
