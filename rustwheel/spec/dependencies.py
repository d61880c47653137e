"""``Requires-Dist`` lines from PEP 621 ``dependencies`` and ``optional-dependencies``."""

from __future__ import annotations

import re

from packaging.requirements import InvalidRequirement, Requirement

from rustwheel.errors import ConfigError

_DOUBLE_QUOTED = re.compile(r'"([^"\']*)"')


def _single_quoted(marker: str) -> str:
    """packaging prints marker values in double quotes; maturin (pep508_rs) uses single quotes."""
    return _DOUBLE_QUOTED.sub(r"'\1'", marker)


def _has_top_level_or(marker: str) -> bool:
    """Whether *marker* has an ``or`` outside parentheses and quotes."""
    depth = 0
    quote = ""
    for index, char in enumerate(marker):
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0 and marker.startswith(" or ", index):
            return True
    return False


def format_requirement(text: str, where: str, extra: str | None = None) -> str:
    """The normalised ``Requires-Dist`` value for the PEP 508 requirement *text*.

    With *extra*, ``extra == '<extra>'`` is appended to the marker with ``and`` (an existing
    marker with a top-level ``or`` is parenthesised first). *where* names the key for errors.
    """
    try:
        requirement = Requirement(text)
    except InvalidRequirement as exc:
        raise ConfigError(
            f"{where} entry {text!r} is not a valid PEP 508 requirement "
            f"({str(exc).splitlines()[0].strip()}); "
            "write it like 'name>=1.0; python_version < \"3.12\"'"
        ) from None
    marker = _single_quoted(str(requirement.marker)) if requirement.marker else ""
    if extra is not None:
        extra_marker = f"extra == '{extra}'"
        if not marker:
            marker = extra_marker
        elif _has_top_level_or(marker):
            marker = f"({marker}) and {extra_marker}"
        else:
            marker = f"{marker} and {extra_marker}"
    requirement.marker = None
    base = str(requirement)
    if not marker:
        return base
    # A space before ';' keeps it from being read as part of a URL.
    separator = " ; " if requirement.url else "; "
    return f"{base}{separator}{marker}"
