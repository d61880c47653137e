"""A typed view of `cargo metadata --format-version 1`, parsed once."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from rustwheel import _run
from rustwheel.errors import ConfigError, ToolError

LIB_KINDS = frozenset({"lib", "rlib", "dylib", "cdylib", "staticlib"})


@dataclass(frozen=True)
class Target:
    name: str
    kind: tuple[str, ...]
    crate_types: tuple[str, ...]
    src_path: str
    required_features: tuple[str, ...] = ()

    @property
    def is_lib(self) -> bool:
        return bool(LIB_KINDS.intersection(self.kind))

    @property
    def is_bin(self) -> bool:
        return "bin" in self.kind


@dataclass(frozen=True)
class Package:
    id: str
    name: str
    version: str
    manifest_path: Path
    targets: tuple[Target, ...]
    raw: Mapping[str, Any]

    @property
    def lib(self) -> Optional[Target]:
        return next((t for t in self.targets if t.is_lib), None)

    @property
    def bins(self) -> tuple[Target, ...]:
        return tuple(t for t in self.targets if t.is_bin)


@dataclass(frozen=True)
class CargoMetadata:
    root: Package
    packages: Mapping[str, Package]
    deps: Mapping[str, tuple[str, ...]]
    """Package id -> ids of its resolved dependencies (normal, build and dev edges)."""
    features: Mapping[str, tuple[str, ...]]
    """Package id -> its enabled features in this resolution."""
    target_directory: Path
    workspace_root: Path
    workspace_members: tuple[str, ...]
    dep_kinds: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    """Package id -> dependency id -> its edge kinds ("normal", "build", "dev")."""

    def dependency_closure(self) -> list[Package]:
        """The root's transitive dependencies (the root excluded), in a stable order."""
        seen: set[str] = set()
        order: list[str] = []
        stack = list(self.deps.get(self.root.id, ()))
        while stack:
            pid = stack.pop()
            if pid in seen:
                continue
            seen.add(pid)
            order.append(pid)
            stack.extend(self.deps.get(pid, ()))
        return [self.packages[p] for p in sorted(order)]

    def find_dependency(self, name: str) -> list[Package]:
        return [p for p in self.dependency_closure() if p.name == name]


def _package(raw: Mapping[str, Any]) -> Package:
    targets = tuple(
        Target(
            name=t["name"],
            kind=tuple(t.get("kind", ())),
            crate_types=tuple(t.get("crate_types", ())),
            src_path=t.get("src_path", ""),
            required_features=tuple(t.get("required-features", ()) or ()),
        )
        for t in raw.get("targets", ())
    )
    return Package(id=raw["id"], name=raw["name"], version=raw["version"],
                   manifest_path=Path(raw["manifest_path"]), targets=targets, raw=raw)


def parse_metadata(data: Mapping[str, Any], manifest_path: Path) -> CargoMetadata:
    packages = {p["id"]: _package(p) for p in data["packages"]}
    root = next((p for p in packages.values() if p.manifest_path == manifest_path), None)
    if root is None:
        raise ConfigError(
            f"{manifest_path}: has no [package] section (a virtual workspace manifest?); "
            "pass -m/--manifest-path pointing to the member crate's Cargo.toml")
    resolve = data.get("resolve") or {"nodes": []}
    deps = {n["id"]: tuple(d["pkg"] for d in n.get("deps", ())) for n in resolve["nodes"]}
    features = {n["id"]: tuple(n.get("features", ())) for n in resolve["nodes"]}
    dep_kinds = {n["id"]: {d["pkg"]: tuple(sorted({k.get("kind") or "normal"
                                                   for k in d.get("dep_kinds") or [{}]}))
                           for d in n.get("deps", ())} for n in resolve["nodes"]}
    return CargoMetadata(
        root=root,
        packages=packages,
        deps=deps,
        features=features,
        target_directory=Path(data["target_directory"]),
        workspace_root=Path(data["workspace_root"]),
        workspace_members=tuple(data.get("workspace_members", ())),
        dep_kinds=dep_kinds,
    )


def cargo_metadata_argv(manifest_path: Path, filter_platform: Optional[str],
                        resolution: Sequence[str]) -> list[str]:
    """`cargo metadata` of ``manifest_path`` with the flags of `resolution_args`."""
    argv = ["cargo", "metadata", "--format-version", "1", "--manifest-path", str(manifest_path)]
    if filter_platform:
        argv += ["--filter-platform", filter_platform]
    return argv + list(resolution)


def resolution_args(*, features: Sequence[str], all_features: bool, no_default_features: bool,
                    locked: bool, frozen: bool, offline: bool, config: Sequence[str]) -> list[str]:
    """The flags that decide cargo's resolution (features, lock file, network, ``--config``),
    shared by `cargo metadata` and `cargo tree`."""
    argv: list[str] = []
    if features:
        argv += ["--features", ",".join(features)]
    if all_features:
        argv.append("--all-features")
    if no_default_features:
        argv.append("--no-default-features")
    for flag, on in (("--locked", locked), ("--frozen", frozen), ("--offline", offline)):
        if on:
            argv.append(flag)
    for item in config:
        argv += ["--config", item]
    return argv


def load_metadata(argv: Sequence[str], manifest_path: Path,
                  env: Mapping[str, str]) -> CargoMetadata:
    proc = _run.run(argv, env=env, check=False,
                    hint="install Rust with rustup (https://rustup.rs)")
    if proc.returncode != 0:
        raise _run.failed(argv, proc, env=env, what=f" for {manifest_path}",
                          hint=f"check the dependencies in {manifest_path} and its Cargo.lock")
    try:
        data = json.loads(proc.stdout)
    except json.JSONDecodeError:
        raise ToolError(f"`{_run.describe(argv)}` printed output that is not JSON") from None
    return parse_metadata(data, manifest_path)
