"""`python -m pipeline` does what the `mizan` command does."""

from .cli import main

main()
