"""PEP 735 dependency groups (``[dependency-groups]`` in pyproject.toml) for ``rustwheel develop
--group``: the requirements of the groups asked for, with the groups they include."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from rustwheel.errors import ConfigError

TABLE = "[dependency-groups]"


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _groups(table: Any, where: str) -> dict[str, list[Any]]:
    """The groups by normalized name (two names that normalize alike are an error)."""
    if not isinstance(table, dict):
        raise ConfigError(f"{where} {TABLE} must be a table of group name = [requirements]")
    groups: dict[str, list[Any]] = {}
    spelled: dict[str, str] = {}
    for name, items in table.items():
        key = _normalized(name)
        if key in spelled:
            raise ConfigError(f"{where} {TABLE} names '{spelled[key]}' and '{name}' are the "
                              "same group; keep one")
        if not isinstance(items, list):
            raise ConfigError(f"{where} {TABLE} {name} must be a list")
        spelled[key], groups[key] = name, items
    return groups


def _requirement(item: str, group: str, where: str) -> str:
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        Requirement(item)
    except InvalidRequirement as exc:
        raise ConfigError(f"{where} {TABLE} {group}: {item!r} is not a valid requirement "
                          f"({exc})") from None
    return item


def resolve(table: Any, names: Sequence[str], where: str) -> list[str]:
    """The requirements of the groups ``names`` (in order, each once), their
    ``{include-group = "..."}`` entries expanded; an unknown group or a cycle is an error."""
    groups = _groups(table, where)
    out: list[str] = []

    def expand(name: str, path: tuple[str, ...]) -> None:
        key = _normalized(name)
        if key not in groups:
            known = ", ".join(sorted(groups)) or "none"
            raise ConfigError(f"{where} {TABLE} has no group '{name}' (groups: {known})")
        if key in path:
            cycle = " -> ".join((*path, key))
            raise ConfigError(f"{where} {TABLE} groups include each other: {cycle}")
        for item in groups[key]:
            if isinstance(item, str):
                requirement = _requirement(item, key, where)
                if requirement not in out:
                    out.append(requirement)
            elif isinstance(item, Mapping) and set(item) == {"include-group"} \
                    and isinstance(item["include-group"], str):
                expand(item["include-group"], (*path, key))
            else:
                raise ConfigError(f"{where} {TABLE} {key}: {item!r} is neither a requirement "
                                  "nor {include-group = \"name\"}")

    for name in names:
        expand(name, ())
    return out
