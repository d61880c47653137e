"""What was uploaded where: one small file per (repository URL, file sha256), written
atomically under ``<cache dir>/uploads-v1/``, so that a publish interrupted halfway sends
only what is missing when it runs again, and an unchanged file is never sent twice."""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Optional

from rustwheel.stages.upload.index import shown_url

LAYOUT = "uploads-v1"


def state_dir(cache_dir: Optional[str], env: Mapping[str, str] = os.environ) -> Path:
    """``<cache dir>/uploads-v1`` (``--cache-dir``, else the store's default location)."""
    from rustwheel.cache.location import default_cache_dir

    root = Path(cache_dir).resolve() if cache_dir else default_cache_dir(env).resolve()
    return root / LAYOUT


def marker(directory: Path, repository_url: str, sha256: str) -> Path:
    """The file saying that the file of ``sha256`` is on ``repository_url``."""
    repo = hashlib.sha256(shown_url(repository_url).rstrip("/").encode()).hexdigest()[:32]
    return directory / repo / f"{sha256}.json"


def uploaded(directory: Path, repository_url: str, sha256: str) -> bool:
    return marker(directory, repository_url, sha256).is_file()


def record(directory: Path, repository_url: str, sha256: str, filename: str,
           how: str) -> None:
    """Remember that ``filename`` (``sha256``) is on the repository (``how``: ``uploaded`` or
    ``already there``)."""
    from rustwheel.atomic import write_bytes

    path = marker(directory, repository_url, sha256)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"repository": shown_url(repository_url), "filename": filename, "sha256": sha256,
            "how": how, "time": int(time.time())}
    write_bytes(path, (json.dumps(data, indent=1) + "\n").encode("utf-8"))
