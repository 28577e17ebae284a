"""``python -m models`` is the ``sharedcase`` command."""

from models.cli import main

main()
