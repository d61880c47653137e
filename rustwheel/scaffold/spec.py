"""What a new project is: its name, bindings and layout (the options of `rustwheel new`)."""

from __future__ import annotations

from dataclasses import dataclass

from rustwheel.errors import ConfigError
from rustwheel.scaffold.names import module_name

BINDINGS = ("pyo3", "cffi", "uniffi", "bin")


@dataclass(frozen=True)
class ProjectSpec:
    name: str
    """The distribution and crate name (checked by `rustwheel.scaffold.names.check_name`)."""
    bindings: str = "pyo3"
    """pyo3, cffi, uniffi or bin."""
    mixed: bool = False
    """A python package beside the Rust extension (``python/<module>/``)."""
    src: bool = False
    """maturin's src layout: the python package in ``src/<module>/``, the crate in ``rust/``;
    implies ``mixed``."""

    @property
    def module(self) -> str:
        """The Python package (and Rust library) name."""
        return module_name(self.name)

    @property
    def has_package(self) -> bool:
        """Whether the project has a python package of its own (mixed or src layout)."""
        return self.mixed or self.src

    @property
    def extension(self) -> str:
        """The extension's dotted module name: ``<module>`` or, beside a python package,
        ``<module>._<module>``."""
        return f"{self.module}._{self.module}" if self.has_package else self.module

    @property
    def rust_dir(self) -> str:
        """Where Cargo.toml goes, relative to the project: ``rust/`` in the src layout."""
        return "rust/" if self.src else ""

    @property
    def python_dir(self) -> str:
        """The directory holding the python package (``python-source``)."""
        return "src" if self.src else "python"


def check_spec(spec: ProjectSpec) -> ProjectSpec:
    if spec.bindings not in BINDINGS:
        raise ConfigError(f"-b/--bindings '{spec.bindings}' is unknown; use one of "
                          f"{', '.join(BINDINGS)}")
    if spec.bindings == "bin" and spec.has_package:
        raise ConfigError("-b/--bindings bin has no mixed or src layout here (the wheel holds "
                          "the binary only); leave out --mixed and --src")
    return spec
