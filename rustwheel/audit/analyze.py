"""Which manylinux / musllinux policies a set of ELF files satisfies, and why not the others.

For each policy of the files' libc (most compatible first), as auditwheel and maturin judge it:

- the architecture must be one the policy covers, with no x86-64 ISA level above the baseline;
- no undefined, non-weak symbol may be on the policy's blacklist for a library it links;
- the required symbol versions (grouped by prefix: ``GLIBC``, ``GLIBCXX``, ``CXXABI``, ``GCC``,
  ...) must be ones the policy allows; prefixes the policy does not know are not checked;
- every ``DT_NEEDED`` library (and theirs, recursively) must be whitelisted or come from the
  files themselves. Otherwise the policy "needs repair": bundling the libraries fixes it, if
  their own symbol versions fit the policy too.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Optional

from rustwheel.audit import AuditError
from rustwheel.audit.elf import ElfInfo
from rustwheel.audit.policies import Policy, load_policies
from rustwheel.audit.resolve import Resolver, expand_origin, system_search_paths
from rustwheel.audit.result import (
    ARCHITECTURE,
    BLACKLIST,
    BUNDLED,
    FAIL,
    ISA,
    LIBRARY,
    OK,
    REPAIR,
    SYMBOL_VERSION,
    AuditResult,
    PolicyVerdict,
    Reason,
)

LIBPYTHON = re.compile(r"^libpython\d+\.\d+m?\.so(\.\d+)*$")
LIBPYTHON_NOTE = "libpython: repair removes the dependency instead of bundling it"

# An external library: soname -> (resolved path or None, its facts when readable).
_External = dict[str, tuple[Optional[Path], Optional[ElfInfo]]]


@functools.lru_cache(maxsize=4096)
def version_key(version: str) -> tuple[str, tuple[int, ...], str]:
    """Sort key for ``GLIBC_2.2.5`` < ``GLIBC_2.14``."""
    prefix, _, number = version.partition("_")
    parts = number.split(".")
    if all(p.isdigit() for p in parts):
        return prefix, tuple(int(p) for p in parts), ""
    return prefix, (), number


def _prefix(version: str) -> str:
    """``GLIBC`` for ``GLIBC_2.17``, ``CXXABI`` for ``CXXABI_TM_1``."""
    return version.partition("_")[0]


def is_loader(soname: str) -> bool:
    """The dynamic loader itself (never bundled, its symbol versions never checked)."""
    return soname.startswith(("ld-linux", "ld-musl-")) or soname in ("ld64.so.1", "ld64.so.2")


def _arch(files: Mapping[str, ElfInfo], name: str) -> str:
    arches: dict[str, str] = {}
    for label, info in sorted(files.items()):
        if info.arch is None:
            raise AuditError(f"{label} in {name} is built for {info.machine} (ELF class "
                             f"{info.elf_class}), which no manylinux or musllinux policy "
                             "covers; keep its linux_<arch> tag")
        arches.setdefault(info.arch, label)
    if len(arches) > 1:
        (a, fa), (b, fb) = sorted(arches.items())[:2]
        raise AuditError(f"{name} mixes architectures: {fa} is built for {a} but {fb} for {b}; "
                         "build one wheel per architecture")
    return next(iter(arches))


def _libc(files: Mapping[str, ElfInfo], libc: Optional[str], name: str) -> str:
    if libc is not None:
        if libc not in ("glibc", "musl"):
            raise ValueError(f"libc must be 'glibc' or 'musl', not {libc!r}")
        return libc
    found = {info.libc: label for label, info in sorted(files.items()) if info.libc}
    if len(found) > 1:
        raise AuditError(f"{name} mixes C libraries: {found['glibc']} links glibc but "
                         f"{found['musl']} links musl; build one wheel per libc")
    return next(iter(found), "glibc")


def _policies(libc: str, musl_policy: Optional[str]) -> list[Policy]:
    if libc == "glibc":
        return load_policies("manylinux")
    musl = load_policies("musllinux")
    # A musl binary does not say which musl it needs (no symbol versions): one policy only,
    # the one asked for, else the newest (as auditwheel does off a musl host).
    wanted = musl_policy or musl[-1].name
    chosen = [p for p in musl if p.name == wanted]
    if not chosen:
        raise AuditError(f"musllinux policy '{wanted}' is unknown; use one of "
                         f"{', '.join(p.name for p in musl)}")
    return chosen


class _Walker:
    """Resolves the non-whitelisted dependencies of the audited files, per whitelist."""

    def __init__(self, files: Mapping[str, ElfInfo], root: Optional[Path],
                 resolver: Resolver) -> None:
        self.files = files
        self.resolver = resolver
        self.root = Path(os.path.realpath(root)) if root is not None else None
        self.own = {os.path.realpath(info.path) for info in files.values()}
        self._found: dict[tuple[Path, str, tuple[str, ...]], Optional[Path]] = {}

    def _inside(self, path: Path) -> bool:
        real = os.path.realpath(path)
        return real in self.own or (self.root is not None and Path(real).is_relative_to(self.root))

    def _find(self, soname: str, requester: ElfInfo, inherited: tuple[str, ...],
              ) -> Optional[Path]:
        key = (requester.path, soname, inherited)
        if key not in self._found:
            self._found[key] = self.resolver.find(soname, requester, inherited)
        return self._found[key]

    def external(self, whitelist: frozenset[str]) -> _External:
        out: _External = {}
        todo: list[tuple[ElfInfo, tuple[str, ...]]] = []
        for info in self.files.values():
            origin = info.path.parent
            rpath = () if info.runpath else tuple(expand_origin(p, origin) for p in info.rpath)
            todo.append((info, rpath))
        while todo:
            info, inherited = todo.pop()
            for soname in info.needed:
                if is_loader(soname) or soname in whitelist or soname in out:
                    continue
                if LIBPYTHON.match(soname):
                    out[soname] = (None, None)  # never bundled: repair drops the dependency
                    continue
                path = self._find(soname, info, inherited)
                if path is not None and self._inside(path):
                    continue  # shipped in the wheel: audited as one of the files
                dep = self.resolver.info(path) if path is not None else None
                out[soname] = (Path(os.path.realpath(path)) if path else None, dep)
                if dep is not None:
                    todo.append((dep, inherited))
        return out


def _required(infos: Sequence[ElfInfo]) -> dict[str, set[str]]:
    """Library -> required versions, the loader left out."""
    out: dict[str, set[str]] = {}
    for info in infos:
        for lib, versions in info.version_requirements.items():
            if not is_loader(lib):
                out.setdefault(lib, set()).update(versions)
    return out


def _version_reasons(policy: Policy, arch: str, files: Mapping[str, ElfInfo],
                     bundled: Mapping[str, ElfInfo]) -> list[Reason]:
    allowed = policy.symbol_versions.get(arch, {})  # prefix -> versions without the prefix
    sources = [(label, info) for label, info in sorted(files.items())]
    sources += [(f"{soname}{BUNDLED}", info) for soname, info in sorted(bundled.items())]
    required = _required([info for _, info in sources])
    reasons = []
    for lib in sorted(required):
        too_new = [v for v in sorted(required[lib], key=version_key)
                   if _prefix(v) in allowed and v.partition("_")[2] not in allowed[_prefix(v)]]
        if not too_new:
            continue
        items: list[str] = []
        blamed: list[str] = []
        for version in too_new:
            symbols = sorted({s for _, info in sources
                              for s in info.versioned_symbols.get(lib, {}).get(version, ())})
            items += [f"{s}@{version}" for s in symbols] or [version]
            blamed += [label for label, info in sources
                       if version in info.version_requirements.get(lib, ())]
        reasons.append(Reason(SYMBOL_VERSION, lib, tuple(items), tuple(sorted(set(blamed)))))
    return reasons


def _verdict(policy: Policy, arch: str, files: Mapping[str, ElfInfo],
             walker: _Walker) -> PolicyVerdict:
    tag = policy.tag(arch)
    aliases = policy.alias_tags(arch)
    if not policy.supports(arch):
        reason = Reason(ARCHITECTURE, None, (arch,))
        return PolicyVerdict(tag, aliases, policy.priority, FAIL, (reason,), {})
    reasons: list[Reason] = []
    for level in sorted({i.isa_level for i in files.values() if i.isa_level}):
        needing = tuple(sorted(label for label, i in files.items() if i.isa_level == level))
        reasons.append(Reason(ISA, None, (str(level),), needing))
    for lib in sorted(policy.blacklist):
        users = sorted(label for label, i in files.items()
                       if lib in i.needed and i.undefined_symbols & policy.blacklist[lib])
        hits = {s for label in users for s in files[label].undefined_symbols
                if s in policy.blacklist[lib]}
        if hits:
            reasons.append(Reason(BLACKLIST, lib, tuple(sorted(hits)), tuple(users)))
    external = walker.external(policy.whitelist(arch))
    bundled = {soname: info for soname, (_, info) in external.items() if info is not None}
    reasons += _version_reasons(policy, arch, files, bundled)
    for soname, (path, _) in sorted(external.items()):
        where = str(path) if path else LIBPYTHON_NOTE if LIBPYTHON.match(soname) else "not found"
        reasons.append(Reason(LIBRARY, soname, (where,)))
    status = OK if not reasons else REPAIR if all(r.repairable for r in reasons) else FAIL
    libs = {soname: (str(path) if path else None) for soname, (path, _) in external.items()}
    return PolicyVerdict(tag, aliases, policy.priority, status, tuple(reasons), libs)


def analyze(files: Mapping[str, ElfInfo], *, name: str = "the audited files",
            root: Optional[Path] = None, resolver: Optional[Resolver] = None,
            libc: Optional[str] = None, musl_policy: Optional[str] = None) -> AuditResult:
    """Audit ``files`` (label, e.g. the path inside the wheel -> facts) against every policy.

    ``root``: the directory the files were unpacked to; libraries resolved inside it are part
    of the wheel, not external. ``resolver``: the library search (default: this host's).
    ``libc``: ``glibc`` or ``musl`` (default: from the files, else glibc). ``musl_policy``:
    the musllinux policy to check (default: the newest).
    """
    if not files:
        raise AuditError(f"{name} contains no ELF files, so it needs no manylinux or musllinux "
                         "tag; tag it py3-none-any (or audit the wheel holding the binaries)")
    arch = _arch(files, name)
    libc_name = _libc(files, libc, name)
    walker = _Walker(files, root, resolver or Resolver(system_search_paths()))
    verdicts = tuple(_verdict(p, arch, files, walker) for p in _policies(libc_name, musl_policy))
    best = next((v for v in verdicts if v.status == OK), None)
    repairable = next((v for v in verdicts if v.status in (OK, REPAIR)), None)
    repair_tag = repairable.tag if repairable is not None and repairable is not best else None
    versions = _required(list(files.values()))
    return AuditResult(
        name=name, arch=arch, libc=libc_name,
        tag=best.tag if best is not None else f"linux_{arch}",
        aliases=best.aliases if best is not None else (),
        repair_tag=repair_tag,
        versioned_symbols={lib: tuple(sorted(v, key=version_key))
                           for lib, v in sorted(versions.items())},
        verdicts=verdicts)
