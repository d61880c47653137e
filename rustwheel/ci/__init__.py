"""`rustwheel generate-ci github`: a GitHub Actions release workflow for the crate, planned by
pure functions (`settings` validates the options, `matrix` turns the crate's facts into
rustwheel cells per job, `github` lays out the workflow, `yaml` writes it as text) around one
probe of the crate (`facts`)."""
