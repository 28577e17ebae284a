"""How a command reports bad input: one paragraph on stderr, exit status 2, no traceback."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from typing import Any

import click

from models.core.errors import EXIT_BAD_INPUT, InputError


def reports_input_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn InputError into a message on stderr and exit status 2."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            click.echo(f"error: {exc.message}", err=True)
            sys.exit(EXIT_BAD_INPUT)

    return wrapper
