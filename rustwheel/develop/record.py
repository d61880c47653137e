"""An installed distribution's RECORD (site-packages/<dist-info>/RECORD): read, rewrite, and
files rustwheel adds after the install, listed with their hash so that uninstalling removes
them and pip's checks agree."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from pathlib import Path

from rustwheel.atomic import write_bytes
from rustwheel.spec.wheelfile import record_hash

Rows = dict[str, tuple[str, str]]
"""RECORD's rows: path relative to site-packages -> (``sha256=...`` or "", size or "")."""


def parse(text: str) -> Rows:
    return {row[0]: (row[1], row[2]) for row in csv.reader(io.StringIO(text)) if len(row) >= 3}


def read(site: Path, dist_info: str) -> Rows:
    """The rows; OSError when the distribution is not installed there."""
    return parse((site / dist_info / "RECORD").read_text(encoding="utf-8"))


def write(site: Path, dist_info: str, rows: Mapping[str, tuple[str, str]]) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for name, (digest, size) in rows.items():
        writer.writerow([name, digest, size])
    write_bytes(site / dist_info / "RECORD", out.getvalue().encode("utf-8"), always_there=True)


def add_file(site: Path, dist_info: str, name: str, data: bytes) -> None:
    """Write ``site/name`` and list it in the distribution's RECORD (nothing is written when
    the distribution is not installed in ``site``)."""
    try:
        rows = read(site, dist_info)
    except OSError:
        return
    write_bytes(site / name, data, always_there=True)  # the interpreter may be reading it
    rows[name] = (record_hash(data), str(len(data)))
    write(site, dist_info, rows)
