"""Canonical JSON for stage plans: frozen dataclasses (or named tuples) in, the same out.

A plan file's bytes are its fingerprint: sorted keys, no whitespace variation, so the same plan
always gives the same file and an unchanged plan never invalidates a downstream task.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import operator
import sys
import typing
from contextlib import suppress
from pathlib import Path
from typing import Any, TypeVar, Union, get_args, get_origin

from rustwheel.atomic import write_if_changed

__all__ = ["dumps", "from_plain", "loads", "read", "to_plain", "write_if_changed"]

T = TypeVar("T")


def _is_record(cls: Any) -> bool:
    """A plan class: a dataclass, or a `typing.NamedTuple` (the classes every rebuild loads:
    a dataclass takes half a millisecond to define)."""
    return isinstance(cls, type) and (
        dataclasses.is_dataclass(cls) or (issubclass(cls, tuple) and hasattr(cls, "_fields")))


def to_plain(value: Any) -> Any:
    """The plan as plain JSON types (dicts, lists, strings, numbers)."""
    if _is_record(type(value)):
        names = _names(type(value))  # type: ignore[arg-type]  # classes are hashable
        return {name: to_plain(getattr(value, name)) for name in names}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, Path):
        return str(value)
    return value


def dumps(plan: Any) -> str:
    return json.dumps(to_plain(plan), sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def _build(tp: Any, value: Any) -> Any:
    origin = get_origin(tp)
    if origin is Union:
        if value is None:
            return None
        args = [a for a in get_args(tp) if a is not type(None)]
        return _build(args[0], value)
    if origin in (tuple, list):
        inner = get_args(tp)[0] if get_args(tp) else Any
        if isinstance(inner, type) and _flat(inner):  # thousands of `FileItem`s: no per-field work
            return _flat_items(inner, value)
        return tuple(_build(inner, v) for v in value)
    if origin is dict:
        _, vt = get_args(tp)
        return {k: _build(vt, v) for k, v in value.items()}
    if _is_record(tp):
        return from_plain(tp, value)
    if tp is Path:
        return Path(value)
    return value


@functools.cache
def _names(cls: type) -> tuple[str, ...]:
    if issubclass(cls, tuple):
        return tuple(cls._fields)  # type: ignore[attr-defined]  # a NamedTuple
    return tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]


@functools.cache
def _fields(cls: type) -> tuple[tuple[str, Any], ...]:
    """(name, resolved type) of each field: resolved once per class, not once per item (a
    plan holds one `FileItem` per file of the package)."""
    hints = typing.get_type_hints(cls, vars(sys.modules[cls.__module__]))
    return tuple((name, hints[name]) for name in _names(cls))


_SCALARS = (str, int, float, bool, type(None))


@functools.cache
def _flat(cls: type) -> bool:
    """A dataclass whose fields all hold JSON scalars (``Optional`` ones included): built
    from its plain dict as it is."""
    if not _is_record(cls):
        return False
    for _, tp in _fields(cls):
        kinds = get_args(tp) if get_origin(tp) is Union else (tp,)
        if not all(k in _SCALARS for k in kinds):
            return False
    return True


def _flat_items(cls: type, values: list[dict[str, Any]]) -> tuple[Any, ...]:
    """``cls(**v)`` for each of ``values``; for a named tuple whose every field each value
    has (what `to_plain` writes), without a Python call per item."""
    names = _names(cls)
    if issubclass(cls, tuple) and len(names) > 1:  # (one name: itemgetter gives no tuple)
        take = operator.itemgetter(*names)
        with suppress(KeyError):
            return tuple(map(functools.partial(tuple.__new__, cls), map(take, values)))
    return tuple(cls(**v) for v in values)


def from_plain(cls: type[T], data: dict[str, Any]) -> T:
    fields = _fields(cls)  # type: ignore[arg-type]  # classes are hashable
    kwargs = {name: _build(tp, data[name]) for name, tp in fields if name in data}
    return cls(**kwargs)


def loads(cls: type[T], text: str) -> T:
    return from_plain(cls, json.loads(text))


def read(cls: type[T], path: str) -> T:
    return loads(cls, Path(path).read_text(encoding="utf-8"))
