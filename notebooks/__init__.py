"""The report notebooks, shipped with the package as ``models.notebooks``.

They live here, at the top of the checkout, so that ``make lab`` opens them;
``pyproject.toml`` maps this folder to the package ``models.notebooks`` so that an
installed package finds them too (``models.run.notebooks``).
"""
