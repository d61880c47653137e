"""The root package's own feature resolution, from `cargo tree`, as maturin verifies it.

`cargo metadata` unifies features across all workspace members (rust-lang/cargo#7754), while
`cargo rustc -p <root>` builds only what the root package enables. In a workspace of several
members, a pyo3 that only a sibling enables (an optional dependency, or its ``abi3`` feature)
would be detected as the root's. `scoped` narrows the unified graph to what `cargo tree` lists
for the root (normal, build and dev edges), with the features it lists.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path

from rustwheel import _run, ui
from rustwheel.cargo.metadata import CargoMetadata

BINDINGS_CRATES = ("pyo3", "pyo3-ffi")

Scoped = Mapping[tuple[str, str], tuple[str, ...]]
"""(package name, version) -> its features as the root package's build enables them."""


def needs_scoping(meta: CargoMetadata) -> bool:
    """Only a workspace of several members can unify a sibling's features into the root's."""
    return len(meta.workspace_members) > 1 and any(
        meta.find_dependency(name) for name in BINDINGS_CRATES)


def cargo_tree_argv(manifest_path: Path, target: str, resolution: Sequence[str]) -> list[str]:
    """`cargo tree` of the package at ``manifest_path`` for ``target``, with the resolution flags
    of its `cargo metadata` (`rustwheel.cargo.metadata.resolution_args`)."""
    return ["cargo", "tree", "--manifest-path", str(manifest_path), "--target", target,
            "--edges", "normal,build,dev", "--prefix", "none", "--format", "{p}|{f}",
            "--color", "never", *resolution]


def parse_tree(stdout: str) -> Scoped:
    """``pyo3 v0.29.0|abi3,default,macros`` lines (path and git packages add their source in
    parentheses, repeats end in `` (*)``) into (name, version) -> features."""
    found: dict[tuple[str, str], set[str]] = {}
    for line in stdout.splitlines():
        package, sep, features = line.strip().removesuffix(" (*)").partition("|")
        words = package.split()
        if not sep or len(words) < 2 or not words[1].startswith("v"):
            continue
        found.setdefault((words[0], words[1][1:]), set()).update(f for f in features.split(",")
                                                                 if f)
    return {key: tuple(sorted(features)) for key, features in found.items()}


def scoped(meta: CargoMetadata, tree: Scoped) -> CargoMetadata:
    """``meta`` with only the packages `cargo tree` lists for the root, and their features."""
    kept = {pid for pid, p in meta.packages.items() if (p.name, p.version) in tree}
    kept.add(meta.root.id)
    return dataclasses.replace(
        meta,
        deps={pid: tuple(d for d in deps if d in kept) for pid, deps in meta.deps.items()
              if pid in kept},
        features={pid: tree.get((meta.packages[pid].name, meta.packages[pid].version), feats)
                  for pid, feats in meta.features.items() if pid in kept})


def root_resolution(meta: CargoMetadata, tree_argv: Sequence[str],
                    env: Mapping[str, str]) -> CargoMetadata:
    """``meta`` as the root package's build resolves it (unchanged when no sibling can matter,
    or with a warning when `cargo tree` fails)."""
    if not needs_scoping(meta):
        return meta
    proc = _run.run(tree_argv, env=env, check=False)
    if proc.returncode != 0:
        lines = [ln.strip() for ln in proc.stderr.splitlines() if ln.strip()]
        ui.warn(f"`{_run.describe(tree_argv)}` failed ({lines[0] if lines else 'no output'}); "
                "bindings are detected over the workspace's unified features, so a pyo3 "
                "dependency or feature only another member enables counts as this crate's")
        return meta
    return scoped(meta, parse_tree(proc.stdout))
