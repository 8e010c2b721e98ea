"""`python -m app.cli`: the same as the `mrvrs` command (the tests start workers this way)."""

from app.cli import main

main()
