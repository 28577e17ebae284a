"""Name rules: which identifiers a case may use, and names shown to readers.

One rule for every identifier of a case (its name, and the keys naming its
options, services, councils and bases): 1 to 64 letters, digits and
underscores (:data:`SAFE_NAME`), not a name a common file system reserves
(``CON``, ``NUL``, ``COM1``... on Windows: :data:`DEVICE_NAMES`), and unique
within its kind without regard to case (``Comparison`` beside ``comparison``
would be one file on Windows and macOS).  Identifiers name run folders, report
files and the dotted paths of overrides (a ``.`` would split a path), so they
are checked when a case is read, by ``validate`` and ``run`` alike, long before
anything is written; the run folder applies its rules again as it writes.

Names meant for readers (a council's or service's ``name``, a title) may hold
any printable text; control characters (ESC, BEL...) are refused as the file is
read (:mod:`models.core.yamlio`, :mod:`models.inputs.tableio`)."""

from __future__ import annotations

import re

CONTROL_CHARACTERS = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
"""Characters never part of a name or text of an input (tab and newline
excepted): C0 and C1 control characters (ESC, BEL...) and the marks that
reorder text right to left (which can make a name read as another)."""


def control_character(text: str) -> str | None:
    """The first of :data:`CONTROL_CHARACTERS` in ``text``, as ``#x001b``; or None.

    >>> control_character("\x1b[31mCouncil"), control_character("Council A")
    ('#x001b', None)
    """
    found = CONTROL_CHARACTERS.search(text)
    return None if found is None else f"#x{ord(found.group(0)):04x}"


SAFE_NAME = re.compile(r"[A-Za-z0-9_]{1,64}")
"""Identifiers: they name folders, files and override paths, so only these."""


SAFE_NAME_RULE = "1 to 64 letters (A-Z, a-z), digits or '_'"

DEVICE_NAMES = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CLOCK$", "CONIN$", "CONOUT$"}
    | {f"{port}{n}" for port in ("COM", "LPT") for n in "0123456789"}
)
"""Names Windows reserves for devices, in any case and with any extension: a
file ``NUL.html`` cannot be written there."""


def name_problem(name: object) -> str | None:
    """None if ``name`` may name a run folder or file (:data:`SAFE_NAME`), else
    the name as it should be shown in the error message.

    >>> name_problem("status_quo") is None
    True
    >>> name_problem("../../x")
    "'../../x'"
    >>> name_problem("x" * 100)
    "'xxxxxxxxxxxxxxxxxxxx...' (100 characters)"
    >>> name_problem("Con")
    "'Con' (a name Windows reserves for a device)"
    """
    if isinstance(name, str) and SAFE_NAME.fullmatch(name):
        if name.upper() in DEVICE_NAMES:
            return f"{name!r} (a name Windows reserves for a device)"
        return None
    if not isinstance(name, str):
        return repr(name)
    if not name:
        return "an empty name"
    if len(name) > 64:
        return f"{repr(name[:20])[:-1]}...' ({len(name)} characters)"
    return repr(name)


def same_but_for_case(names: list[str]) -> list[tuple[str, str]]:
    """Pairs (earlier, later) of ``names`` that differ only in case.

    >>> same_but_for_case(["comparison", "Status_quo", "Comparison", "status_quo"])
    [('comparison', 'Comparison'), ('Status_quo', 'status_quo')]
    """
    first: dict[str, str] = {}
    pairs = []
    for name in names:
        earlier = first.setdefault(name.casefold(), name)
        if earlier != name:
            pairs.append((earlier, name))
    return pairs


def identifier_problems(kind: str, names: list[object]) -> list[tuple[str, str, str]]:
    """(key, expected, found) for each identifier of ``kind`` (``services``...)
    that breaks the rule of this module; none if all keep it.

    >>> identifier_problems("services", ["payroll", "pay.roll", "Payroll"])[0]
    ('services', "an id of 1 to 64 letters (A-Z, a-z), digits or '_', not a device name such as CON or NUL (ids name files and override paths)", "'pay.roll'")
    >>> identifier_problems("services", ["payroll", "Payroll"])[0][2]
    "'Payroll', the same as 'payroll' but for case"
    """
    problems = []
    for name in names:
        found = name_problem(name)
        if found is not None:
            # a name that keeps the characters' rule can name its key; another
            # ('../x', 'a.b') would make a key path of its own, so the kind does
            plain = isinstance(name, str) and SAFE_NAME.fullmatch(name)
            problems.append(
                (
                    f"{kind}.{name}" if plain else kind,
                    f"an id of {SAFE_NAME_RULE}, not a device name such as CON or "
                    "NUL (ids name files and override paths)",
                    found,
                )
            )
    if not problems:
        for earlier, later in same_but_for_case([str(n) for n in names]):
            problems.append(
                (
                    f"{kind}.{later}",
                    f"ids that differ in more than case (on Windows and macOS "
                    f"'{earlier}' and '{later}' name one file)",
                    f"{later!r}, the same as {earlier!r} but for case",
                )
            )
    return problems


def folder_name_problem(name: object) -> str | None:
    """None if ``name`` is one plain path component, else why not.

    >>> folder_name_problem("actuals 2010-11") is None
    True
    >>> folder_name_problem("..")
    "'..' is not a plain folder name"
    """
    if (
        not isinstance(name, str)
        or name in ("", ".", "..")
        or any(c in name for c in "/\\\x00")
        or any(ord(c) < 32 for c in name)
        or len(name.encode("utf-8", "surrogatepass")) > 200
    ):
        shown = repr(name) if len(repr(name)) <= 60 else repr(name)[:56] + "...'"
        return f"{shown} is not a plain folder name"
    return None


RESERVED_NAMES = frozenset(
    {"comparison", "monitoring", "results", "manifest", "council_tables", "uncertainty"}
)
"""Names of a run folder's own files: an option of that name would overwrite one."""


def words_of(name: str) -> str:
    """A key written as words, first letter capital: only an example for a
    message, never a name shown in a report (reports show titles).

    >>> words_of("single_business_case")
    'Single business case'
    """
    words = name.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:]
