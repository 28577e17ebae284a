"""sharedcase: financial modelling for councils that share services.

The package does the arithmetic; notebooks narrate and call it.  Data flows one
way: case file -> validated case -> option (baseline + overrides) -> yearly model
-> per-council allocation -> long results table -> tables and charts -> exports.

``import models`` loads the whole public API, as a notebook uses it::

    import models
    case = models.load_case("scenarios/bromsgrove_redditch_2011.yaml")
    result = models.run_option(case, "single_business_case")
    models.OptionReport(case_path, "single_business_case").headline()
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sharedcase")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

# The public API (after __version__, which the modules below read).
from models.core.errors import InputError, InputErrors  # noqa: E402
from models.engine.projection import OptionResult, run_option  # noqa: E402
from models.inputs.case import Case, load_case  # noqa: E402
from models.report.notebook import ComparisonReport, MonitoringReport, OptionReport

__all__ = [
    "Case",
    "ComparisonReport",
    "InputError",
    "InputErrors",
    "MonitoringReport",
    "OptionReport",
    "OptionResult",
    "__version__",
    "load_case",
    "run_option",
]
