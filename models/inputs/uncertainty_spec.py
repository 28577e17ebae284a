"""The ``uncertainty:`` section of a case file: Monte Carlo draws, distributions, correlations.

Example (in a case file)::

    uncertainty:
      draws: 10000
      seed: 20110630
      parameters:
        savings_achieved:            # an aggregate: every saving x factor [/1]
          distribution: pert
          min: 0.6
          mode: 0.95
          max: 1.05
          source: illustrative assumption
        services.revenues_benefits.severance.redundancy_pay:   # a path [GBP]
          distribution: triangular
          min: 200000
          mode: 250000
          max: 340000
          source: seed 002 para 3.1.5 (redundancy budget £80k, actual £110k: +37.5%)
      correlations:
        - parameters: [savings_achieved, go_live_delay_months]
          coefficient: -0.5
          source: illustrative assumption

A parameter is either an *aggregate* (``savings_achieved``, ``set_up_costs``,
``severance`` as factors [/1]; ``go_live_delay_months`` [months];
``discount_rate`` [/1]) or a dotted path into the case as option overrides use it
(``services.<s>.savings.<category>`` [GBP/year], ``services.<s>.set_up_costs[<i>].amount``
[GBP], ``services.<s>.severance.redundancy_pay`` / ``.pension_strain`` [GBP],
``services.<s>.go_live`` [months of delay], ``settings.optimism_bias.costs`` /
``.savings`` [/1], ``settings.discount_rate`` [/1]).  The full list is in
:mod:`models.engine.uncertainty`.

Distributions (all from ``scipy.stats``):

* ``triangular``: ``min``, ``mode``, ``max``;
* ``pert``: ``min``, ``mode``, ``max`` and optional ``shape`` (lambda, default 4):
  a beta distribution with ``a = 1 + shape (mode - min) / (max - min)``,
  ``b = 1 + shape (max - mode) / (max - min)`` on ``[min, max]``;
* ``normal``: ``mean``, ``sd``;
* ``uniform``: ``min``, ``max``.

Every distribution carries a ``source`` (a document and paragraph, or
``illustrative assumption``).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from pydantic import Field, field_validator, model_validator

from models.inputs.quantities import Strict

DISTRIBUTIONS = ("triangular", "pert", "normal", "uniform")
_REQUIRED = {
    "triangular": ("min", "mode", "max"),
    "pert": ("min", "mode", "max"),
    "normal": ("mean", "sd"),
    "uniform": ("min", "max"),
}
_ALLOWED = {
    "triangular": {"min", "mode", "max"},
    "pert": {"min", "mode", "max", "shape"},
    "normal": {"mean", "sd"},
    "uniform": {"min", "max"},
}


class Distribution(Strict):
    """The distribution of one uncertain parameter (see the module docstring)."""

    distribution: Literal["triangular", "pert", "normal", "uniform"]
    min: float | None = None
    mode: float | None = None
    max: float | None = None
    mean: float | None = None
    sd: float | None = None
    shape: float | None = None
    source: str
    note: str | None = None

    @model_validator(mode="after")
    def _parameters(self) -> Distribution:
        kind = self.distribution
        given = {
            k
            for k in ("min", "mode", "max", "mean", "sd", "shape")
            if getattr(self, k) is not None
        }
        missing = [k for k in _REQUIRED[kind] if k not in given]
        if missing:
            raise ValueError(
                f"expected {', '.join(_REQUIRED[kind])} for a {kind} distribution "
                f"(missing {', '.join(missing)})"
            )
        extra = sorted(given - _ALLOWED[kind])
        if extra:
            raise ValueError(
                f"expected only {', '.join(sorted(_ALLOWED[kind]))} for a {kind} "
                f"distribution (found {', '.join(extra)})"
            )
        if kind in ("triangular", "pert"):
            if not (self.min <= self.mode <= self.max and self.min < self.max):
                raise ValueError("expected min <= mode <= max with min < max")
        if kind == "uniform" and not self.min < self.max:
            raise ValueError("expected min < max")
        if kind == "normal" and not self.sd > 0:
            raise ValueError("expected a positive standard deviation 'sd'")
        if self.shape is not None and self.shape <= 0:
            raise ValueError("expected a positive PERT 'shape'")
        return self

    def frozen(self) -> Any:
        """The scipy.stats frozen distribution.

        >>> Distribution(distribution="pert", min=0, mode=1, max=4, source="x").frozen().mean()
        np.float64(1.3333333333333333)
        """
        from scipy import stats  # loaded only for a Monte Carlo: validation stays fast

        if self.distribution == "triangular":
            width = self.max - self.min
            return stats.triang(
                (self.mode - self.min) / width, loc=self.min, scale=width
            )
        if self.distribution == "pert":
            width = self.max - self.min
            shape = 4.0 if self.shape is None else self.shape
            a = 1.0 + shape * (self.mode - self.min) / width
            b = 1.0 + shape * (self.max - self.mode) / width
            return stats.beta(a, b, loc=self.min, scale=width)
        if self.distribution == "normal":
            return stats.norm(loc=self.mean, scale=self.sd)
        return stats.uniform(loc=self.min, scale=self.max - self.min)

    def centre(self) -> float:
        """The central value from which a risk widens the spread (mode or mean)."""
        if self.distribution in ("triangular", "pert"):
            return float(self.mode)
        if self.distribution == "normal":
            return float(self.mean)
        return 0.5 * (self.min + self.max)

    def widened(self, fraction: float) -> Distribution:
        """The same distribution with its spread about the centre widened by ``fraction``.

        ``min' = centre - (centre - min)(1 + fraction)``, likewise ``max``; ``sd' =
        sd (1 + fraction)``.

        >>> d = Distribution(distribution="uniform", min=0, max=2, source="x")
        >>> (d.widened(0.5).min, d.widened(0.5).max)
        (-0.5, 2.5)
        """
        stretch = 1.0 + fraction
        centre = self.centre()
        changes: dict = {}
        if self.distribution == "normal":
            changes["sd"] = self.sd * stretch
        else:
            changes["min"] = centre - (centre - self.min) * stretch
            changes["max"] = centre + (self.max - centre) * stretch
        return self.model_copy(update=changes)


class Correlation(Strict):
    """Correlation between two parameters (Gaussian copula coefficient) [/1]."""

    parameters: list[str] = Field(min_length=2, max_length=2)
    coefficient: float = Field(ge=-1, le=1)
    source: str | None = None


class SensitivitySpec(Strict):
    """One-at-a-time sensitivity: relative changes, and ranges per parameter."""

    changes: list[float] = Field(
        default_factory=lambda: [-0.25, -0.10, 0.10, 0.25], min_length=1
    )
    ranges: dict[str, list[float]] = Field(default_factory=dict)

    @field_validator("ranges")
    @classmethod
    def _two_or_more_values(
        cls, ranges: dict[str, list[float]]
    ) -> dict[str, list[float]]:
        for name, values in ranges.items():
            if len(values) < 2:
                raise ValueError(
                    f"expected at least two values to try for {name!r} (low and high)"
                )
        return ranges


MEMORY_LIMIT_MB = 2048
"""Memory [MB] a case's Monte Carlo may need before it is refused at validation,
unless the case raises it (``uncertainty.memory_limit_mb``)."""

BLOCK_ELEMENTS = 2_000_000
"""Draws x services x years evaluated at once by the Monte Carlo
(:func:`models.engine.uncertainty.evaluate` cuts its batches to this size)."""

MEGABYTE = 1024 * 1024


def monte_carlo_memory_bytes(
    draws: int,
    horizon_years: int,
    parameters: int,
    services: int,
    councils: int,
    options: int,
) -> int:
    """Memory [bytes] the Monte Carlo of a case will need at its peak, estimated.

    ``8 x 1.5 x draws x (4 P + 6 + O (5 + 2 C))`` for what is kept for every
    draw (the P parameters' normals, uniforms and values; each of the O
    options' NPV, payback and target-window savings, overall and for each of C
    councils), with half as much again for the sorting and copying of the
    summaries and charts; plus ``8 x (4 x BLOCK_ELEMENTS + 4 S T^2 C)`` for the
    working arrays of one block of draws (S services, T years).  Measured with
    ``tracemalloc`` on the default case (P 4, O 3, C 2, S 10): 112 MB for
    100,000 draws and 238 MB for 400,000 (this estimate: 117 MB and 285 MB);
    the horizon changes little, since draws are evaluated in blocks.

    >>> round(monte_carlo_memory_bytes(10_000_000, 200, 4, 10, 2, 3) / 2**30, 1)
    5.6
    """
    per_draw = 4 * parameters + 6 + options * (5 + 2 * councils)
    kept = 8 * 1.5 * draws * per_draw
    years = horizon_years
    working = 8 * (4 * BLOCK_ELEMENTS + 4 * services * years * years * councils)
    return int(kept + working)


class UncertaintySpec(Strict):
    """Distributions and Monte Carlo settings of a case."""

    draws: int = Field(default=10_000, ge=1, le=10_000_000)
    seed: int = 20110630
    memory_limit_mb: int = Field(default=MEMORY_LIMIT_MB, ge=1)
    parameters: dict[str, Distribution] = Field(default_factory=dict)
    correlations: list[Correlation] = Field(default_factory=list)
    sensitivity: SensitivitySpec = SensitivitySpec()

    @model_validator(mode="after")
    def _correlated_parameters_declared(self) -> UncertaintySpec:
        for correlation in self.correlations:
            for name in correlation.parameters:
                if name not in self.parameters:
                    raise ValueError(
                        f"expected correlations between declared parameters, found {name!r}"
                    )
            if correlation.parameters[0] == correlation.parameters[1]:
                raise ValueError("expected two different parameters in a correlation")
        if self.correlations:
            if np.linalg.eigvalsh(self.correlation_matrix()).min() <= 0:
                raise ValueError(
                    "expected correlation coefficients that can hold together (a "
                    "positive definite matrix); some contradict each other"
                )
        return self

    def correlation_matrix(self) -> np.ndarray:
        """Correlation matrix (P, P) [/1] of the copula's normals, one row a declared
        parameter in order: the identity plus the declared pairs.

        >>> spec = UncertaintySpec(
        ...     parameters={n: {"distribution": "uniform", "min": 0, "max": 1,
        ...                     "source": "x"} for n in ("severance", "set_up_costs")},
        ...     correlations=[{"parameters": ["set_up_costs", "severance"],
        ...                    "coefficient": 0.5}])
        >>> spec.correlation_matrix().tolist()
        [[1.0, 0.5], [0.5, 1.0]]
        """
        names = list(self.parameters)
        matrix = np.eye(len(names))
        for correlation in self.correlations:
            first, second = correlation.parameters
            i, j = names.index(first), names.index(second)
            matrix[i, j] = matrix[j, i] = correlation.coefficient
        return matrix


AGGREGATES: dict[str, tuple[str, str]] = {
    "savings_achieved": ("/1", "Savings achieved (factor on every saving)"),
    "set_up_costs": ("/1", "Set-up costs (factor on every item)"),
    "severance": ("/1", "Severance (factor on redundancy pay and pension strain)"),
    "go_live_delay_months": ("months", "Go-live delay of every service"),
    "discount_rate": ("/1", "Discount rate (year 0 real rate)"),
}
"""Aggregate parameters, declared once: name -> (unit, label).  Base values: 1, 1,
1, 0 and the option's rate; :mod:`models.engine.uncertainty` gives their effect."""

