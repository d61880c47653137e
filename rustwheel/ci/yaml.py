"""A small YAML writer for the workflow: mappings, sequences, strings, booleans, integers and
null, block style only (pure). Strings are quoted unless they read back as the same string."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Union

Value = Union[None, bool, int, str, Sequence["Value"], Mapping[str, "Value"]]

# A plain scalar: no indicator first, no ': ', ' #', quotes or flow brackets ('${{ x }}' is
# fine in block context).
_PLAIN = re.compile(r"^[A-Za-z0-9_./$(][A-Za-z0-9_./ ()@=+,*${}'|&!<>-]*$")
# Plain words that YAML 1.1 readers (PyYAML) take for booleans, null or numbers.
_SPECIAL = re.compile(r"^(y|n|yes|no|on|off|true|false|null|~|[-+.0-9][-+.0-9_eE:]*)$", re.I)


def scalar(value: Union[None, bool, int, str]) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if _PLAIN.match(value) and not _SPECIAL.match(value) and not value.endswith(" "):
        return value
    if "'" in value and not any(c in value for c in '"\\'):
        return f'"{value}"'
    return "'" + value.replace("'", "''") + "'"


def _block(text: str, indent: str) -> list[str]:
    """A multi-line string as a literal block (``|`` keeps its final newline, ``|-`` has none)."""
    head = "|" if text.endswith("\n") else "|-"
    return [head] + [f"{indent}{line}" if line else "" for line in text.rstrip("\n").split("\n")]


def _entry(prefix: str, value: Value, indent: str) -> list[str]:
    """``prefix`` (``key:`` or ``-``) followed by ``value``, nested values indented."""
    if isinstance(value, str) and "\n" in value:
        head, *rest = _block(value, indent + "  ")
        return [f"{prefix} {head}", *rest]
    if isinstance(value, Mapping) and value:
        return [prefix, *_mapping(value, indent + "  ")]
    if isinstance(value, (list, tuple)) and value:
        return [prefix, *_sequence(value, indent + "  ")]
    if isinstance(value, (Mapping, list, tuple)):
        return [f"{prefix} {'{}' if isinstance(value, Mapping) else '[]'}"]
    assert value is None or isinstance(value, (bool, int, str)), value
    text = scalar(value)
    return [f"{prefix} {text}" if text else prefix]


def _mapping(value: Mapping[str, Value], indent: str) -> list[str]:
    lines = []
    for key, item in value.items():
        first, *rest = _entry(f"{scalar(key)}:", item, indent)
        lines += [indent + first, *rest]
    return lines


def _sequence(value: Sequence[Value], indent: str) -> list[str]:
    lines = []
    for item in value:
        if isinstance(item, Mapping) and item:
            first, *rest = _mapping(item, indent + "  ")
            lines += [f"{indent}- {first.lstrip()}", *rest]
        else:
            first, *rest = _entry("-", item, indent)
            lines += [indent + first, *rest]
    return lines


def dump(document: Mapping[str, Value], comments: Sequence[str] = ()) -> str:
    """The YAML text of ``document`` (top-level keys separated by blank lines), after
    ``comments`` as ``#`` lines."""
    lines = [f"# {c}" if c else "#" for c in comments]
    for key, item in document.items():
        if lines:
            lines.append("")
        lines += _mapping({key: item}, "")
    return "\n".join(lines) + "\n"
