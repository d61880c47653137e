"""The compile stage: `cargo rustc` per cargo target, artifacts staged under the state dir.

The plan is pure data (argv, environment overrides, where artifacts go); `run()` invokes cargo,
reads the artifact paths from cargo's JSON messages, copies each artifact to its staged name
atomically, and records the files cargo actually read (dep-info) as this stage's inputs.
"""
