"""The ``uncertainty:`` section of a case file (distributions per parameter).

Placeholder schema: the uncertainty issue fills it in.
"""

from __future__ import annotations

from typing import Any

from models.quantities import Strict


class UncertaintySpec(Strict):
    """Distributions and Monte Carlo settings of a case (filled in by the uncertainty work)."""

    parameters: dict[str, Any] = {}
