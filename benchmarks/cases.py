"""Benchmark cases: the shipped default case with N options, and bare notebooks.

:func:`case_with_options` copies the default case and the files it names into a
folder and gives it ``n`` options, cycling through the default case's own three
(status quo, staged approach, single business case) so that every option does
the work a real one does.  Nothing is cached between options, in the package or
in a warm kernel, so a copy costs what an original costs.

:func:`bare_notebook` is the floor's notebook: a parameters cell and the import
a report notebook makes (``from models.report.notebook import OptionReport``:
pandas, numpy, scipy, pydantic, matplotlib and the model), nothing else.  Since
``import models`` became light (it loads the API on first use), the floor imports
the report facade, as it loaded it through ``import models`` before.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
DEFAULT_CASE = SCENARIOS / "bromsgrove_redditch_2011.yaml"


def case_with_options(n: int, folder: Path, case: Path = DEFAULT_CASE) -> Path:
    """Write ``folder/bench_<n>.yaml``: ``case`` with ``n`` options; return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    for f in case.parent.iterdir():  # the files the case names sit beside it
        if f.is_file() and f != case:
            shutil.copy2(f, folder / f.name)
    doc = yaml.safe_load(case.read_text(encoding="utf-8"))
    originals = list(doc["options"].items())
    options = {}
    for i in range(n):
        name, option = originals[i % len(originals)]
        copy = dict(option)
        copy["description"] = f"Benchmark option {i + 1}: as {name}."
        copy["title"] = f"{option.get('title', name)} ({i + 1})"
        options[f"option_{i + 1:02d}_{name}"] = copy
    doc["name"] = f"bench_{n}"
    doc["options"] = options
    recommended = (doc.get("recommendation") or {}).get("option")
    copies = [o for o in options if o.split("_", 2)[2] == recommended]
    if copies:  # the first copy of the option the case recommends
        doc["recommendation"]["option"] = copies[0]
    else:
        doc.pop("recommendation", None)
    out = folder / f"bench_{n}.yaml"
    out.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return out


def bare_notebook(path: Path) -> Path:
    """Write the floor's notebook: a parameters cell and a report notebook's import."""
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('option = "single_business_case"')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        params,
        nbformat.v4.new_code_cell("from models.report.notebook import OptionReport"),
    ]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, str(path))
    return path
