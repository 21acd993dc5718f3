"""`python -m implmap` runs the command line."""

from .cli import main

main()
