"""Update an installed editable wheel in place when only its files' contents changed.

After a Rust edit the editable wheel differs from the installed one only in the extension's
bytes: the file names, the metadata and the environment are the same. Then the changed files
are written beside their installed copies and renamed over them (a running import never sees
half a file), their RECORD rows are updated, and the installer is not run. Everything else (a
new or removed file, another version, a metadata or entry-point edit, other extras, another
python) gives another *shape* and a real install.

The shape of the last install is kept in the installed ``.dist-info`` (`SHAPE_FILE`, listed in
RECORD so that uninstalling removes it).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Optional

from rustwheel.atomic import replacing
from rustwheel.develop import record
from rustwheel.develop.installer import dist_info_dir

SHAPE_FILE = "rustwheel-develop.json"


def _replaceable(name: str, dist_info: str) -> bool:
    """Members installed as plain files under site-packages whose bytes may change in place."""
    top = name.split("/", 1)[0]
    return top != dist_info and not top.endswith(".data") and not name.endswith("/")


def shape(zf: zipfile.ZipFile, context: Sequence[str]) -> str:
    """A digest of what an install depends on besides the replaceable files' bytes: every
    member's name and mode, the metadata (RECORD aside), and `context` (python, extras)."""
    dist_info = dist_info_dir(zf.namelist())
    h = hashlib.sha256(json.dumps(list(context)).encode())
    for info in sorted(zf.infolist(), key=lambda i: i.filename):
        h.update(f"{info.filename}\0{info.external_attr >> 16:o}\0".encode())
        if not _replaceable(info.filename, dist_info) and info.filename != f"{dist_info}/RECORD":
            h.update(hashlib.sha256(zf.read(info)).digest())
    return h.hexdigest()


def _installed_shape(site: Path, dist_info: str) -> Optional[str]:
    try:
        data = json.loads((site / dist_info / SHAPE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data.get("shape") if isinstance(data, dict) else None


def update(site: Path, wheel: Path, context: Sequence[str]) -> Optional[list[str]]:
    """Replace the installed files whose bytes changed; the names replaced, or None when the
    shape differs (or nothing is installed) and the wheel needs a real install."""
    with zipfile.ZipFile(wheel) as zf:
        dist_info = dist_info_dir(zf.namelist())
        if _installed_shape(site, dist_info) != shape(zf, context):
            return None
        try:
            installed = record.read(site, dist_info)
        except OSError:
            return None
        built = record.parse(zf.read(f"{dist_info}/RECORD").decode("utf-8"))
        changed = [info for info in zf.infolist() if _replaceable(info.filename, dist_info)
                   and _stale(site / info.filename, built.get(info.filename),
                              installed.get(info.filename))]
        for info in changed:
            mode = (info.external_attr >> 16) & 0o777 or 0o644
            with zf.open(info) as src, replacing(site / info.filename, mode,
                                                 always_there=True) as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
    if changed:
        record.write(site, dist_info,
                     {**installed, **{i.filename: built[i.filename] for i in changed}})
    return [i.filename for i in changed]


def _stale(dest: Path, built: Optional[tuple[str, str]],
           installed: Optional[tuple[str, str]]) -> bool:
    if built is None or installed != built:
        return True
    try:
        return dest.stat().st_size != int(built[1])
    except (OSError, ValueError):
        return True


def remember(site: Path, wheel: Path, context: Sequence[str]) -> None:
    """After a real install: keep its shape in the installed dist-info, listed in RECORD."""
    with zipfile.ZipFile(wheel) as zf:
        dist_info = dist_info_dir(zf.namelist())
        digest = shape(zf, context)
    record.add_file(site, dist_info, f"{dist_info}/{SHAPE_FILE}",
                    (json.dumps({"shape": digest}) + "\n").encode())
