"""Name rules: which case and option names may name run folders and report files.

A case's name names its run folder and each option's name names its report
files, so names are checked when a case is read, long before anything is
written; the run folder applies the same rules again as it writes."""

from __future__ import annotations

import re

SAFE_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
"""Case and option names: they name folders and files, so only these."""


SAFE_NAME_RULE = "1 to 64 letters (A-Z, a-z), digits, '_' or '-'"


def name_problem(name: object) -> str | None:
    """None if ``name`` may name a run folder or file (:data:`SAFE_NAME`), else
    the name as it should be shown in the error message.

    >>> name_problem("status_quo") is None
    True
    >>> name_problem("../../x")
    "'../../x'"
    >>> name_problem("x" * 100)
    "'xxxxxxxxxxxxxxxxxxxx...' (100 characters)"
    """
    if isinstance(name, str) and SAFE_NAME.fullmatch(name):
        return None
    if not isinstance(name, str):
        return repr(name)
    if not name:
        return "an empty name"
    if len(name) > 64:
        return f"{repr(name[:20])[:-1]}...' ({len(name)} characters)"
    return repr(name)


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
