"""What an audit found: a verdict per policy with its reasons, and the tags that follow."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Optional

# Reason kinds. Only LIBRARY can be repaired (by bundling the library into the wheel).
SYMBOL_VERSION = "symbol-version"
LIBRARY = "library"
BLACKLIST = "blacklist"
ARCHITECTURE = "architecture"
ISA = "isa"

OK = "ok"
REPAIR = "repair"
FAIL = "fail"

_SHOWN_ITEMS = 6
BUNDLED = " (bundled)"
"""Suffix of `Reason.files` entries naming a library a repair would bundle."""


@dataclass(frozen=True)
class Reason:
    """Why one policy is not satisfied."""

    kind: str
    """One of ``symbol-version``, ``library``, ``blacklist``, ``architecture``, ``isa``."""
    library: Optional[str]
    """The library concerned (``libc.so.6``), if any."""
    items: tuple[str, ...]
    """``symbol@VERSION`` or bare versions (symbol-version), the resolved path or ``not found``
    (library), symbol names (blacklist), the architecture or ISA level."""
    files: tuple[str, ...] = ()
    """The audited files (or bundled libraries) the reason comes from."""

    @property
    def repairable(self) -> bool:
        return self.kind == LIBRARY

    def message(self, limit: Optional[int] = _SHOWN_ITEMS) -> str:
        items = list(self.items if limit is None else self.items[:limit])
        if limit is not None and len(self.items) > limit:
            items.append(f"(+{len(self.items) - limit} more)")
        shown = ", ".join(items)
        if self.kind == SYMBOL_VERSION:
            bundled = [f[:-len(BUNDLED)] for f in self.files if f.endswith(BUNDLED)]
            extra = f" (with what bundling {', '.join(bundled)} adds)" if bundled else ""
            return f"too-new versioned symbols: {self.library}: {shown}{extra}"
        if self.kind == LIBRARY:
            return f"links {self.library} ({shown}), which is not whitelisted: bundle it"
        if self.kind == BLACKLIST:
            return f"uses black-listed symbols of {self.library}: {shown}"
        if self.kind == ISA:
            return f"requires the {shown} instruction set ({', '.join(self.files)})"
        return f"unsupported architecture {shown}"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "library": self.library, "items": list(self.items),
                "files": list(self.files), "message": self.message(limit=None)}


@dataclass(frozen=True)
class PolicyVerdict:
    """One policy's outcome for the audited files."""

    tag: str
    """``manylinux_2_17_x86_64``."""
    aliases: tuple[str, ...]
    """``("manylinux2014_x86_64",)``."""
    priority: int
    status: str
    """``ok``; ``repair`` (only non-whitelisted libraries are in the way: bundling them fixes
    it); ``fail``."""
    reasons: tuple[Reason, ...]
    external_libs: Mapping[str, Optional[str]]
    """Non-whitelisted libraries from outside the files: soname -> resolved path (None: not
    found)."""

    def to_dict(self) -> dict[str, Any]:
        return {"tag": self.tag, "aliases": list(self.aliases), "priority": self.priority,
                "status": self.status, "reasons": [r.to_dict() for r in self.reasons],
                "external_libs": dict(sorted(self.external_libs.items()))}


@dataclass(frozen=True)
class AuditResult:
    """The audit of one wheel (or one set of ELF files)."""

    name: str
    arch: str
    libc: str
    """``glibc`` or ``musl``."""
    tag: str
    """The most compatible platform tag satisfied as the files are (``linux_<arch>`` if none):
    what ``auditwheel show`` calls "consistent with"."""
    aliases: tuple[str, ...]
    repair_tag: Optional[str]
    """A more compatible tag reachable by bundling the external libraries, else None."""
    versioned_symbols: Mapping[str, tuple[str, ...]]
    """Library -> versions the files require (loader excluded), sorted."""
    verdicts: tuple[PolicyVerdict, ...]
    """Every policy of the libc, most compatible first."""

    @property
    def needs_repair(self) -> bool:
        return self.repair_tag is not None

    def verdict(self, tag: str) -> PolicyVerdict:
        """The verdict for ``tag`` or one of its aliases."""
        for verdict in self.verdicts:
            if tag == verdict.tag or tag in verdict.aliases:
                return verdict
        raise KeyError(tag)

    def stricter(self) -> tuple[PolicyVerdict, ...]:
        """The verdicts of the policies more compatible than `tag`: why they are not it."""
        return tuple(v for v in self.verdicts if v.status != OK and not any(
            w.status == OK and w.priority >= v.priority for w in self.verdicts))

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "arch": self.arch, "libc": self.libc, "tag": self.tag,
            "aliases": list(self.aliases), "repair_tag": self.repair_tag,
            "needs_repair": self.needs_repair,
            "versioned_symbols": {k: list(v) for k, v in sorted(self.versioned_symbols.items())},
            "policies": [v.to_dict() for v in self.verdicts],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=False)
