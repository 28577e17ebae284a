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
        self.where = shorten(where, MAX_PART_LENGTH) if where is not None else None
        self.expected = expected
        self.found = shorten(found, MAX_PART_LENGTH) if found is not None else None
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
    """Several input errors found in one pass, reported together: the first
    :data:`MAX_ERRORS_SHOWN` of them, then how many more there are.

    >>> many = InputErrors([InputError("t.csv", f"row {i}", "a date") for i in range(25)])
    >>> many.message.splitlines()[-1]
    't.csv: 5 more problems like these (25 in all); the first 20 are shown.'
    """

    def __init__(self, errors: list[InputError]) -> None:
        self.errors = errors
        Exception.__init__(self, self.message)

    @property
    def message(self) -> str:  # type: ignore[override]
        shown = [e.message for e in self.errors[:MAX_ERRORS_SHOWN]]
        more = len(self.errors) - MAX_ERRORS_SHOWN
        if more > 0:
            files = {e.file for e in self.errors}
            head = (
                f"{self.errors[0].file}: "
                if len(files) == 1 and None not in files
                else ""
            )
            shown.append(
                f"{head}{more} more problems like these ({len(self.errors)} in all); "
                f"the first {MAX_ERRORS_SHOWN} are shown."
            )
        return "\n".join(shown)

    def in_file(self, file: str | Path) -> InputErrors:
        return InputErrors([e.in_file(file) for e in self.errors])


MAX_ERRORS_SHOWN = 20
"""Problems of one file shown in full; the rest are counted (a flood of bad rows
must not print a line each)."""

MAX_PART_LENGTH = 200
"""Longest key path or found value shown in a message [characters]: an input
is never echoed whole."""


def shorten(text: str, limit: int = MAX_PART_LENGTH) -> str:
    """``text`` cut to ``limit`` characters, saying how long it was.

    >>> shorten("'" + "x" * 300 + "'", 20)
    "'xxxxxxxxxxxxxx... (302 characters)"
    """
    if len(text) <= limit:
        return text
    return f"{text[: limit - 5]}... ({len(text)} characters)"


EXIT_BAD_INPUT = 2
"""Exit status of a command given bad input."""
