"""rustwheel's own state files: stage records, stamps and per-file indexes.

A rebuild reads and writes several of them, and in a package of 3,000 python files each holds
thousands of entries. They hold plain data only (dicts, lists, strings, numbers, booleans,
None, bytes), in `marshal`'s version 4 format, which every Python from 3.4 on reads: json took
6 times as long to write them and twice as long to read them, a tenth of such a rebuild.

Each file starts with a header: a magic string naming this format, the length of the data and
its CRC-32. A file without it (another format, truncated, damaged) reads as None, like a missing
one: these files are caches and records of past runs, and whatever reads one then does the work
again. They are written atomically (`rustwheel.atomic`).

To look into one: ``python -c "import marshal,sys; print(marshal.loads(open(sys.argv[1],
'rb').read()[16:]))" FILE``.

Standard library only (the no-op check and the auto-rebuild hook read these files).
"""

from __future__ import annotations

import marshal
import struct
from zlib import crc32

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time (the auto-rebuild hook's first import)
    from pathlib import Path
    from typing import Any, Optional

SUFFIX = ".state"
_HEADER = struct.Struct("<8sLL")
_MAGIC = b"rwstate1"
_VERSION = 4
"""marshal's format version: fixed, so that every supported Python reads every file."""


def encode(data: object) -> bytes:
    body = marshal.dumps(data, _VERSION)  # type: ignore[arg-type]  # plain data (checked)
    return _HEADER.pack(_MAGIC, len(body), crc32(body)) + body


def decode(blob: bytes) -> Optional[Any]:
    """The data of a state file's bytes; None when they are not a whole state file."""
    if len(blob) < _HEADER.size:
        return None
    magic, length, check = _HEADER.unpack_from(blob)
    body = memoryview(blob)[_HEADER.size:]
    if magic != _MAGIC or len(body) != length or crc32(body) != check:
        return None
    try:
        return marshal.loads(body)
    except (EOFError, ValueError, TypeError):
        return None


def read(path: Path) -> Optional[Any]:
    """The data of the state file at ``path``; None when it is missing or not whole."""
    try:
        with open(path, "rb") as fh:
            return decode(fh.read())
    except OSError:
        return None


def write(path: Path, data: object, always_there: bool = False) -> None:
    """Write ``data`` to ``path`` atomically (``always_there`` as for
    `rustwheel.atomic.replacing`)."""
    from rustwheel.atomic import write_bytes

    write_bytes(path, encode(data), always_there=always_there)
