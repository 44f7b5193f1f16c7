"""Allow ``python -m citydiplomacy``."""

from citydiplomacy.cli import main

main()
