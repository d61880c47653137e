"""Files a build script wrote into its ``OUT_DIR``, for ``include = [{from = "out-dir", ...}]``.

``OUT_DIR`` is known only once cargo ran (its ``build-script-executed`` message), so the compile
stage expands these globs: it copies the matches next to the staged artifacts and writes a small
manifest (``out-dir.json``: archive path, staged copy, digest). The wheel stage depends on that
manifest and adds the staged copies. Copies, not paths into cargo's target dir, because a
compile result restored from the store must carry them too.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from rustwheel import ui
from rustwheel.atomic import replacing
from rustwheel.errors import ConfigError
from rustwheel.plan.codec import write_if_changed
from rustwheel.plan.members import OutDirInclude
from rustwheel.stages.compile.plan import MANIFEST, STAGED

__all__ = ["MANIFEST", "STAGED", "OutDirInclude", "package_name_of", "read_manifest", "stage"]

def package_name_of(package_id: str) -> str:
    """The package name in a cargo package id, old (``name 1.0 (src)``) or new spelling
    (``path+file:///dir/name#1.0``, ``registry+https://...#name@1.0``)."""
    if " " in package_id:
        return package_id.split(" ", 1)[0]
    url, _, fragment = package_id.rpartition("#")
    if "@" in fragment:
        return fragment.rsplit("@", 1)[0]
    return url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def stage(stage_dir: Path, includes: Sequence[OutDirInclude],
          out_dirs: Iterable[tuple[str, str]]) -> dict[str, Path]:
    """Copy the matches of every include into ``stage_dir/out-dir/`` and write the manifest.

    ``out_dirs`` are (package id, OUT_DIR) pairs from cargo's messages. Returns output name ->
    file for the store (the manifest included)."""
    from rustwheel.stages.wheel.globwalk import walk_glob

    by_crate: dict[str, str] = {}
    for package_id, out_dir in out_dirs:
        if out_dir:
            by_crate[package_name_of(package_id)] = out_dir
    staged_root = stage_dir / STAGED
    shutil.rmtree(staged_root, ignore_errors=True)
    entries: list[dict[str, object]] = []
    outputs: dict[str, Path] = {}
    for inc in includes:
        found = by_crate.get(inc.crate)
        if found is None:
            raise ConfigError(f"include {{path = {inc.pattern!r}, from = \"out-dir\"}}: cargo ran "
                              f"no build script for crate '{inc.crate}', so it has no OUT_DIR; "
                              "add a build.rs to it or set crate-name to a crate that has one")
        out_dir = found
        matches, _ = walk_glob(Path(out_dir), inc.pattern)
        if not matches:
            ui.warn(f"include {{path = {inc.pattern!r}, from = \"out-dir\"}} matched no "
                  f"file in the OUT_DIR of '{inc.crate}' ({out_dir})")
        for source in matches:
            rel = source.relative_to(out_dir).as_posix()
            archive = f"{inc.to}/{rel}" if inc.to else rel
            name = f"{STAGED}/{archive}"
            executable = bool(os.stat(source).st_mode & 0o100)
            dest = stage_dir / name
            with open(source, "rb") as src, replacing(dest, 0o755 if executable else 0o644) as fh:
                shutil.copyfileobj(src, fh)
            entries.append({"archive_path": archive, "staged": name, "executable": executable,
                            "sha256": _digest(dest), "crate": inc.crate})
            outputs[name] = dest
    manifest = stage_dir / MANIFEST
    text = json.dumps({"files": entries}, sort_keys=True, indent=1) + "\n"
    write_if_changed(manifest, text)
    outputs[MANIFEST] = manifest
    return outputs


@dataclass(frozen=True)
class StagedFile:
    archive_path: str
    source: str
    executable: bool
    origin: str


def read_manifest(path: Optional[str]) -> list[StagedFile]:
    """The staged OUT_DIR files listed in the manifest at ``path`` (none when ``path`` is None)."""
    if path is None:
        return []
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    base = Path(path).parent
    return [StagedFile(e["archive_path"], str(base / e["staged"]), bool(e["executable"]),
                       e.get("origin") or f"the OUT_DIR of crate '{e['crate']}'")
            for e in data["files"]]
