"""rustwheel: build Python wheels from Rust crates as an incremental doit task graph."""

__version__ = "0.1.0"
