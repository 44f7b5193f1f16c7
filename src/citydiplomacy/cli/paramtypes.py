"""Option types the commands share (click's, so they live in cli/)."""

from __future__ import annotations

import click

from citydiplomacy.core.sizes import parse_size


class ByteSize(click.ParamType):
    """A size in bytes written as 512M, 1G or plain bytes (parsed by citydiplomacy.core.sizes.parse_size)."""

    name = "SIZE"

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            return value
        try:
            return parse_size(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


BYTE_SIZE = ByteSize()
