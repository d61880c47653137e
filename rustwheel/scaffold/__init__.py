"""`rustwheel new` / `rustwheel init`: the files of a new project, planned by pure functions
(`names` checks the name, `rust` and `python` give each file's text, `layout` says which file
goes where) and written without overwriting anything (`write`)."""
