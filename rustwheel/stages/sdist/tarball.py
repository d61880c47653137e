"""A reproducible ``.tar.gz``: the same members always give the same bytes.

Members are written in the given order (the caller puts PKG-INFO first and sorts the rest), as
regular files only, with uid/gid 0, empty owner names, mode 0644 (0755 when executable), one
modification time for every member (``SOURCE_DATE_EPOCH`` or a fixed date) and a gzip header
without a name or a time. Long and non-ASCII names use PAX records. The archive is written to a
temporary file and renamed into place.
"""

from __future__ import annotations

import gzip
import io
import tarfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from rustwheel.atomic import default_mode, replacing
from rustwheel.errors import ConfigError

DEFAULT_MTIME = 1153704088
"""2006-07-23T01:21:28Z: the member time when ``SOURCE_DATE_EPOCH`` is not set."""


@dataclass(frozen=True)
class Member:
    path: str
    """Archive path, forward slashes, including the top directory."""
    data: bytes
    executable: bool = False


def member_mtime(source_date_epoch: Optional[str]) -> int:
    if source_date_epoch in (None, ""):
        return DEFAULT_MTIME
    try:
        return max(int(str(source_date_epoch)), 0)
    except ValueError:
        raise ConfigError(f"SOURCE_DATE_EPOCH={source_date_epoch!r} is not an integer number of "
                          "seconds; unset it or give a Unix timestamp") from None


def tar_bytes(members: Iterable[Member], mtime: int) -> bytes:
    """The uncompressed tar archive of ``members``, in the given order."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for m in members:
            info = tarfile.TarInfo(m.path)
            info.size = len(m.data)
            info.mtime = mtime
            info.mode = 0o755 if m.executable else 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.type = tarfile.REGTYPE
            tar.addfile(info, io.BytesIO(m.data))
    return raw.getvalue()


def write_tar_gz(destination: Path, members: Iterable[Member], mtime: int) -> None:
    """Write ``destination`` atomically."""
    data = tar_bytes(members, mtime)
    with replacing(destination, default_mode()) as fh, \
            gzip.GzipFile(filename="", mode="wb", fileobj=fh, mtime=0, compresslevel=9) as gz:
        gz.write(data)
