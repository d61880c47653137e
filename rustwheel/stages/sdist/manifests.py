"""Manifests rewritten so that the unpacked sdist builds on its own.

Edits keep the user's formatting and comments (tomlkit). Only what the sdist changes is touched:
the workspace's member list (members left out of the sdist would not load), a workspace root
package that is not packaged, and — when pyproject.toml moves to the top of the sdist — every
path in it, which now starts from a different directory.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import tomlkit
from tomlkit.items import Table

_WORKSPACE_ONLY = ("workspace", "profile", "patch", "replace")


def workspace_manifest(text: str, members: Sequence[str], keep_package: bool) -> str:
    """A workspace root Cargo.toml listing only ``members`` (paths relative to it).

    Without ``keep_package`` the root's own package (not part of the sdist) is dropped and only
    the workspace-wide tables stay."""
    doc = tomlkit.parse(text)
    workspace = doc.get("workspace")
    if isinstance(workspace, Table):
        array = tomlkit.array()
        array.extend(sorted(members))
        workspace["members"] = array
        if "default-members" in workspace:
            del workspace["default-members"]
    if not keep_package:
        for key in [k for k in doc if k not in _WORKSPACE_ONLY]:
            del doc[key]
    return str(tomlkit.dumps(doc))


def _prefixed(prefix: str, value: str) -> str:
    return f"{prefix}/{value}" if value not in ("", ".") else prefix


def _prefix_globs(prefix: str, entries: Any) -> None:
    """include / exclude: plain globs or tables with a ``path`` (out-dir ones stay as they are)."""
    if not isinstance(entries, list):
        return
    for i, entry in enumerate(entries):
        if isinstance(entry, str):
            entries[i] = _prefixed(prefix, entry)
        elif isinstance(entry, dict) and isinstance(entry.get("path"), str) \
                and "from" not in entry:
            entry["path"] = _prefixed(prefix, entry["path"])


def moved_pyproject(text: str, prefix: str, tool_table: str, manifest_path: str,
                    python_source: str) -> str:
    """pyproject.toml moved from ``prefix/`` (relative to the sdist top) to the top.

    ``manifest_path`` and ``python_source`` are the new values, relative to the top."""
    doc = tomlkit.parse(text)
    project = doc.get("project")
    if isinstance(project, dict):
        _move_project_paths(project, prefix)
    tool = doc.setdefault("tool", tomlkit.table())
    table_name = tool_table.split(".", 1)[1]
    table = tool.setdefault(table_name, tomlkit.table())
    table["manifest-path"] = manifest_path
    table["python-source"] = python_source
    _move_tool_paths(table, prefix)
    return str(tomlkit.dumps(doc))


def _move_project_paths(project: dict[str, Any], prefix: str) -> None:
    """``[project]``: the readme, the license file and the license-files globs."""
    readme = project.get("readme")
    if isinstance(readme, str):
        project["readme"] = _prefixed(prefix, readme)
    elif isinstance(readme, dict) and isinstance(readme.get("file"), str):
        readme["file"] = _prefixed(prefix, readme["file"])
    license_value = project.get("license")
    if isinstance(license_value, dict) and isinstance(license_value.get("file"), str):
        license_value["file"] = _prefixed(prefix, license_value["file"])
    globs = project.get("license-files")
    if isinstance(globs, list):
        for i, glob in enumerate(globs):
            globs[i] = _prefixed(prefix, str(glob))
    elif "license-files" not in project:
        # License files were found next to pyproject.toml by default: keep finding them there.
        project["license-files"] = [f"{prefix}/{g}" for g in _default_license_globs()]


def _move_tool_paths(table: dict[str, Any], prefix: str) -> None:
    """The tool table: data, include / exclude globs and the SBOM files."""
    for key in ("data",):
        if isinstance(table.get(key), str):
            table[key] = _prefixed(prefix, table[key])
    for key in ("include", "exclude"):
        _prefix_globs(prefix, table.get(key))
    sbom = table.get("sbom")
    if isinstance(sbom, dict) and isinstance(sbom.get("include"), list):
        sbom["include"] = [_prefixed(prefix, str(v)) for v in sbom["include"]]


def _default_license_globs() -> tuple[str, ...]:
    from rustwheel.spec.licenses import DEFAULT_LICENSE_GLOBS

    return tuple(DEFAULT_LICENSE_GLOBS)
