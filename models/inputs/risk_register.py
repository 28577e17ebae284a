"""Risk registers: the schema of a risk register file and its strict reader.

The arithmetic on a register (scores, the table, links that widen a parameter's
distribution) is in :mod:`models.model.risks`."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator

from models.core.errors import InputError, InputErrors
from models.core.yamlio import describe, load_yaml
from models.inputs.pydantic_errors import validation_errors
from models.inputs.quantities import Money, Number, Strict, WholeNumber
from models.inputs.uncertainty_spec import UncertaintySpec

LIKELIHOOD = {1: "low", 2: "medium", 3: "significant", 4: "high"}
"""Likelihood ratings (seed 002 Appendix A, seed 000 Appendix B)."""


IMPACT = {1: "low", 2: "marginal", 3: "major", 4: "critical"}
"""Impact ratings (seed 002 Appendix A, seed 000 Appendix B)."""


def _rating(v: Any, scale: dict[int, str]) -> Any:
    """A rating given as 1-4 or as its word (``significant``)."""
    if isinstance(v, str):
        words = {w: k for k, w in scale.items()}
        if v.strip().lower() in words:
            return words[v.strip().lower()]
        raise ValueError(
            "expected a rating 1-4 or one of "
            + ", ".join(f"{k} {w}" for k, w in scale.items())
        )
    if isinstance(v, bool):
        raise ValueError("expected a rating 1-4, found a yes/no value")
    return v


class Risk(Strict):
    """One row of a risk register.

    ``owner``: who manages the risk; ``mitigation``: what is done about it;
    ``exposure``: the money at stake if it happens [GBP] (optional, with its
    source: ``{value: 50000, unit: GBP, source: ...}``)."""

    ref: WholeNumber | str
    risk: str
    likelihood: WholeNumber | None = Field(default=None, ge=1, le=4)
    impact: WholeNumber | None = Field(default=None, ge=1, le=4)
    score: WholeNumber | None = Field(default=None, ge=1, le=16)
    mitigation: str | None = None
    owner: str | None = None
    exposure: Money | None = None
    parameter: str | None = None
    widen: Number | None = Field(default=None, ge=0)
    score_discrepancy: str | None = None
    note: str | None = None

    @field_validator("likelihood", mode="before")
    @classmethod
    def _likelihood_word(cls, v: Any) -> Any:
        return _rating(v, LIKELIHOOD)

    @field_validator("impact", mode="before")
    @classmethod
    def _impact_word(cls, v: Any) -> Any:
        return _rating(v, IMPACT)

    @property
    def computed_score(self) -> int | None:
        """``likelihood x impact``; None if a rating is missing."""
        if self.likelihood is None or self.impact is None:
            return None
        return self.likelihood * self.impact


class RiskRegister(Strict):
    """A risk register file."""

    kind: Literal["risk_register"] = "risk_register"
    name: str
    title: str
    date: dt.date | None = None
    source: str
    description: str | None = None
    risks: list[Risk]


@dataclass(frozen=True)
class RiskProblem:
    """A problem in one row: which row and key, what was expected and found."""

    row: int  # 1-based position in the file
    ref: int | str
    key: str
    expected: str
    found: str
    acknowledged: bool

    @property
    def where(self) -> str:
        return f"row {self.row} (ref {self.ref}), column {self.key}"


def register_problems(register: RiskRegister) -> list[RiskProblem]:
    """Rows with a missing rating or a stated score that is not likelihood x impact.

    A mismatch recorded in the row's ``score_discrepancy`` is reported as
    acknowledged; a missing rating never is (nothing can be scored without it).

    >>> reg = RiskRegister(name="r", title="t", source="s", risks=[
    ...     {"ref": 1, "risk": "a", "likelihood": 2, "impact": 3, "score": 6},
    ...     {"ref": 2, "risk": "b", "likelihood": 2, "score": 8}])
    >>> [p.where for p in register_problems(reg)]
    ['row 2 (ref 2), column impact']
    """
    out: list[RiskProblem] = []
    for n, r in enumerate(register.risks, start=1):
        for key, scale in (("likelihood", LIKELIHOOD), ("impact", IMPACT)):
            if getattr(r, key) is None:
                stated = (
                    f" (the stated score {r.score} is not used to fill it in)"
                    if r.score is not None
                    else ""
                )
                out.append(
                    RiskProblem(
                        n,
                        r.ref,
                        key,
                        "a rating 1-4 ("
                        + ", ".join(f"{k} {w}" for k, w in scale.items())
                        + ")",
                        f"no {key} rating" + stated,
                        False,
                    )
                )
        computed = r.computed_score
        if computed is not None and r.score is not None and r.score != computed:
            out.append(
                RiskProblem(
                    n,
                    r.ref,
                    "score",
                    f"likelihood x impact = {r.likelihood} x {r.impact} = {computed}",
                    str(r.score),
                    r.score_discrepancy is not None,
                )
            )
        if r.score_discrepancy is not None and (
            computed is None or r.score is None or r.score == computed
        ):
            out.append(
                RiskProblem(
                    n,
                    r.ref,
                    "score_discrepancy",
                    "a note only where the stated score differs from likelihood x impact",
                    "a note on a row whose score agrees",
                    False,
                )
            )
    return out


def risk_register_from_dict(raw: Any, source: str | Path | None = None) -> RiskRegister:
    """Validate a register held as a dict; raise InputErrors for every unacknowledged
    problem (missing rating, score not L x I), naming the row and the key."""
    if not isinstance(raw, dict):
        raise InputError(
            source, None, "a mapping with 'kind: risk_register'", describe(raw)
        )
    try:
        register = RiskRegister.model_validate(raw)
    except ValidationError as exc:
        raise validation_errors(exc, source, RiskRegister) from None
    problems = [p for p in register_problems(register) if not p.acknowledged]
    if problems:
        raise InputErrors(
            [InputError(source, p.where, p.expected, p.found) for p in problems]
        )
    return register


def load_risk_register(path: str | Path) -> RiskRegister:
    """Load and check a ``kind: risk_register`` file (see the module docstring).

    A file read already and unchanged since (same size and modification time)
    is not parsed again: every option of a case, and every step of an NPV
    bridge, checks the same register.
    """
    path = Path(path)
    try:
        stat = path.stat()
    except OSError:  # the reader names the file and the problem
        return risk_register_from_dict(load_yaml(path), source=path)
    where = str(path.resolve())  # the key: the same name may mean another file
    return _read_register(str(path), where, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=16)
def _read_register(path: str, where: str, modified_ns: int, size: int) -> RiskRegister:
    """A register as read from ``path`` (the file ``where``) at that modification
    time and size; messages name it as given."""
    return risk_register_from_dict(load_yaml(Path(path)), source=Path(path))


def apply_risks(
    spec: UncertaintySpec, register: RiskRegister, source: Any = None
) -> UncertaintySpec:
    """The uncertainty section with each linked risk widening its parameter.

    For a risk with ``parameter`` and ``widen``, the parameter's distribution is
    widened about its centre by ``widen`` (see
    :meth:`~models.inputs.uncertainty_spec.Distribution.widened`); several risks on one
    parameter compound.  A risk linked to a parameter without a distribution is
    an error naming the row.
    """
    params = dict(spec.parameters)
    for n, r in enumerate(register.risks, start=1):
        if r.parameter is None or r.widen is None:
            continue
        if r.parameter not in params:
            raise InputError(
                source,
                f"row {n} (ref {r.ref}), column parameter",
                "a parameter with a distribution in the case's uncertainty section ("
                + ", ".join(params)
                + ")",
                repr(r.parameter),
            )
        params[r.parameter] = params[r.parameter].widened(r.widen)
    return spec.model_copy(update={"parameters": params})
