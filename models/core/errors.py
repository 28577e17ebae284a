"""Errors meant for people: which file, which key or row, what was found, what was expected.

Every loader raises :class:`InputError`; the command line turns it into one
paragraph on stderr and exit status 2, with no traceback and nothing written.
"""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """Bad input: names the file, the key path or row, and what was expected.

    >>> str(InputError("case.yaml", "settings.horizon_years", "an integer", "'ten'"))
    "case.yaml: settings.horizon_years: expected an integer, found 'ten'."
    """

    def __init__(
        self,
        file: str | Path | None,
        where: str | None,
        expected: str,
        found: str | None = None,
    ) -> None:
        self.file = str(file) if file is not None else None
        self.where = where
        self.expected = expected
        self.found = found
        super().__init__(self.message)

    @property
    def message(self) -> str:
        parts = [p for p in (self.file, self.where) if p]
        head = ": ".join(parts)
        body = f"expected {self.expected}"
        if self.found is not None:
            body += f", found {self.found}"
        text = f"{head}: {body}" if head else body
        return text if text.endswith(".") else text + "."

    def in_file(self, file: str | Path) -> InputError:
        """This error, naming ``file`` if it names none: for an error in the
        rows of a table, raised where the table has no file name.

        >>> str(InputError(None, "data row 2", "a date", "'x'").in_file("staff.csv"))
        "staff.csv: data row 2: expected a date, found 'x'."
        """
        if self.file is not None:
            return self
        return InputError(file, self.where, self.expected, self.found)


class InputErrors(InputError):
    """Several input errors found in one pass, reported together."""

    def __init__(self, errors: list[InputError]) -> None:
        self.errors = errors
        Exception.__init__(self, self.message)

    @property
    def message(self) -> str:  # type: ignore[override]
        return "\n".join(e.message for e in self.errors)

    def in_file(self, file: str | Path) -> InputErrors:
        return InputErrors([e.in_file(file) for e in self.errors])


EXIT_BAD_INPUT = 2
"""Exit status of a command given bad input."""
