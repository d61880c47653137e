"""The wheel stage: package files, staged artifacts and metadata into a reproducible wheel."""
