"""The manylinux (PEP 600) and musllinux (PEP 656) policies, from the vendored auditwheel JSON.

A policy says, per architecture, which symbol versions a binary may require (``GLIBC_2.17``,
``GLIBCXX_3.4.19``, ...), which system libraries it may link without bundling them (the
whitelist), and which symbols of those libraries it must not use (the blacklist).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

KINDS = ("manylinux", "musllinux")

# musl's libc has a per-architecture soname; the JSON says ``libc.so`` for all of them.
MUSL_LIBC_SONAMES: Mapping[str, str] = {
    "x86_64": "libc.musl-x86_64.so.1",
    "i686": "libc.musl-x86.so.1",
    "aarch64": "libc.musl-aarch64.so.1",
    "s390x": "libc.musl-s390x.so.1",
    "ppc64le": "libc.musl-ppc64le.so.1",
    "armv7l": "libc.musl-armv7.so.1",
    "riscv64": "libc.musl-riscv64.so.1",
    "loongarch64": "libc.musl-loongarch64.so.1",
}


@dataclass(frozen=True)
class Policy:
    """One platform policy, for every architecture it covers."""

    kind: str
    """``manylinux`` or ``musllinux``."""
    name: str
    """The PEP 600 / PEP 656 name without the architecture, e.g. ``manylinux_2_17``."""
    aliases: tuple[str, ...]
    """Legacy names, e.g. ``("manylinux2014",)``."""
    priority: int
    """Higher is older and more compatible (``manylinux_2_5`` = 100)."""
    symbol_versions: Mapping[str, Mapping[str, frozenset[str]]]
    """``arch -> prefix -> versions``: ``{"x86_64": {"GLIBC": {"2.2.5", ...}, ...}}``."""
    lib_whitelist: frozenset[str]
    """Sonames a wheel may link without bundling them (musl's libc as ``libc.so``)."""
    blacklist: Mapping[str, frozenset[str]]
    """Whitelisted library -> symbols that must not be used from it."""

    @property
    def architectures(self) -> frozenset[str]:
        return frozenset(self.symbol_versions)

    def supports(self, arch: str) -> bool:
        return arch in self.symbol_versions

    def tag(self, arch: str) -> str:
        """The platform tag, e.g. ``manylinux_2_17_x86_64``."""
        return f"{self.name}_{arch}"

    def alias_tags(self, arch: str) -> tuple[str, ...]:
        return tuple(f"{alias}_{arch}" for alias in self.aliases)

    def whitelist(self, arch: str) -> frozenset[str]:
        """The whitelist with musl's ``libc.so`` spelled as that architecture's soname."""
        if self.kind != "musllinux" or "libc.so" not in self.lib_whitelist:
            return self.lib_whitelist
        libc = MUSL_LIBC_SONAMES.get(arch, "libc.so")
        return (self.lib_whitelist - {"libc.so"}) | {libc}

    def allowed_versions(self, arch: str) -> Mapping[str, frozenset[str]]:
        """``prefix -> {"GLIBC_2.17", ...}`` (full version names) for ``arch``."""
        return {prefix: frozenset(f"{prefix}_{v}" for v in versions)
                for prefix, versions in self.symbol_versions.get(arch, {}).items()}


def _policy_file(kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown policy kind {kind!r}; expected one of {KINDS}")
    return f"{kind}-policy.json"


def _policy_text(kind: str) -> str:
    name = _policy_file(kind)
    try:  # the package's own directory: no importlib.resources import (~3 ms) on the way
        return (Path(__file__).parent / "policies" / name).read_text(encoding="utf-8")
    except OSError:  # installed in a zip, say
        from importlib import resources

        # joinpath with one argument at a time: Python 3.9's Traversable takes only one.
        path = resources.files("rustwheel.audit").joinpath("policies").joinpath(name)
        return path.read_text(encoding="utf-8")


@functools.cache
def _load(kind: str) -> tuple[Policy, ...]:
    # The vendored files were checked when refreshed (scripts/refresh_policies.py) and are
    # checked by the tests: not again on every audit.
    return tuple(parse_policy_json(kind, _policy_text(kind), check=False))


def parse_policy_json(kind: str, text: str, *, check: bool = True) -> list[Policy]:
    """The policies of one auditwheel policy file, checked (`check_pep600`) unless ``check``
    is false, most compatible first, without the unrestricted ``linux`` entry."""
    raw: list[dict[str, Any]] = json.loads(text)
    policies = [_from_json(kind, entry) for entry in raw if entry["name"] != "linux"]
    if check:
        check_pep600(policies)
    return sorted(policies, key=lambda p: -p.priority)


class _PerArch(Mapping[str, Mapping[str, frozenset[str]]]):
    """``arch -> prefix -> versions`` from the JSON, each architecture's sets made when first
    asked for (an audit needs one architecture of the nine)."""

    def __init__(self, raw: Mapping[str, Mapping[str, list[str]]]) -> None:
        self._raw = raw
        self._made: dict[str, Mapping[str, frozenset[str]]] = {}

    def __getitem__(self, arch: str) -> Mapping[str, frozenset[str]]:
        made = self._made.get(arch)
        if made is None:
            made = {prefix: frozenset(v) for prefix, v in self._raw[arch].items()}
            self._made[arch] = made
        return made

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def __repr__(self) -> str:
        return repr(dict(self))


def _from_json(kind: str, entry: Mapping[str, Any]) -> Policy:
    return Policy(
        kind=kind,
        name=str(entry["name"]),
        aliases=tuple(entry["aliases"]),
        priority=int(entry["priority"]),
        symbol_versions=_PerArch(entry["symbol_versions"]),
        lib_whitelist=frozenset(entry["lib_whitelist"]),
        blacklist={lib: frozenset(symbols) for lib, symbols in entry["blacklist"].items()},
    )


def load_policies(kind: str) -> list[Policy]:
    """The ``manylinux`` or ``musllinux`` policies, most compatible (highest priority) first.

    The unrestricted ``linux`` entry of the JSON is left out: it is what remains when no
    policy fits.
    """
    return list(_load(kind))


def find_policy(name: str) -> Policy:
    """The policy called ``name`` or aliased so (``manylinux2014`` -> ``manylinux_2_17``)."""
    for kind in KINDS:
        for policy in _load(kind):
            if name == policy.name or name in policy.aliases:
                return policy
    raise KeyError(name)


def check_pep600(policies: Sequence[Policy]) -> None:
    """Each newer policy allows everything an older one does (PEP 600's promise).

    Raises ValueError naming the first policy that breaks it: the vendored data is wrong.
    """
    seen_libs: frozenset[str] = frozenset()
    seen_versions: dict[tuple[str, str], frozenset[str]] = {}
    for policy in sorted(policies, key=lambda p: -p.priority):
        missing = seen_libs - policy.lib_whitelist
        if missing:
            raise ValueError(f"{policy.name} drops whitelisted libraries {sorted(missing)}")
        seen_libs = seen_libs | policy.lib_whitelist
        for arch, per_arch in policy.symbol_versions.items():
            for prefix, versions in per_arch.items():
                older = seen_versions.get((arch, prefix), frozenset())
                if not older <= versions:
                    raise ValueError(f"{policy.name}_{arch} drops {prefix} versions "
                                     f"{sorted(older - versions)}")
                seen_versions[(arch, prefix)] = older | versions
