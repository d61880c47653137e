"""Source distributions: which files go in (`files`), the manifests rewritten so the sdist builds
on its own (`manifests`), the reproducible archive (`tarball`) and unpacking it again (`unpack`).

The stage that ties them together is `rustwheel.stages.sdist`.
"""
