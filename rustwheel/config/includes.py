"""The `include`, `exclude` and `sbom` keys of the tool table, validated.

Three include forms, as in maturin: a plain glob (sdist and wheel), ``{path, format}`` with
``format`` one of ``"sdist"``, ``"wheel"`` or a list of them, and ``{path, from = "out-dir",
to, crate-name?}`` for files a build script wrote into its ``OUT_DIR`` (wheel only).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from rustwheel.errors import ConfigError

FORMATS = ("sdist", "wheel")


@dataclass(frozen=True)
class GlobSpec:
    path: str
    """Glob relative to the project root (pyproject.toml's directory), or to ``OUT_DIR``."""
    formats: tuple[str, ...] = FORMATS
    """Which archives the pattern applies to (``sdist``, ``wheel``)."""
    out_dir: bool = False
    """``from = "out-dir"``: the glob is relative to a build script's ``OUT_DIR``."""
    to: str = ""
    """Archive directory the ``OUT_DIR`` matches go to (``pkg/``)."""
    crate_name: Optional[str] = None
    """Whose build script's ``OUT_DIR``; default: the crate being built."""

    @property
    def for_wheel(self) -> bool:
        return "wheel" in self.formats


@dataclass(frozen=True)
class SbomConfig:
    rust: bool = True
    """Write a CycloneDX SBOM of the Rust dependencies into ``.dist-info/sboms/``."""
    include: tuple[str, ...] = ()
    """More SBOM files (relative to the project root) copied into ``.dist-info/sboms/``."""
    auditwheel: bool = True
    """After a repair, list the OS packages of the bundled libraries (``auditwheel.cdx.json``)."""
    from_command_line: tuple[str, ...] = ()
    """``--sbom-include`` paths, taken after ``include`` as maturin does (relative to the
    project root too; a path given in both counts once)."""


def check_relative(pattern: str, where: str) -> str:
    """Reject an absolute pattern or one with a ``..`` or ``.`` component."""
    parts = pattern.replace("\\", "/").split("/")
    if not pattern or pattern.startswith(("/", "\\")) or (len(pattern) > 1 and pattern[1] == ":"):
        raise ConfigError(f"{where} pattern {pattern!r} must be a non-empty relative path; "
                          "write it relative to the directory of pyproject.toml")
    if ".." in parts or "." in parts:
        raise ConfigError(f"{where} pattern {pattern!r} must not contain '..' or '.' "
                          "components; write it relative to the directory of pyproject.toml")
    return pattern


def _formats(value: Any, where: str) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or \
            not all(isinstance(v, str) and v in FORMATS for v in items):
        raise ConfigError(f"{where} format must be \"sdist\", \"wheel\" or a list of them")
    return tuple(sorted(set(items)))


def _one(entry: Any, where: str, allow_out_dir: bool) -> GlobSpec:
    if isinstance(entry, str):
        return GlobSpec(check_relative(entry, where))
    if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
        raise ConfigError(f"{where} entries must be glob strings or tables with a 'path' string")
    path = check_relative(entry["path"], where)
    if "from" in entry:
        extra = set(entry) - {"path", "from", "to", "crate-name"}
        if not allow_out_dir:
            raise ConfigError(f"{where} entry {path!r}: from = \"out-dir\" is only allowed in "
                              "include; remove it from exclude")
        if entry["from"] != "out-dir":
            raise ConfigError(f"{where} entry {path!r}: from must be \"out-dir\"")
        to, crate = entry.get("to", ""), entry.get("crate-name")
        if not isinstance(to, str) or (crate is not None and not isinstance(crate, str)):
            raise ConfigError(f"{where} entry {path!r}: to and crate-name must be strings")
        if extra:
            raise ConfigError(f"{where} entry {path!r} has unknown key(s) "
                              f"{', '.join(sorted(extra))}; use path, from, to, crate-name")
        to = to.strip("/")
        if to:
            check_relative(to, f"{where} entry {path!r} to:")
        return GlobSpec(path, ("wheel",), out_dir=True, to=to, crate_name=crate)
    extra = set(entry) - {"path", "format"}
    if extra:
        raise ConfigError(f"{where} entry {path!r} has unknown key(s) {', '.join(sorted(extra))}; "
                          "use path and format (or from/to/crate-name for out-dir files)")
    formats = _formats(entry["format"], f"{where} entry {path!r}") if "format" in entry \
        else FORMATS
    return GlobSpec(path, formats)


def parse_globs(value: Any, where: str, *, allow_out_dir: bool) -> tuple[GlobSpec, ...]:
    """``include`` / ``exclude``: a list of glob strings or tables."""
    if not isinstance(value, list):
        raise ConfigError(f"{where} must be a list of globs or {{path, format}} tables")
    return tuple(_one(entry, where, allow_out_dir) for entry in value)


def parse_include(value: Any, where: str) -> tuple[GlobSpec, ...]:
    return parse_globs(value, where, allow_out_dir=True)


def parse_exclude(value: Any, where: str) -> tuple[GlobSpec, ...]:
    return parse_globs(value, where, allow_out_dir=False)


def parse_sbom(value: Any, where: str) -> SbomConfig:
    """``[tool.rustwheel.sbom]``: ``rust`` (bool), ``auditwheel`` (bool), ``include``."""
    if not isinstance(value, dict):
        raise ConfigError(f"{where} must be a table with rust, auditwheel and include keys")
    unknown = set(value) - {"rust", "auditwheel", "include"}
    if unknown:
        raise ConfigError(f"{where} has unknown key(s) {', '.join(sorted(unknown))}; "
                          "use rust, auditwheel or include")
    for key in ("rust", "auditwheel"):
        if key in value and not isinstance(value[key], bool):
            raise ConfigError(f"{where} {key} must be true or false")
    include = value.get("include", [])
    if not isinstance(include, list) or not all(isinstance(v, str) and v for v in include):
        raise ConfigError(f"{where} include must be a list of file paths")
    return SbomConfig(rust=value.get("rust", True), include=tuple(include),
                      auditwheel=value.get("auditwheel", True))
