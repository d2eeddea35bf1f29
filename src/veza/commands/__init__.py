"""The `veza` command's groups beyond serving (cli.py registers them): `common.py` what every
command shares, `marketplace.py`, `maintenance.py` (search reindex, audit verify) and
`library.py` (import, subsonic)."""
