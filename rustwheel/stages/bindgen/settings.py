"""``[bindings.python]`` of a uniffi crate's ``uniffi.toml``, as the bindgen plan uses it (pure:
the detect stage reads the file)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Optional


@dataclass(frozen=True)
class UniffiSettings:
    config: Optional[str] = None
    """``uniffi.toml`` beside Cargo.toml, when there is one."""
    cdylib_name: Optional[str] = None
    """``cdylib_name``: the library's name in the wheel (``lib<name>.so``)."""
    external: tuple[str, ...] = ()
    """``external_packages`` keys: generated modules not to ship."""

    def library_filename(self, lib_name: str) -> str:
        """The library's name in the wheel: ``cdylib_name`` when set, else cargo's."""
        return f"lib{self.cdylib_name or lib_name}.so"


def settings_from(config: Optional[str], document: Mapping[str, Any]) -> UniffiSettings:
    """The settings in ``document``, the parsed ``uniffi.toml`` at ``config``."""
    section = document.get("bindings", {}).get("python", {})
    if not isinstance(section, dict):
        section = {}
    name = section.get("cdylib_name")
    external = section.get("external_packages") or {}
    return UniffiSettings(config, name if isinstance(name, str) and name else None,
                          tuple(sorted(external)) if isinstance(external, dict) else ())
