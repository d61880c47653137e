"""The SBOM of bundled libraries: ``<dist-info>/sboms/auditwheel.cdx.json`` (CycloneDX 1.4).

After a repair, the wheel carries copies of system libraries; this document names the OS
packages they came from (found with ``dpkg``), so scanners can see what was vendored. The
package's bom-ref carries the sha256 of the library's path, as maturin writes it. Libraries
no package owns (or a system without dpkg) are left out; with none left, there is no SBOM.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Optional
from urllib.parse import quote

from rustwheel import __version__, _run
from rustwheel.errors import ToolError

ARCHIVE_NAME = "auditwheel.cdx.json"


def _distro(os_release: Path = Path("/etc/os-release")) -> str:
    try:
        for line in os_release.read_text(encoding="utf-8").splitlines():
            if line.startswith("ID="):
                return line[3:].strip().strip('"') or "linux"
    except OSError:
        pass
    return "linux"


def _dpkg_owner(path: str) -> Optional[tuple[str, str]]:
    """(package, version) owning ``path``, or None."""
    if _run.which("dpkg") is None:
        return None
    try:
        owner = _run.run(["dpkg", "-S", path]).stdout.split(":", 1)[0].strip()
        if not owner:
            return None
        version = _run.run(["dpkg-query", "-W", "-f", "${Version}", owner]).stdout.strip()
    except ToolError:
        return None
    return (owner, version) if version else None


def _package(path: str, distro: str) -> Optional[dict[str, Any]]:
    real = os.path.realpath(path)
    owner = _dpkg_owner(real) or _dpkg_owner(path)
    if owner is None:
        return None
    name, version = owner
    purl = f"pkg:deb/{distro}/{name}@{quote(version, safe='')}"
    ref = f"{purl}#{hashlib.sha256(real.encode('utf-8')).hexdigest()}"
    return {"bom-ref": ref, "name": name, "purl": purl, "type": "library", "version": version}


def bundled_sbom(name: str, version: str, libraries: Iterable[str]) -> Optional[str]:
    """The SBOM text for a wheel ``name`` ``version`` that bundles ``libraries`` (their system
    paths), or None when no package owns any of them."""
    distro = _distro()
    packages = {p["bom-ref"]: p for p in (_package(lib, distro) for lib in sorted(libraries))
                if p is not None}
    if not packages:
        return None
    purl = f"pkg:pypi/{name}@{version}"
    wheel = {"bom-ref": purl, "name": name, "purl": purl, "type": "library", "version": version}
    doc = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.4",
        "version": 1,
        "metadata": {"component": wheel,
                     "tools": [{"name": "rustwheel", "version": __version__}]},
        "components": [wheel, *packages.values()],
        "dependencies": [{"ref": purl, "dependsOn": sorted(packages)},
                         *({"ref": ref} for ref in sorted(packages))],
    }
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"
