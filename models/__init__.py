"""sharedcase: financial modelling for councils that share services.

The package does the arithmetic; notebooks narrate and call it.  Data flows one
way: case file -> validated case -> option (baseline + overrides) -> yearly model
-> per-council allocation -> long results table -> tables and charts -> exports.

The package is layered; each layer imports only from the layers below it
(``tests/test_layers.py`` checks every import, and ``docs/architecture.md``
draws the flow)::

    core       errors, financial calendar, rounding that foots, names, strict YAML
    reference  dated reference data (caps, Green Book rates, optimism bias)
    inputs     file readers and pydantic schemas, no arithmetic
    model      pure vectorised formulas: savings, costs, appraisal, severance...
    engine     load and check a case, compile and project options, results,
               uncertainty, analysis, monitoring budgets
    report     tables, charts, notebook facades, HTML / Excel / PDF export
    run        batch runner, run folders, report workers, kernels, interrupts
    cli        the ``sharedcase`` commands

``import models`` is light (no matplotlib, scipy, papermill or jupyter): the
public API below is loaded on first use::

    import models
    case = models.load_case("scenarios/bromsgrove_redditch_2011.yaml")
    result = models.run_option(case, "single_business_case")
    models.OptionReport(case_path, "single_business_case").headline()
    what_if = models.WhatIf.from_file(case_path, "single_business_case")
    what_if.evaluate({"settings.optimism_bias.savings": 0.15})["npv"]
"""

from __future__ import annotations

from typing import Any

from models.core.errors import InputError, InputErrors

_LOADED_ON_FIRST_USE = frozenset(
    {
        "Case",
        "ComparisonReport",
        "MonitoringReport",
        "OptionReport",
        "OptionResult",
        "WhatIf",
        "__version__",
        "load_case",
        "run_option",
    }
)
"""Names of the public API imported from their module on first use."""


def __getattr__(name: str) -> Any:
    """Load a name of the public API from its module on first use (PEP 562)."""
    if name not in _LOADED_ON_FIRST_USE:
        raise AttributeError(f"module 'models' has no attribute {name!r}")
    if name == "__version__":  # reading the installed metadata takes 50 ms
        from models.core.version import __version__ as value
    elif name == "Case":
        from models.inputs.case import Case as value
    elif name == "load_case":
        from models.engine.loading import load_case as value
    elif name in ("OptionResult", "run_option"):
        from models.engine import projection

        value = getattr(projection, name)
    elif name == "WhatIf":
        from models.engine.whatif import WhatIf as value
    else:
        from models.report import notebook

        value = getattr(notebook, name)
    globals()[name] = value
    return value


__all__ = ["InputError", "InputErrors", *sorted(_LOADED_ON_FIRST_USE)]
