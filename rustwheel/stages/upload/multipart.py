"""A ``multipart/form-data`` body streamed from the file: the form fields and the part
headers are small and built in memory, the file's bytes are read and sent in chunks, so a
large wheel is never held in memory. Its length is known beforehand (``Content-Length``)."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from rustwheel.errors import RustwheelError
from rustwheel.stages.upload.plan import Fields

CHUNK = 256 * 1024


class FileChanged(RustwheelError):
    """The file could not be read, or changed, while it was being sent (not retried)."""


@dataclass(frozen=True)
class Body:
    """The parts around the file's bytes."""

    boundary: str
    head: bytes
    """The form fields and the ``content`` part's headers."""
    path: str
    size: int
    """The file's size."""
    tail: bytes

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    @property
    def length(self) -> int:
        return len(self.head) + self.size + len(self.tail)


def _quoted(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", " ").replace("\n", " ")


def _field(boundary: str, name: str, value: str) -> bytes:
    return (f'--{boundary}\r\nContent-Disposition: form-data; name="{_quoted(name)}"\r\n\r\n'
            f"{value}\r\n").encode()


def body(fields: Fields, path: str, size: int, boundary: str = "") -> Body:
    """The body for ``fields`` and the file at ``path`` (``size`` bytes) as ``content``."""
    boundary = boundary or f"rustwheel-{secrets.token_hex(16)}"
    head = b"".join(_field(boundary, name, value) for name, value in fields)
    head += (f'--{boundary}\r\nContent-Disposition: form-data; name="content"; '
             f'filename="{_quoted(Path(path).name)}"\r\n'
             "Content-Type: application/octet-stream\r\n\r\n").encode()
    return Body(boundary, head, path, size, f"\r\n--{boundary}--\r\n".encode("ascii"))


def chunks(b: Body, progress: Callable[[int], None] = lambda sent: None) -> Iterator[bytes]:
    """The body's bytes in chunks; ``progress`` gets the file bytes sent so far."""
    yield b.head
    sent = 0
    for chunk in _file_chunks(b.path):
        sent += len(chunk)
        yield chunk
        progress(sent)
    if sent != b.size:
        raise FileChanged(f"{b.path} changed while it was being uploaded; run again")
    yield b.tail


def _file_chunks(path: str) -> Iterator[bytes]:
    try:
        with open(path, "rb") as f:
            while chunk := f.read(CHUNK):
                yield chunk
    except OSError as exc:
        raise FileChanged(f"{path}: cannot be read ({exc.strerror}) while uploading it; "
                          "run again") from None
