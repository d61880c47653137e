"""A CycloneDX 1.5 SBOM of the Rust dependencies, in ``.dist-info/sboms/<crate>.cyclonedx.json``.

Shaped like the one maturin writes (through cargo-cyclonedx): ``bomFormat``, ``specVersion``,
``serialNumber``, ``metadata.component`` for the crate, one ``components`` entry per dependency
with name, version, purl, licenses, scope and the Cargo.lock checksum, and the ``dependencies``
graph. Unlike maturin's it is deterministic: the serial number is derived from the content, the
timestamp comes from ``SOURCE_DATE_EPOCH`` (and is left out when that is unset), bom-refs are
purls rather than package ids spelling the checkout's path, and every list is sorted.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Optional

from rustwheel import __version__
from rustwheel.cargo.metadata import CargoMetadata, Package
from rustwheel.config.includes import SbomConfig
from rustwheel.errors import ConfigError
from rustwheel.plan.members import FileItem, GeneratedItem

SPEC_VERSION = "1.5"


def purl(pkg: Package, root_dir: Path) -> str:
    """``pkg:cargo/<name>@<version>``; a path package (no source) also gets its directory
    relative to the root crate's, as cargo-cyclonedx writes it (never an absolute path)."""
    base = f"pkg:cargo/{pkg.name}@{pkg.version}"
    if pkg.raw.get("source") is not None:
        return base
    rel = Path(os.path.relpath(pkg.manifest_path.parent, root_dir)).as_posix()
    return f"{base}?download_url=file://{rel}"


def _reach(meta: CargoMetadata, kinds: frozenset[str]) -> set[str]:
    """Package ids reachable from the root over edges of the given kinds."""
    seen: set[str] = set()
    stack = [meta.root.id]
    while stack:
        pid = stack.pop()
        for dep, edge in meta.dep_kinds.get(pid, {}).items():
            if dep not in seen and kinds.intersection(edge):
                seen.add(dep)
                stack.append(dep)
    seen.discard(meta.root.id)
    return seen


def lock_checksums(lock_file: Path) -> dict[tuple[str, str, str], str]:
    """(name, version, source) -> sha256 checksum from Cargo.lock (empty if there is none)."""
    from rustwheel.config.pyproject import load_toml

    if not lock_file.is_file():
        return {}
    out = {}
    for p in load_toml(lock_file).get("package", []):
        if isinstance(p, dict) and p.get("checksum"):
            out[(str(p.get("name")), str(p.get("version")), str(p.get("source")))] = \
                str(p["checksum"])
    return out


def _component(pkg: Package, ref: str, scope: Optional[str], checksum: Optional[str],
               kind: str = "library") -> dict[str, Any]:
    raw = pkg.raw
    out: dict[str, Any] = {"type": kind, "bom-ref": ref}
    if raw.get("authors"):
        out["author"] = ", ".join(raw["authors"])
    out["name"] = pkg.name
    out["version"] = pkg.version
    if raw.get("description"):
        out["description"] = " ".join(str(raw["description"]).split())
    if scope is not None:
        out["scope"] = scope
    if checksum:
        out["hashes"] = [{"alg": "SHA-256", "content": checksum}]
    if raw.get("license"):
        out["licenses"] = [{"expression": raw["license"]}]
    out["purl"] = ref
    refs = [{"type": t, "url": raw[key]} for t, key in
            (("documentation", "documentation"), ("website", "homepage"), ("vcs", "repository"))
            if raw.get(key)]
    if refs:
        out["externalReferences"] = refs
    return out


def _timestamp(source_date_epoch: Optional[str]) -> Optional[str]:
    if not source_date_epoch:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(source_date_epoch)))


def _dependencies(meta: CargoMetadata, ids: Iterable[str],
                  purls: Mapping[str, str]) -> list[dict[str, Any]]:
    graph = []
    for pid in ids:
        deps = sorted({purls[d] for d, kinds in meta.dep_kinds.get(pid, {}).items()
                       if kinds != ("dev",) and d in purls})
        entry: dict[str, Any] = {"ref": purls[pid]}
        if deps:
            entry["dependsOn"] = deps
        graph.append(entry)
    return sorted(graph, key=lambda e: str(e["ref"]))


