"""uniffi bindings: run uniffi-bindgen in library mode over the compiled cdylib.

The bindgen stage (``bindgen:<cell>``) runs after compile: it copies the staged library under
cargo's file name into a scratch directory, runs ``uniffi-bindgen generate --no-format
--language python --library ...`` from the crate directory (the crate's own ``uniffi-bindgen``
binary through ``cargo run`` when it has one, else the one on PATH, e.g. ``pip install
uniffi-bindgen``), and stages the generated modules plus an ``__init__.py`` that re-exports
them. The wheel stage reads the list of staged files (the same manifest format as build-script
files), so the generated names need not be known when planning.
"""
