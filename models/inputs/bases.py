"""Cost-sharing bases declared in a case file.

A basis says how a line (savings, set-up costs, severance) of a service is split
between the partner councils.  It is declared once under ``bases:`` and named by
each service (``basis``, and if different ``savings_basis``, ``set_up_basis``,
``severance.basis``).  Three types, chosen by the ``type`` key:

``fixed``
    Agreed shares that sum to 1, any number of partners::

        equal: {type: fixed, shares: {bdc: 0.5, rbc: 0.5}, source: seed 002 para 6.3}

``driver``
    In proportion to a named driver held by each council under
    ``councils.<id>.drivers.<name>`` (value, year, unit, source), e.g. payslips
    produced or electorate (seed 002 para 6.3)::

        by_payslips: {type: driver, driver: payslips}

    ``councils`` lists the partners of the basis (default: every council of the
    case); each needs the driver.

``hybrid``
    A fixed part and a driver part in stated proportions (``fixed_weight`` +
    ``driver_weight`` = 1)::

        mixed: {type: hybrid, fixed_weight: 0.3, shares: {a: 0.5, b: 0.5},
                driver_weight: 0.7, driver: electorate}

Partners and joiners: the partners of a basis are the councils it names (its
``shares``, or its ``councils`` list); membership of a service is therefore set by
the basis the service names.  The year a council joins is a fact about the
council (``councils.<id>.joins: 2013/14``), so it applies to every basis that
names it: before that year its share is 0 and the other partners' shares are
scaled up in proportion so that each year's shares still sum to 1.
``type`` may be omitted for a fixed basis (older case files).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Discriminator, Field, Tag

from models.inputs.quantities import Rate, Strict


class FixedBasis(Strict):
    """Fixed shares that sum to 1 across the partners [/1]."""

    type: Literal["fixed"] = "fixed"
    description: str | None = None
    shares: dict[str, Rate]
    source: str | None = None

    def partners(self, all_councils: list[str]) -> list[str]:
        """Councils with a share in this basis (listed or not, a zero share counts)."""
        return list(self.shares)

    def parts(self) -> list[tuple[float, str]]:
        """The parts the shares are made of: (weight [/1], kind of council weights).

        ``shares``: each council's stated share; ``driver``: each partner's driver
        value (models.model.sharing.COUNCIL_WEIGHTS computes each kind).
        """
        return [(1.0, "shares")]

    def share_total(self) -> float:
        return sum(q.value for q in self.shares.values())


class DriverBasis(Strict):
    """Shares in proportion to a driver each partner council holds [/1]."""

    type: Literal["driver"]
    description: str | None = None
    driver: str
    councils: list[str] | None = None
    source: str | None = None

    def partners(self, all_councils: list[str]) -> list[str]:
        return list(self.councils) if self.councils is not None else list(all_councils)

    def parts(self) -> list[tuple[float, str]]:
        """One part: shares in proportion to the driver (see FixedBasis.parts)."""
        return [(1.0, "driver")]


class HybridBasis(Strict):
    """A fixed part and a driver part in stated proportions [/1].

    ``share[c] = fixed_weight x shares[c] + driver_weight x driver[c] / sum driver``
    (weights summing to 1 is checked with the case, naming ``driver_weight``).
    """

    type: Literal["hybrid"]
    description: str | None = None
    fixed_weight: Rate
    shares: dict[str, Rate]
    driver_weight: Rate
    driver: str
    source: str | None = None

    def partners(self, all_councils: list[str]) -> list[str]:
        return list(self.shares)

    def share_total(self) -> float:
        return sum(q.value for q in self.shares.values())

    def parts(self) -> list[tuple[float, str]]:
        """The fixed part and the driver part, in their stated weights."""
        return [
            (self.fixed_weight.value, "shares"),
            (self.driver_weight.value, "driver"),
        ]


class _UnknownBasisType(Strict):
    """Stands in for a basis whose ``type`` is not known, so that the error names
    the ``type`` key and the types that are known (it never validates)."""

    model_config = ConfigDict(extra="allow")
    type: Literal["fixed", "driver", "hybrid"]


BASIS_TYPES = ("fixed", "driver", "hybrid")

# Tags carry brackets so that models.inputs.pydantic_errors.validation_errors leaves them out of
# key paths (as it does pydantic's own union branch names).
_TAGS = {t: f"basis[{t}]" for t in BASIS_TYPES}


def _basis_tag(data: Any) -> str:
    if isinstance(data, dict):
        kind = data.get("type", "fixed")
    else:  # a basis model, or something that is not a mapping at all
        kind = getattr(data, "type", None)
    return (
        _TAGS.get(kind, "basis[unknown]") if isinstance(kind, str) else "basis[unknown]"
    )


Basis = Annotated[
    Annotated[FixedBasis, Tag(_TAGS["fixed"])]
    | Annotated[DriverBasis, Tag(_TAGS["driver"])]
    | Annotated[HybridBasis, Tag(_TAGS["hybrid"])]
    | Annotated[_UnknownBasisType, Tag("basis[unknown]")],
    Discriminator(_basis_tag),
    Field(description="A cost-sharing basis (see models.inputs.bases)."),
]
"""A cost-sharing basis: :class:`FixedBasis`, :class:`DriverBasis` or :class:`HybridBasis`."""