def document(meta: CargoMetadata, *, binary: bool, source_date_epoch: Optional[str],
             checksums: Mapping[tuple[str, str, str], str]) -> str:
    """The SBOM's JSON text; the same inputs always give the same bytes."""
    required = _reach(meta, frozenset({"normal"}))
    root_dir = meta.root.manifest_path.parent
    purls = {pid: purl(pkg, root_dir) for pid, pkg in meta.packages.items()}
    everything = _reach(meta, frozenset({"normal", "build"}))

    def checksum(pkg: Package) -> Optional[str]:
        return checksums.get((pkg.name, pkg.version, str(pkg.raw.get("source"))))

    components = [_component(meta.packages[pid], purls[pid],
                             "required" if pid in required else "excluded",
                             checksum(meta.packages[pid]))
                  for pid in everything if pid in meta.packages]
    components.sort(key=lambda c: (c["name"], c["version"], c["purl"]))
    metadata: dict[str, Any] = {}
    stamp = _timestamp(source_date_epoch)
    if stamp is not None:
        metadata["timestamp"] = stamp
    metadata["tools"] = [{"vendor": "rustwheel", "name": "rustwheel", "version": __version__}]
    metadata["component"] = _component(meta.root, purls[meta.root.id], "required", None,
                                       "application" if binary else "library")
    bom: dict[str, Any] = {"bomFormat": "CycloneDX", "specVersion": SPEC_VERSION,
                           "version": 1, "metadata": metadata, "components": components,
                           "dependencies": _dependencies(meta, [meta.root.id, *everything], purls)}
    body = json.dumps(bom, indent=2, ensure_ascii=False)
    serial = uuid.uuid5(uuid.NAMESPACE_URL, "rustwheel-sbom:" + body)
    ordered = {"bomFormat": bom.pop("bomFormat"), "specVersion": bom.pop("specVersion"),
               "version": bom.pop("version"), "serialNumber": f"urn:uuid:{serial}", **bom}
    return json.dumps(ordered, indent=2, ensure_ascii=False) + "\n"


def _include_files(cfg: SbomConfig, project_root: Path, sboms: str,
                   where: str) -> list[FileItem]:
    """The tool table's ``include`` files, then ``--sbom-include``'s (a path given in both,
    or twice, counts once)."""
    items: list[FileItem] = []
    seen: dict[str, str] = {}
    root = os.path.realpath(project_root)
    given = {**{entry: f"{where} sbom.include" for entry in cfg.include},
             **{entry: "--sbom-include" for entry in cfg.from_command_line
                if entry not in cfg.include}}
    for entry, source in given.items():
        path = os.path.realpath(os.path.join(project_root, entry))
        if not os.path.isabs(entry) and os.path.commonpath([root, path]) != root:
            raise ConfigError(f"{source} entry {entry!r} is outside the project "
                              f"directory {project_root}; use a path inside it or an absolute path")
        if not os.path.isfile(path):
            raise ConfigError(f"{source} entry {entry!r} is not a file ({path}); "
                              "fix the path or remove the entry")
        name = os.path.basename(path)
        if name in seen:
            raise ConfigError(f"SBOM files {seen[name]!r} ({given[seen[name]]}) and {entry!r} "
                              f"({source}) have the same file name '{name}'; rename one of them")
        seen[name] = entry
        items.append(FileItem(f"{sboms}/{name}", path, False))
    return items


def sbom_items(cfg: SbomConfig, meta: CargoMetadata, *, project_root: Path, dist_info: str,
               binary: bool, source_date_epoch: Optional[str],
               where: str) -> tuple[list[FileItem], list[GeneratedItem]]:
    """The generated Rust SBOM (unless ``rust = false``) and the ``include`` files."""
    sboms = f"{dist_info}/sboms"
    generated = []
    if cfg.rust:
        text = document(meta, binary=binary, source_date_epoch=source_date_epoch,
                        checksums=lock_checksums(meta.workspace_root / "Cargo.lock"))
        generated.append(GeneratedItem(f"{sboms}/{meta.root.name}.cyclonedx.json", text))
    return _include_files(cfg, project_root, sboms, where), generated
