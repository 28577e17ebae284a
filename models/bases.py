"""Cost-sharing bases declared in a case file.

A basis says how a line is split between the partner councils.
"""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from models.quantities import SHARE_TOLERANCE, Rate, Strict


class Basis(Strict):
    """A cost-sharing basis: fixed shares that sum to 1 across the partners."""

    type: Literal["fixed"] = "fixed"
    description: str | None = None
    shares: dict[str, Rate]
    source: str | None = None

    @model_validator(mode="after")
    def _shares_sum_to_one(self) -> Basis:
        total = sum(q.value for q in self.shares.values())
        if abs(total - 1.0) > SHARE_TOLERANCE:
            raise ValueError(f"expected shares that sum to 1, found {total:g}")
        return self
