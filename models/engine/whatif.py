"""What-if: an option of a case with a few assumptions changed, answered at once.

A finance lead asks "what if the savings came in 10% lower?" of an option and
wants the NPV back while the question is still in mind.  :class:`WhatIf` holds
one option of a case (or its baseline), validated once, and
:meth:`WhatIf.evaluate` takes changes written exactly as an option's
``overrides`` are (dotted paths, ``*`` for every key at a level) and returns
the option's figures as ``results.json`` gives them.

A what-if is an option like any other: its changes are applied to the option's
own assumptions with :func:`models.inputs.case.apply_overrides` and checked by
:func:`models.engine.cases.option_case`, so a misspelt path or a bad value is
refused with the message a case file would get, naming the path
(``options.what_if.overrides.<path>``).  The figures come from
:func:`models.engine.projection.run_option` and
:func:`models.engine.results.option_json`: there is no second formula here.

:meth:`WhatIf.save_option` writes the what-if into the case file as a new
option (:func:`models.inputs.case_file.add_option`: comments, key order and
quoting kept), which ``sharedcase run`` then runs like any other.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from models.core.errors import InputError
from models.core.names import SAFE_NAME_RULE, name_problem
from models.core.paths import resolve_input
from models.core.yamlio import describe
from models.engine import cases
from models.engine.loading import load_case
from models.engine.projection import OptionResult, run_option
from models.engine.results import option_json
from models.inputs.case import Case, Option
from models.inputs.case_file import add_option

WHAT_IF = "what_if"
"""The name a what-if goes by while it is evaluated (it names no report file)."""


class WhatIf:
    """One option of a case (or its baseline), to be evaluated with changes.

    >>> case_file = "scenarios/bromsgrove_redditch_2011.yaml"
    >>> what_if = WhatIf.from_file(case_file, "single_business_case")
    >>> lower = what_if.evaluate({"settings.optimism_bias.savings": 0.15})
    >>> lower["npv"] < what_if.evaluate({})["npv"]
    True
    """

    def __init__(self, case: Case, option: str | None = None) -> None:
        """What-ifs of ``option`` of the validated ``case`` (its baseline if None)."""
        self.case = case
        self.option = option
        self._option_case = (
            case if option is None else cases.option_case(case, option)
        )  # an unknown option is an InputError naming the options of the case
        self._raw = getattr(self._option_case, "_raw", None) or (
            self._option_case.model_dump(mode="json")
        )

    @classmethod
    def from_file(cls, case_path: str | Path, option: str | None = None) -> WhatIf:
        """Read and validate the case file once (as ``sharedcase validate`` does)
        and hold ``option`` (the case's baseline if None).

        A relative path is tried as given, then from the project root, as the
        notebooks find theirs (:func:`models.core.paths.resolve_input`).
        """
        return cls(load_case(resolve_input(case_path, must_exist=False)), option)

    @property
    def overrides(self) -> dict[str, Any]:
        """The option's own overrides of the baseline ({} for the baseline)."""
        if self.option is None:
            return {}
        return dict(self.case.options[self.option].overrides)

    def run(self, overrides: Mapping[str, Any] | None = None) -> OptionResult:
        """The option with ``overrides`` applied, projected as ``sharedcase run``
        projects an option (arrays, long table, summaries)."""
        return run_option(self._what_if_case(overrides or {}), WHAT_IF)

    def evaluate(self, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The option's ``results.json`` figures with ``overrides`` applied.

        ``overrides`` maps dotted paths to values exactly as an option's
        ``overrides`` do (``{"settings.optimism_bias.savings": 0.1}``,
        ``{"services.*.enabled": False}``); they apply on top of the option's
        own.  Returns ``npv``, ``npv_economic`` [GBP], ``payback_year``,
        ``target_window_savings``, ``target_window_net_savings`` [GBP],
        ``net_savings_by_year`` [GBP by financial year] and ``councils``
        (the same for each council), as in ``results.json``.  Raises
        :class:`InputError` naming the path of a bad override.
        """
        return option_json(self.run(overrides))

    def save_option(
        self,
        name: str,
        title: str,
        description: str,
        overrides: Mapping[str, Any],
    ) -> Path:
        """Write this what-if into the case file as the new option ``name``.

        The option's overrides are this option's own followed by ``overrides``
        (which win where both set a path), so the saved option gives what
        :meth:`evaluate` gives.  ``title`` is the option's short name for the
        reader (``options.<name>.title``).

        The what-if is evaluated first; the new file must then load as
        :func:`models.engine.loading.load_case` loads a case before it replaces
        the old one.  Raises :class:`InputError` for a name that cannot name
        report files (:mod:`models.core.names`), an option that exists already
        (naming ``options.<name>``), or a bad override; nothing is written then.
        Returns the path of the case file.
        """
        path = self._case_file()
        found = name_problem(name)
        if found is not None:
            raise InputError(
                path,
                "options",
                f"an option name of {SAFE_NAME_RULE} (it names report files)",
                found,
            )
        self.evaluate(overrides)  # a bad override fails here, as a what-if
        option = {
            "title": title.strip(),
            "description": description.strip(),
            "overrides": self.saved_overrides(overrides),
        }
        if not option["overrides"]:
            del option["overrides"]
        add_option(path, name, option, check=load_case)
        return path

    def saved_overrides(self, overrides: Mapping[str, Any]) -> dict[str, Any]:
        """The overrides of the baseline that make this option with ``overrides``.

        The option's own, less the paths ``overrides`` sets again, then
        ``overrides`` in their order: applied one after another to the baseline
        they end where the what-if ends.
        """
        changes = _checked(overrides)
        own = {k: v for k, v in self.overrides.items() if k not in changes}
        return own | changes

    def _what_if_case(self, overrides: Mapping[str, Any]) -> Case:
        """The option's case carrying the what-if as its one option.

        :func:`models.engine.cases.option_case` applies the what-if to the
        option's merged assumptions (``_raw``) and validates the result, naming
        the case file (``_source``), as it does every option of a case file.
        """
        what_if = Option(
            title="What-if", description="What-if.", overrides=_checked(overrides)
        )
        carrier = self._option_case.model_copy(update={"options": {WHAT_IF: what_if}})
        carrier._raw = self._raw  # type: ignore[attr-defined]
        carrier._source = getattr(self._option_case, "_source", None)  # type: ignore[attr-defined]
        carrier._option_cache = {}  # type: ignore[attr-defined]
        return carrier

    def _case_file(self) -> Path:
        source = getattr(self.case, "_source", None)
        if source is None:
            raise InputError(
                None,
                None,
                "a case read from a file (WhatIf.from_file) to save an option into",
                "a case with no file",
            )
        return Path(source)


def _checked(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Overrides as a dict keyed by dotted path; anything else is an InputError."""
    if not isinstance(overrides, Mapping):
        raise InputError(
            None,
            "overrides",
            "a mapping of dotted paths to values, as an option's overrides",
            describe(overrides),
        )
    return {str(path): value for path, value in overrides.items()}
