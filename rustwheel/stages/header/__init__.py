"""The header stage (cffi only): the crate's C header, then cffi's ``ffi.py`` for the wheel.

The header is ``<cargo target dir>/header.h`` when it exists after compiling (a build script
wrote it), else cbindgen's output for the crate (see `rustwheel.stages.header.cbindgen`).
``ffi.py`` is made by the *target* interpreter: ``ffi.cdef(header)`` then cffi's
``recompiler.make_py_source``. Both are staged under the state dir and kept byte-stable, so
the wheel is rewritten only when ``ffi.py`` really changed.

The inputs (manifests, ``Cargo.lock``, ``cbindgen.toml``, the crate's ``.rs`` files, or the
existing header) are recorded after each run like the compile stage's, and whether
``cbindgen.toml`` and ``<target dir>/header.h`` exist is part of the record's fingerprint.
"""
