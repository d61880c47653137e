"""PEP 621 ``authors`` / ``maintainers`` as Author(-email) / Maintainer(-email) values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rustwheel.errors import ConfigError

# RFC 822 "specials": a display name containing one of them must be quoted.
_SPECIALS = frozenset('()<>@,;:\\".[]')


def _display_name(name: str) -> str:
    if not any(char in _SPECIALS for char in name):
        return name
    escaped = name.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def format_people(people: Sequence[Mapping[str, Any]], where: str) -> tuple[str | None, str | None]:
    """``(names, emails)`` for the name field and the email field, each joined by ``", "``.

    ``{name, email}`` becomes ``Name <email>`` in the email field (the name quoted when it has
    RFC 822 specials); a name alone goes to the name field; an email alone to the email field.
    """
    names: list[str] = []
    emails: list[str] = []
    for person in people:
        unknown = sorted(set(person) - {"name", "email"})
        if unknown:
            raise ConfigError(f"{where} entry has unknown key {unknown[0]!r}; use name and email")
        name, email = person.get("name"), person.get("email")
        if (name is not None and not isinstance(name, str)) or (
            email is not None and not isinstance(email, str)
        ):
            raise ConfigError(f"{where} entry {dict(person)!r} must have string name/email")
        if name and email:
            emails.append(f"{_display_name(name)} <{email}>")
        elif name:
            names.append(name)
        elif email:
            emails.append(email)
    return (", ".join(names) or None, ", ".join(emails) or None)
