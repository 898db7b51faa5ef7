"""What the server's and the client's command lines share (neither shell imports the other)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TypeVar

Number = TypeVar("Number", int, float)


def within(
    convert: Callable[[str], Number], low: int, high: int | None = None
) -> Callable[[str], Number]:
    """An argparse type: ``convert``, then refuse a value outside ``low`` to ``high``."""

    def parse(text: str) -> Number:
        value = convert(text)
        if value < low or (high is not None and value > high):
            bounds = f"{low} or more" if high is None else f"{low} to {high}"
            raise argparse.ArgumentTypeError(f"must be {bounds}: {text}")
        return value

    parse.__name__ = convert.__name__  # argparse names it in "invalid int value"
    return parse
