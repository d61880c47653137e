"""The upload request's form fields, from a checked distribution (pure: no I/O).

The fields are those twine sends to the legacy upload API: ``:action``, ``protocol_version``,
``filetype``, ``pyversion``, the digests, then every core-metadata field present, lower-cased
with ``_`` (multi-valued fields repeated), and the file itself as ``content`` (added by
`rustwheel.stages.upload.multipart`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rustwheel.stages.upload.distfile import DistFile

Fields = tuple[tuple[str, str], ...]

_FORM_NAMES = {"platforms": "platform", "supported_platforms": "supported_platform",
               "license_files": "license_file"}
"""`packaging.metadata.RawMetadata` keys whose form field name differs (twine's names)."""


@dataclass(frozen=True)
class UploadPlan:
    """One file's upload request, without its body's bytes or the credentials."""

    path: str
    filename: str
    fields: Fields
    sha256: str
    size: int


def _values(key: str, value: Any) -> list[str]:
    if key == "keywords":
        return [", ".join(value)]
    if key == "project_urls":
        return [f"{label}, {url}" for label, url in value.items()]
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]


def metadata_fields(raw: Mapping[str, Any]) -> Fields:
    """The metadata's form fields, in a fixed order (multi-valued fields repeated)."""
    out: list[tuple[str, str]] = []
    for key in sorted(raw):
        name = _FORM_NAMES.get(key, key)
        out += [(name, v) for v in _values(key, raw[key])]
    return tuple(out)


def plan(dist: DistFile) -> UploadPlan:
    """The upload of ``dist`` (its metadata parsed again: checked when it was read)."""
    from packaging.metadata import parse_email

    raw, _ = parse_email(dist.metadata)
    head: Fields = ((":action", "file_upload"), ("protocol_version", "1"),
                    ("filetype", dist.filetype), ("pyversion", dist.pyversion),
                    ("sha256_digest", dist.sha256), ("blake2_256_digest", dist.blake2_256))
    return UploadPlan(dist.path, dist.filename, head + metadata_fields(dict(raw)), dist.sha256,
                      dist.size)
