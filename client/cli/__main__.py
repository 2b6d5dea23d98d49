"""`python -m client.cli`: the same as the `yjflow` script."""

from client.cli import main

main()
