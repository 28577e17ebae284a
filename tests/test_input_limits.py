"""Hostile and careless inputs that no corpus file can hold: a device, a FIFO, a
zip bomb built here, a flood of bad rows, a duplicate row in a case's table.

Each gets exit status 2 and one paragraph.  The hostile ones run in a real
process limited to 500 MB of address space (``RLIMIT_AS``) with a generous
timeout: a reader that built the input before refusing it would die of
``MemoryError`` or be killed, not print the paragraph.  (How long each takes
is measured in ``benchmarks/input_limits.py``, not asserted here.)
"""

from __future__ import annotations

import io
import os
import resource
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from models.cli import main
from models.core.errors import MAX_ERRORS_SHOWN, InputError
from models.inputs.quantities import Money, OneOffMoney, Rate
from models.inputs.tableio import MAX_XLSX_UNCOMPRESSED

ROOT = Path(__file__).resolve().parents[1]
BAD = ROOT / "tests" / "bad_inputs"
POLICY = ROOT / "tests" / "severance_policy.yaml"
ADDRESS_SPACE = 500 * 1024 * 1024
"""The memory a refusal may take [bytes] (issue 17: within 500 MB)."""


def limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def run_limited(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """``python -m models ARGS`` in a process of at most 500 MB."""
    return subprocess.run(
        [sys.executable, "-m", "models", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=limit_memory,
    )


def one_paragraph(stderr: str) -> str:
    lines = stderr.rstrip("\n").split("\n")
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    assert "Traceback" not in stderr and "Error" not in stderr, stderr
    return lines[0]


def zip_bomb(path: Path, unpacked_mb: int) -> Path:
    """A real staff-table workbook whose sheet is padded with ``unpacked_mb`` MB
    of blanks (legal XML whitespace): about 4.6 kB on disk for each MB unpacked."""
    book = openpyxl.Workbook()
    book.active.append(["post", "service", "council"])
    book.active.append(["Officer", "hr_od", "bdc"])
    buffer = io.BytesIO()
    book.save(buffer)
    with (
        zipfile.ZipFile(buffer) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as bomb,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename != "xl/worksheets/sheet1.xml":
                bomb.writestr(info, data)
                continue
            head, tail = data.split(b"<sheetData>")
            with bomb.open(info.filename, "w", force_zip64=True) as sheet:
                sheet.write(head + b"<sheetData>")
                blanks = b" " * (1024 * 1024)
                for _ in range(unpacked_mb):
                    sheet.write(blanks)
                sheet.write(tail)
    return path


def test_the_zip_bomb_is_a_small_file_that_unpacks_past_the_limit(tmp_path):
    bomb = zip_bomb(tmp_path / "staff.xlsx", 850)
    assert bomb.stat().st_size < 5 * 1024 * 1024  # about 4 MB on disk
    with zipfile.ZipFile(bomb) as archive:
        unpacked = sum(i.file_size for i in archive.infolist())
    assert unpacked > 16 * MAX_XLSX_UNCOMPRESSED


def test_a_4_mb_xlsx_zip_bomb_is_refused_unopened_within_500_mb(tmp_path):
    bomb = zip_bomb(tmp_path / "staff.xlsx", 850)  # 850 MB unpacked
    proc = run_limited(
        "severance", str(bomb), "--policy", str(POLICY), "--out", "c.csv", cwd=tmp_path
    )
    assert proc.returncode == 2, proc.stderr
    line = one_paragraph(proc.stderr)
    assert "at most 50 MB unpacked" in line and "850 MB" in line, line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["staff.xlsx"]


def test_a_2_kb_alias_bomb_is_refused_within_500_mb(tmp_path):
    bomb = BAD / "case" / "alias_bomb.yaml"
    assert bomb.stat().st_size < 2048
    for command in (["validate"], ["run", "--out", "out", "--no-notebooks"]):
        proc = run_limited(command[0], str(bomb), *command[1:], cwd=tmp_path)
        assert proc.returncode == 2, proc.stderr
        assert "an alias bomb" in one_paragraph(proc.stderr)
    assert list(tmp_path.iterdir()) == []


def test_dev_zero_is_refused_as_a_device_within_500_mb(tmp_path):
    proc = run_limited("validate", "/dev/zero", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "/dev/zero: expected an ordinary YAML file, found a device" in (
        one_paragraph(proc.stderr)
    )


def test_a_fifo_is_refused_without_opening_it(tmp_path):
    fifo = tmp_path / "case.yaml"
    os.mkfifo(fifo)  # opening it to read would wait for a writer for ever
    proc = run_limited("validate", str(fifo), cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "found a FIFO (named pipe)" in one_paragraph(proc.stderr)


def test_a_fifo_named_as_a_staff_table_is_refused_without_opening_it(tmp_path):
    fifo = tmp_path / "staff.csv"
    os.mkfifo(fifo)
    proc = run_limited(
        "severance", str(fifo), "--policy", str(POLICY), "--out", "c.csv", cwd=tmp_path
    )
    assert proc.returncode == 2, proc.stderr
    assert "expected an ordinary staff table file" in one_paragraph(proc.stderr)


def test_an_oversized_yaml_file_is_refused_by_its_size(tmp_path):
    big = tmp_path / "case.yaml"
    with big.open("w") as stream:  # 6 MB of comments: valid YAML, too big
        for _ in range(6 * 1024):
            stream.write("#" * 1023 + "\n")
    result = CliRunner().invoke(main, ["validate", str(big)])
    assert result.exit_code == 2
    assert "expected a YAML file of at most 5 MB, found 6.0 MB" in result.stderr


def test_a_flood_of_bad_rows_shows_the_first_20_and_the_count(tmp_path):
    staff = tmp_path / "staff.csv"
    header, row = (BAD / "severance" / "age_under_16.csv").read_text().splitlines()[:2]
    bad_row = row.replace("1970-05-01", "1800-01-01")  # an age of 211 at leaving
    rows = [bad_row.replace("Officer A", f"Officer {n}") for n in range(1000)]
    staff.write_text(header + "\n" + "\n".join(rows) + "\n")
    result = CliRunner().invoke(
        main,
        [
            "severance",
            str(staff),
            "--policy",
            str(POLICY),
            "--out",
            str(tmp_path / "c"),
        ],
    )
    assert result.exit_code == 2
    lines = result.stderr.rstrip("\n").split("\n")
    assert len(lines) == MAX_ERRORS_SHOWN + 1 == 21
    assert lines[0].startswith("error: ") and "data row 1 " in lines[0]
    assert "data row 20 " in lines[19]
    assert lines[-1] == (
        f"{staff}: 980 more problems like these (1000 in all); the first 20 are shown."
    )


def test_a_duplicate_row_of_the_baseline_cost_table_is_refused_naming_both(
    tmp_path,
):
    for name in (
        "bromsgrove_redditch_2011.yaml",
        "staff_at_risk_2011.csv",
        "risk_register_2011.yaml",
    ):
        shutil.copy(ROOT / "scenarios" / name, tmp_path / name)
    rows = (ROOT / "scenarios" / "bromsgrove_redditch_2011_baselines.csv").read_text()
    lines = rows.splitlines()  # row 1 is hr_od, bdc; row 5 repeats it with £1 more
    lines.insert(5, lines[1].replace(",520000,", ",520001,"))
    (tmp_path / "bromsgrove_redditch_2011_baselines.csv").write_text(
        "\n".join(lines) + "\n"
    )
    result = CliRunner().invoke(
        main, ["validate", str(tmp_path / "bromsgrove_redditch_2011.yaml")]
    )
    assert result.exit_code == 2, result.output
    assert (
        "bromsgrove_redditch_2011_baselines.csv: row 5: expected each service and "
        "council once, found a second row for service 'hr_od' and council 'bdc' "
        "(the first is row 1)."
    ) in result.stderr


# ------------------------------------------------------------------ units


@pytest.mark.parametrize(
    ("written", "pounds"),
    [
        ({"value": 95, "unit": "GBP'000/year"}, 95_000),  # 95 x 1,000
        ({"value": 95, "unit": "£k"}, 95_000),
        ({"value": 95, "unit": "GBP_thousands"}, 95_000),
        ({"value": 95, "unit": "GBP/year"}, 95),
        ({"value": 95, "unit": "GBP"}, 95),
        (95, 95),
    ],
)
def test_a_yearly_amount_in_thousands_is_read_in_pounds(written, pounds):
    money = Money.model_validate(written)
    assert money.value == pounds
    assert money.unit in (None, "GBP/year")


@pytest.mark.parametrize(
    ("written", "fraction"),
    [
        ({"value": 1, "unit": "%"}, 0.01),  # 1 / 100, not 100%
        ({"value": 3.5, "unit": "%"}, 0.035),  # 3.5 / 100
        ({"value": 0.035, "unit": "/1"}, 0.035),
        ({"value": 2, "unit": "% a year"}, 0.02),
    ],
)
def test_a_rate_in_percent_is_read_as_a_fraction(written, fraction):
    assert Rate.model_validate(written).value == fraction


def test_a_unit_is_read_once_however_often_the_quantity_is_validated():
    rate = Rate.model_validate({"value": 50, "unit": "%"})
    assert (rate.value, rate.unit) == (0.5, "/1")
    again = Rate.model_validate(rate.model_dump())
    assert (again.value, again.unit) == (0.5, "/1")  # not 0.005


@pytest.mark.parametrize(
    ("model", "written"),
    [
        (Money, {"value": 5, "unit": "%"}),
        (Money, {"value": 5, "unit": "GBP thousands"}),
        (OneOffMoney, {"value": 5, "unit": "GBP/year"}),
        (Rate, {"value": 0.1, "unit": "GBP"}),
    ],
)
def test_a_unit_of_the_wrong_kind_is_refused(model, written):
    with pytest.raises(ValueError, match="expected the unit"):
        model.model_validate(written)


# ------------------------------------------------------------------ folders


def small_case_with(tmp_path: Path, line: str) -> Path:
    """The corpus's small case, written into ``tmp_path`` with ``line`` added."""
    text = (BAD / "case" / "outside_folder_absolute.yaml").read_text()
    case = tmp_path / "case" / "small.yaml"
    case.parent.mkdir(parents=True)
    case.write_text(text.replace("risk_register: /etc/passwd", line))
    return case


def test_a_symbolic_link_out_of_the_case_folder_is_refused(tmp_path):
    case = small_case_with(tmp_path, "staff_at_risk: staff.csv")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(ROOT / "scenarios" / "staff_at_risk_2011.csv", elsewhere / "staff.csv")
    (case.parent / "staff.csv").symlink_to(elsewhere / "staff.csv")
    result = CliRunner().invoke(main, ["validate", str(case)])
    assert result.exit_code == 2
    assert "staff_at_risk: expected a file under the case's folder" in result.stderr
    assert f"which is {elsewhere / 'staff.csv'}" in result.stderr


def test_a_folder_allowed_outside_lets_the_case_read_from_it(tmp_path):
    # the staff table is read (its councils have no severance policy in this
    # small case: that error, not the folder's, shows the table was reached)
    table = ROOT / "scenarios" / "staff_at_risk_2011.csv"
    case = small_case_with(tmp_path, f"staff_at_risk: {table}")
    refused = CliRunner().invoke(main, ["validate", str(case)])
    assert "a file under the case's folder" in refused.stderr
    allowed = CliRunner().invoke(
        main, ["validate", "--allow-outside", str(table.parent), str(case)]
    )
    assert allowed.exit_code == 2
    assert "a file under the case's folder" not in allowed.stderr
    assert "severance" in allowed.stderr


def test_an_option_cannot_name_a_file_outside_the_folder_either(tmp_path):
    case = small_case_with(tmp_path, "risk_register: register.yaml")
    shutil.copy(
        ROOT / "scenarios" / "risk_register_2011.yaml", case.parent / "register.yaml"
    )
    text = case.read_text().replace(
        "      services.*.enabled: false",
        "      services.*.enabled: false\n      risk_register: /etc/passwd",
    )
    case.write_text(text)
    result = CliRunner().invoke(main, ["validate", str(case)])
    assert result.exit_code == 2
    assert "risk_register: expected a file under the case's folder" in result.stderr


def test_a_file_that_is_not_the_input_for_its_key_is_not_echoed(tmp_path):
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "notes.yaml").write_text("the-password-is-swordfish\n")
    (secret / "notes.csv").write_text("the-password-is-swordfish\nx\n")
    for line in (
        f"risk_register: {secret / 'notes.yaml'}",
        f"staff_at_risk: {secret / 'notes.csv'}",
    ):
        case = small_case_with(tmp_path / line.split(":")[0], line)
        result = CliRunner().invoke(
            main, ["validate", "--allow-outside", str(secret), str(case)]
        )
        assert result.exit_code == 2
        assert "notes." in result.stderr  # the file is named...
        assert "swordfish" not in result.stderr  # ...but not what it holds


def test_a_table_of_more_cells_than_the_limit_is_refused(tmp_path, monkeypatch):
    # the limit is 2,000,000 cells; here it is lowered to 20 so that a table of
    # 11 rows x 2 columns (22 cells) is over it without writing megabytes
    from models.inputs import tableio

    monkeypatch.setattr(tableio, "MAX_TABLE_CELLS", 20)
    table = tmp_path / "t.csv"
    table.write_text("a,b\n" + "".join(f"{n},x\n" for n in range(11)))
    with pytest.raises(InputError, match="at most 20 cells, found 11 rows of 2"):
        tableio.read_text_table(table)
    table.write_text("a,b\n" + "".join(f"{n},x\n" for n in range(10)))
    assert len(tableio.read_text_table(table)) == 10  # 20 cells: within it
