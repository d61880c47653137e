"""The content-addressed build cache: `keys` (pure hashing), `store` (the Store interface and the
local store), `maintenance` (stats / verify / gc / clear); `layout` and `entries` hold the on-disk
formats."""
