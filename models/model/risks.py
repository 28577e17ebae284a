"""Risk registers as a table: likelihood x impact, in the seeds' words.

The register file, its checks and its links to model parameters are inputs
(:mod:`models.inputs.risk_register`); this module turns a register into the
table the reports show (:func:`risk_table`).  The seeds score each risk on a 4 x 4 matrix (seed 002 Appendix A, seed 000
Appendix B):

* likelihood: 1 low, 2 medium, 3 significant, 4 high;
* impact: 1 low, 2 marginal, 3 major, 4 critical;
* score = likelihood x impact (1 to 16).

A register file (``kind: risk_register``) lists the rows as the report printed
them, with the stated score.  :func:`models.inputs.risk_register.register_problems` flags every row whose
rating is missing or whose stated score is not L x I; the loader refuses a
register with such a row (it names the row and the key, and never guesses the
missing rating), unless the row records the discrepancy as found in the source
(``score_discrepancy: <note>``), which keeps the published figure visible.

A risk may name the model parameter it threatens (``parameter:`` a path or
aggregate of :mod:`models.engine.uncertainty`) and how much wider it makes that
parameter's distribution (``widen: 0.5`` = 50% wider about its centre);
:func:`models.inputs.risk_register.apply_risks` returns the case's uncertainty section so widened.
"""

from __future__ import annotations

import pandas as pd

from models.inputs.risk_register import IMPACT, LIKELIHOOD, RiskRegister


def risk_table(register: RiskRegister) -> pd.DataFrame:
    """The register as a table: ref, risk, likelihood, impact (numbers and words),
    stated and computed score, mitigation, owner, exposure [GBP], parameter;
    highest score first."""
    rows = [
        {
            "ref": r.ref,
            "risk": r.risk,
            "likelihood": r.likelihood,
            "likelihood_rating": LIKELIHOOD.get(r.likelihood),
            "impact": r.impact,
            "impact_rating": IMPACT.get(r.impact),
            "score": r.score,
            "computed_score": r.computed_score,
            "mitigation": r.mitigation,
            "owner": r.owner,
            "exposure": float(r.exposure.value) if r.exposure is not None else None,
            "parameter": r.parameter,
        }
        for r in register.risks
    ]
    table = pd.DataFrame(rows)
    return table.sort_values(
        "computed_score", ascending=False, kind="stable"
    ).reset_index(drop=True)
