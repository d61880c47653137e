"""The Cargo package values (from ``cargo metadata``) that maturin maps to core metadata."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rustwheel.errors import ConfigError
from rustwheel.spec.licenses import LicenseFile, license_file_entry
from rustwheel.spec.metadata_files import is_within


class CargoFields:
    """The Cargo-side values maturin maps to core metadata."""

    def __init__(self, package: Mapping[str, Any], manifest_dir: Path) -> None:
        self.package = package
        self.manifest_dir = manifest_dir

    @staticmethod
    def where(key: str) -> str:
        return f"Cargo.toml: [package] {key!r}"

    def optional_string(self, key: str) -> str | None:
        value = self.package.get(key)
        return value if isinstance(value, str) and value else None

    def _strings(self, key: str) -> list[str]:
        value = self.package.get(key) or []
        return [str(item) for item in value]

    def summary(self) -> str | None:
        # Summary is one line: fold Cargo's (possibly multi-line) description onto one.
        text = (self.optional_string("description") or "").strip()
        return re.sub(r"\s*\n\s*", " ", text) or None

    def authors(self) -> str | None:
        return ", ".join(self._strings("authors")) or None

    def keywords(self) -> str | None:
        return ",".join(self._strings("keywords")) or None

    def project_urls(self) -> list[tuple[str, str]]:
        labels = (("Homepage", "homepage"), ("Documentation", "documentation"),
                  ("Source Code", "repository"))  # fmt: skip
        return [
            (label, url) for label, key in labels if (url := self.optional_string(key)) is not None
        ]

    def dynamic_values(self) -> dict[str, str | None]:
        """What Cargo.toml gives for the keys ``[project] dynamic`` may take from it."""
        from rustwheel.spec.version import cargo_version_to_pep440

        urls = ", ".join(f"{label}: {url}" for label, url in self.project_urls())
        return {
            "version": cargo_version_to_pep440(str(self.package["version"])),
            "description": self.summary(), "authors": self.authors(),
            "keywords": self.keywords(), "license": self.optional_string("license"),
            "urls": urls or None, "readme": self.optional_string("readme"),
        }

    def license_file(self, base_dir: Path, allowed_root: Path) -> LicenseFile | None:
        value = self.optional_string("license_file")
        if value is None:
            return None
        path = self.manifest_dir / value
        if not path.is_file():
            raise ConfigError(
                f"{self.where('license-file')} file {path} does not exist; "
                "create it or fix the path")
        if not is_within(path, allowed_root):
            raise ConfigError(
                f"{self.where('license-file')} {path} is outside {allowed_root}; move it inside "
                "the workspace"
            )
        return license_file_entry(path, base_dir)
