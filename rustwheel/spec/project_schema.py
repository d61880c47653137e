"""The ``[project]`` table checked against the pyproject metadata spec by validate-pyproject.

validate-pyproject is PyPA's JSON-schema validator of pyproject.toml (setuptools' own): every
key's type, PEP 440 versions, PEP 508 names, requirements and ``requires-python`` specifiers,
entry-point object references, SPDX license expressions, emails, ``dynamic`` names and unknown
keys. Each problem it finds becomes one `ConfigError` line naming the file, the key and the fix.
Two of maturin's leniencies that real projects rely on are kept (see `lenient_copy`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, Callable

from rustwheel.errors import ConfigError

# format name -> (what is wrong, how to fix it)
_FORMATS = {
    "pep508-versionspec": ("is not a valid version specifier",
                           "write it like '>=3.9' or '>=3.9,<4'"),
    "python-entrypoint-reference": ("is not a valid object reference",
                                    "write 'module:object' or 'module', e.g. 'pkg.cli:main'"),
    "pep508": ("is not a valid PEP 508 requirement",
               "write it like 'requests>=2.28' or 'tomli; python_version < \"3.11\"'"),
    "pep440": ("is not a valid PEP 440 version", "write it like '1.2.3' or '1.0.0a1'"),
    "pep508-identifier": ("is not a valid name",
                          "use letters, digits, '-', '_' and '.', starting and ending with a "
                          "letter or digit"),
    "SPDX": ("is not a valid SPDX license expression", "write it like 'MIT OR Apache-2.0'"),
    "idn-email": ("is not a valid email address", "write it like 'name@example.org'"),
    "url": ("is not a valid URL", "write it like 'https://example.org/project'"),
}
_TYPES = {"string": "a string", "array": "an array", "object": "a table", "boolean": "a boolean",
          "integer": "an integer", "number": "a number"}
_SPEC = "see https://packaging.python.org/en/latest/specifications/pyproject-toml/"
_ONE_OF_FIXES = {
    "license": "write an SPDX expression like license = \"MIT\" (or the older "
               "{ file = \"LICENSE\" } / { text = \"...\" })",
    "readme": "write readme = \"README.md\" or { file = \"README.md\", content-type = "
              "\"text/markdown\" }",
}


@lru_cache(maxsize=1)
def _validator() -> Callable[[Any], Any]:
    from validate_pyproject import api

    # Classifiers are not checked against the trove list here: validate-pyproject would fetch
    # it from PyPI without the trove-classifiers package; PyPI checks them at upload.
    formats = {**api.FORMAT_FUNCTIONS, "trove-classifier": lambda _: True}
    return api.Validator(plugins=[], format_validators=formats)


def lenient_copy(table: Mapping[str, Any], warn: Callable[[str], None],
                 pyproject: str) -> dict[str, Any]:
    """The table as validated. Keys both set and in ``dynamic`` are `ProjectTable`'s to judge.
    As maturin does, each with a warning: a table ``readme`` without ``content-type`` gets it
    from the file's extension, a missing ``version`` (neither set nor dynamic) comes from
    Cargo.toml, and a ``license`` table beside ``license-files`` adds its file to theirs."""
    data = dict(table)
    if isinstance(data.get("license"), Mapping) and "license-files" in data:
        warn(f"{pyproject}: [project] 'license' is a table and 'license-files' is set, which "
             "PEP 639 forbids; built as maturin does, with the files of both; write an SPDX "
             "expression like license = \"MIT\" and list the files in license-files")
        del data["license-files"]  # its globs are checked by `check_license_glob`
    dynamic = data.get("dynamic")
    if isinstance(dynamic, list):
        data["dynamic"] = [key for key in dynamic if key not in data]
        dynamic = data["dynamic"]
    readme = data.get("readme")
    if isinstance(readme, Mapping) and "content-type" not in readme and "file" in readme:
        warn(f"{pyproject}: [project] 'readme' table has no 'content-type', which the pyproject "
             "spec requires; taken from the file's extension as maturin does; add "
             "content-type = \"text/markdown\" (or text/x-rst, text/plain)")
        data["readme"] = {**readme, "content-type": "text/plain"}
    if "version" not in data and isinstance(dynamic, list) and "version" not in dynamic:
        warn(f"{pyproject}: [project] has no 'version' and does not list it in 'dynamic', which "
             "the pyproject spec requires; using Cargo.toml's version as maturin does; add "
             "dynamic = [\"version\"]")
        data["dynamic"] = [*dynamic, "version"]
    elif "version" not in data and dynamic is None:
        warn(f"{pyproject}: [project] has no 'version' and no 'dynamic', which the pyproject "
             "spec requires; using Cargo.toml's version as maturin does; add "
             "dynamic = [\"version\"]")
        data["dynamic"] = ["version"]
    return data


def check_project_schema(table: Mapping[str, Any], pyproject: str,
                         warn: Callable[[str], None]) -> None:
    """Raise `ConfigError` (one line) for the first problem validate-pyproject finds."""
    from validate_pyproject.errors import ValidationError

    try:
        _validator()({"project": lenient_copy(table, warn, pyproject)})
    except ValidationError as exc:
        raise ConfigError(describe(exc, pyproject)) from None


def describe(exc: Any, pyproject: str) -> str:
    """One line: file, key, what is wrong with the value, and how to fix it."""
    name = str(exc.name).strip("`")
    key = name[len("project."):] if name.startswith("project.") else ""
    where = f"{pyproject}: [project] {key!r}" if key else f"{pyproject}: [project]"
    definition = exc.definition if isinstance(exc.definition, Mapping) else {}
    value = exc.value
    shown = repr(value) if len(repr(value)) <= 80 else repr(value)[:77] + "..."
    top = key.split(".")[0].split("[")[0]
    if exc.rule == "format" and definition.get("format") in _FORMATS:
        problem, fix = _FORMATS[definition["format"]]
        return f"{where} = {shown} {problem}; {fix}"
    if exc.rule == "type":
        wanted = definition.get("type")
        kind = _TYPES.get(wanted, str(wanted)) if isinstance(wanted, str) else "of another type"
        return f"{where} must be {kind}; got {shown}; {_SPEC}"
    if exc.rule == "additionalProperties":
        unknown = sorted(set(value) - set(definition.get("properties", {})))
        what = ", ".join(repr(k) for k in unknown) or "an unknown key"
        return f"{where} has unknown key {what}; remove it or fix its spelling ({_SPEC})"
    if exc.rule == "enum":
        allowed = ", ".join(map(str, definition.get("enum", [])))
        return f"{where} = {shown} is not allowed; use one of {allowed}"
    if exc.rule in ("oneOf", "anyOf") and top in _ONE_OF_FIXES:
        return f"{where} = {shown} has the wrong form; {_ONE_OF_FIXES[top]}"
    summary = " ".join(str(exc.summary).split("\n")[0].split())
    summary = re.sub(r"`[^`]*`\s*", "", summary, count=1).rstrip(":")
    return f"{where} {summary} (got {shown}); {_SPEC}"
