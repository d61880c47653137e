"""Action entries: the manifest of one stage run's outputs, and its checksummed JSON form.

An action file is the canonical JSON of ``{"body": {...}, "checksum": sha256(canonical body)}``.
The body names its own key, so an entry copied to the wrong place is caught too.
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath
from typing import Any, NamedTuple

from rustwheel.cache.keys import canonical_json, digest_bytes
from rustwheel.cache.layout import CorruptEntry, is_digest

ENTRY_FORMAT = 1


class OutputFile(NamedTuple):
    """One output file of a stage, stored as a blob."""

    name: str
    """The path relative to the stage's output directory, with forward slashes."""
    digest: str
    """The sha256 of the file's contents (the blob's address)."""
    size: int
    """The uncompressed size in bytes."""
    executable: bool
    """Restored with mode 0755 if true, else 0644."""
    parts: tuple[str, ...] = ()
    """A zip stored as a recipe (`rustwheel.cache.recipe`): the blobs of its large members;
    ``digest`` then names the recipe blob."""


class ActionEntry(NamedTuple):
    """What a cached stage run produced."""

    stage: str
    outputs: tuple[OutputFile, ...]
    meta: dict[str, Any]
    """JSON-able extras (e.g. the input files cargo's dep-info named)."""


def check_output_name(name: str) -> str:
    """`name` if it is a clean relative path with forward slashes; ValueError otherwise."""
    parts = name.split("/")
    if (not name or "\\" in name or "\0" in name or PurePosixPath(name).is_absolute()
            or any(p in ("", ".", "..") for p in parts)):
        raise ValueError(f"invalid cache output name {name!r}: expected a relative path "
                         "with forward slashes and no '.' or '..' parts")
    return name


def encode_action(key: str, entry: ActionEntry) -> bytes:
    """The action file for `entry` stored under `key`."""
    body = {
        "format": ENTRY_FORMAT,
        "key": key,
        "stage": entry.stage,
        "outputs": [{"name": o.name, "digest": o.digest, "size": o.size,
                     "executable": o.executable, **({"parts": list(o.parts)} if o.parts else {})}
                    for o in entry.outputs],
        "meta": entry.meta,
    }
    checksum = digest_bytes(canonical_json(body))
    return canonical_json({"body": body, "checksum": checksum}) + b"\n"


def decode_action(raw: bytes, key: str) -> ActionEntry:
    """The entry in an action file, verified; CorruptEntry says what is wrong otherwise."""
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise CorruptEntry(f"not valid JSON ({exc})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("body"), dict):
        raise CorruptEntry("no entry body")
    body: dict[str, Any] = doc["body"]
    try:
        expected = digest_bytes(canonical_json(body))
    except (TypeError, ValueError) as exc:
        raise CorruptEntry(f"body cannot be re-encoded ({exc})") from None
    if doc.get("checksum") != expected:
        raise CorruptEntry("checksum mismatch")
    if body.get("format") != ENTRY_FORMAT:
        raise CorruptEntry(f"unknown entry format {body.get('format')!r}")
    if body.get("key") != key:
        raise CorruptEntry(f"entry is for key {body.get('key')!r}")
    stage, outputs, meta = body.get("stage"), body.get("outputs"), body.get("meta")
    if not isinstance(stage, str) or not isinstance(outputs, list) or not isinstance(meta, dict):
        raise CorruptEntry("malformed entry body")
    return ActionEntry(stage, tuple(_decode_output(o) for o in outputs), meta)


def _decode_output(obj: object) -> OutputFile:
    if not isinstance(obj, dict):
        raise CorruptEntry("malformed output record")
    name, digest, size, executable = (obj.get("name"), obj.get("digest"), obj.get("size"),
                                      obj.get("executable"))
    parts = obj.get("parts", [])
    if (not isinstance(name, str) or not isinstance(digest, str) or not is_digest(digest)
            or not isinstance(size, int) or isinstance(size, bool) or size < 0
            or not isinstance(executable, bool) or not isinstance(parts, list)
            or not all(isinstance(p, str) and is_digest(p) for p in parts)):
        raise CorruptEntry("malformed output record")
    try:
        check_output_name(name)
    except ValueError as exc:
        raise CorruptEntry(str(exc)) from None
    return OutputFile(name, digest, size, executable, tuple(parts))


def referenced_digests(entry: ActionEntry) -> set[str]:
    """The blobs an entry needs."""
    return {d for o in entry.outputs for d in (o.digest, *o.parts)}
