"""sharedcase: financial modelling for councils that share services.

The package does the arithmetic; notebooks narrate and call it.  Data flows one
way: case file -> validated case -> option (baseline + overrides) -> yearly model
-> per-council allocation -> long results table -> tables and charts -> exports.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sharedcase")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"