_CATEGORIES = ("staff", "contracts", "accommodation", "ict", "other")


def parameter_names(set_up_items: dict[str, int]) -> set[str]:
    """Every path or aggregate a distribution may name, given each service's number
    of set-up cost items (``{service: n}``).

    >>> sorted(parameter_names({"hr": 1}))[:3]
    ['discount_rate', 'go_live_delay_months', 'savings_achieved']
    """
    names = set(AGGREGATES) | {
        "settings.optimism_bias.costs",
        "settings.optimism_bias.savings",
        "settings.discount_rate",
    }
    for service, n_items in set_up_items.items():
        for category in _CATEGORIES:
            names.add(f"services.{service}.savings.{category}")
            names.add(f"services.{service}.savings_by_year.*.{category}")
        for item in range(n_items):
            names.add(f"services.{service}.set_up_costs[{item}].amount")
        names.add(f"services.{service}.severance.redundancy_pay")
        names.add(f"services.{service}.severance.pension_strain")
        names.add(f"services.{service}.go_live")
    return names


def parameter_problems(
    spec: UncertaintySpec, set_up_items: dict[str, int]
) -> list[tuple[str, str, str]]:
    """(where, expected, found) for each distribution naming an unknown parameter,
    in the form ``models.inputs.case._cross_reference_problems`` collects.

    >>> spec = UncertaintySpec(parameters={"services.hr.savings.staf": {
    ...     "distribution": "uniform", "min": 0, "max": 1, "source": "x"}})
    >>> parameter_problems(spec, {"hr": 0})[0][0]
    'uncertainty.parameters.services.hr.savings.staf'
    """
    known = parameter_names(set_up_items)
    expected = (
        "an aggregate (" + ", ".join(AGGREGATES) + ") or a path such as "
        "services.<service>.savings.staff"
    )
    named = [(f"uncertainty.parameters.{name}", name) for name in spec.parameters] + [
        (f"uncertainty.sensitivity.ranges.{name}", name)
        for name in spec.sensitivity.ranges
    ]
    return [(where, expected, repr(name)) for where, name in named if name not in known]
