"""One exception type and the documented exit codes, so every command fails the same way.

Exit codes (also in the README):
  0  success / the data conforms / the ontology is consistent
  1  a negative answer: the data does not conform, the ontology is inconsistent
  2  bad input or usage: unreadable file, unknown format, bad option, unreachable endpoint
  3  internal error (a bug): one line on stderr; set CITYDIP_DEBUG=1 for the traceback
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3


class CitydipError(Exception):
    """A user-facing error: the command line prints it as one line ``Error: ...`` and exits
    with *exit_code*; a library user catches it like any exception (it knows no CLI)."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, message: str, exit_code: int = EXIT_BAD_INPUT):
        # Keep it to one line whatever the cause text holds.
        self.message = " ".join(str(message).split())
        super().__init__(self.message)
        self.exit_code = exit_code
