"""The upload stage: send wheels and sdists to a package index through its legacy upload API
(a multipart POST, as twine and PyPI speak it).

- `distfile`: read a distribution file, check it (metadata, RECORD, PKG-INFO, file name);
- `plan`: the pure part, the request's form fields from the file's metadata;
- `multipart`: the request body, streamed from the file;
- `index`: the requests (retries with backoff, redirects, answers as one-line errors);
- `existing`: is the same file already on the index (PEP 691 JSON or the simple HTML page)?
- `repository`, `credentials`, `oidc`: where to upload and as whom;
- `state`: what was already uploaded where, so an interrupted publish resumes;
- `run`: one file's upload, start to end.
"""
