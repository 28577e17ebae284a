"""Every file of the bad-input corpus fails cleanly through the command line.

``tests/bad_inputs/expected.yaml`` lists each file under ``tests/bad_inputs/``,
the command it is run through and the words its error must contain.  For each:
exit status 2; stderr is one short paragraph starting ``error:`` that names the
file and contains every expected substring; no traceback and no Python repr of
an exception; nothing on stdout; nothing written (no run folder, no costed CSV,
nothing in the working folder).  Most run in-process (click's CliRunner); one
file of each kind also runs as a real ``python -m models`` process, so that "no
traceback" is checked on the real stderr.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from models.cli import main

ROOT = Path(__file__).resolve().parents[1]
BAD = ROOT / "tests" / "bad_inputs"
INDEX = BAD / "expected.yaml"
EXPECTED: dict[str, dict] = yaml.safe_load(INDEX.read_text(encoding="utf-8"))
POLICY = ROOT / "tests" / "severance_policy.yaml"
STAFF = ROOT / "scenarios" / "staff_at_risk_2011.csv"

MAX_LINES = 5
"""One paragraph: at most this many error lines (several problems of one file)."""
MAX_LINE_LENGTH = 400
PYTHON_LEAKS = re.compile(
    r"Traceback|File \"|\b[A-Z]\w*(Error|Exception|Warning)\b|object at 0x|"
    r"datetime\.date\(|<class "
)
"""What a finance lead should never see: tracebacks, exception class names, reprs."""

KINDS = {
    "case": ("case", "sharing"),
    "staff table": ("severance",),
    "actuals": ("monitoring",),
    "risk register": ("risks",),
}


def commands(entry: dict) -> list[str]:
    cmd = entry["command"]
    return cmd if isinstance(cmd, list) else [cmd]


def argv(
    command: str, path: Path, out: Path, allow_outside: str | None = None
) -> list[str]:
    """Command-line arguments for running ``path`` through ``command``; a case
    that names files in another folder of the project gets ``--allow-outside``
    (``allow_outside:`` of its entry, relative to the project root)."""
    allowed = ["--allow-outside", str(ROOT / allow_outside)] if allow_outside else []
    if command == "validate":
        return ["validate", *allowed, str(path)]
    if command == "run":
        return ["run", *allowed, str(path), "--out", str(out), "--no-notebooks"]
    costed = str(out.with_name("costed.csv"))  # --out wants an existing folder
    if command == "severance":
        return ["severance", str(path), "--policy", str(POLICY), "--out", costed]
    if command == "severance-policy":
        return ["severance", str(STAFF), "--policy", str(path), "--out", costed]
    raise AssertionError(f"unknown command {command!r} in {INDEX.name}")


def check_error_paragraph(stderr: str, names: str, message: list[str]) -> None:
    """stderr is one short paragraph naming ``names`` with every ``message`` part.

    Lines starting ``warning:`` (e.g. an unused basis) may come before it.
    """
    lines = stderr.rstrip("\n").split("\n")
    assert all(line.strip() for line in lines), f"blank line in:\n{stderr}"
    errors = [line for line in lines if not line.startswith("warning: ")]
    assert errors and errors[0].startswith("error: "), stderr
    assert len(errors) <= MAX_LINES, stderr
    assert all(len(line) <= MAX_LINE_LENGTH for line in errors), stderr
    leak = PYTHON_LEAKS.search(stderr)
    assert leak is None, f"{leak.group(0)!r} in:\n{stderr}"
    assert names in errors[0], f"{names!r} not named in:\n{stderr}"
    text = "\n".join(errors)
    for part in message:
        assert part in text, f"{part!r} not in:\n{stderr}"


def cases() -> list[tuple[str, str]]:
    return [
        (name, command) for name in EXPECTED for command in commands(EXPECTED[name])
    ]


def check_nothing_written(tmp_path: Path, out: Path) -> None:
    """No run folder ``out``, no costed CSV beside it, nothing in the working folder."""
    assert not out.exists(), f"{out} was written"
    assert list(tmp_path.iterdir()) == [], f"written: {list(tmp_path.iterdir())}"


# ------------------------------------------------------------------ the index


def corpus_files() -> list[str]:
    return sorted(
        p.relative_to(BAD).as_posix()
        for p in BAD.rglob("*")
        if p.is_file() and p != INDEX
    )


def test_every_corpus_file_is_in_the_index_and_every_entry_is_a_file():
    assert corpus_files() == sorted(EXPECTED)


def test_the_corpus_covers_every_kind_of_input_file():
    assert len(EXPECTED) >= 30
    for kind, folders in KINDS.items():
        n = sum(name.split("/")[0] in folders for name in EXPECTED)
        assert n >= 10 if kind in ("case", "staff table") else n >= 8, kind


def test_every_entry_names_a_known_command_and_a_message():
    for name, entry in EXPECTED.items():
        assert set(entry) <= {"command", "message", "names", "allow_outside"}, name
        assert entry["message"] and all(isinstance(m, str) for m in entry["message"])
        for command in commands(entry):
            argv(command, BAD / name, Path("out"))


def test_the_paragraph_check_catches_tracebacks_dumps_and_missing_words():
    # the check must be able to fail, or the corpus test proves nothing
    good = (
        "error: a.yaml: settings.horizon_years: expected a whole number, found 'ten'."
    )
    check_error_paragraph(good, "a.yaml", ["settings.horizon_years"])
    for bad, words in [
        ('Traceback (most recent call last):\n  File "x.py"\nValueError: x', []),
        ("error: a.yaml: expected UTF-8 text, found UnicodeDecodeError: 'utf-8'", []),
        ("error: a.yaml: x.\n\nerror: b.yaml: y.", []),
        (good, ["settings.base_year"]),
        (good.replace("a.yaml", "b.yaml"), []),
        ("\n".join([good] * (MAX_LINES + 1)), []),
    ]:
        with pytest.raises(AssertionError):
            check_error_paragraph(bad, "a.yaml", words)


# ------------------------------------------------------------------ the corpus


@pytest.mark.parametrize(("name", "command"), cases(), ids=lambda v: str(v))
def test_a_bad_input_exits_2_with_one_clear_paragraph(
    name, command, tmp_path, monkeypatch
):
    entry = EXPECTED[name]
    monkeypatch.chdir(tmp_path)  # anything written by accident would land here
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, argv(command, BAD / name, out, entry.get("allow_outside"))
    )
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.stdout == ""
    check_error_paragraph(
        result.stderr, entry.get("names", Path(name).name), entry["message"]
    )
    check_nothing_written(tmp_path, out)


REAL_PROCESS = [
    ("case/python_object_tag.yaml", "run"),
    ("case/names_bad_staff_table.yaml", "validate"),
    ("sharing/partner_not_in_case.yaml", "run"),
    ("severance/ragged_row.csv", "severance"),
    ("severance/policy_nan_rate.yaml", "severance-policy"),
    ("monitoring/nan_actual.yaml", "validate"),
    ("risks/impossible_date.yaml", "validate"),
]


def test_the_real_process_list_covers_every_kind():
    for folders in KINDS.values():
        assert any(name.split("/")[0] in folders for name, _ in REAL_PROCESS)


@pytest.mark.parametrize(("name", "command"), REAL_PROCESS, ids=lambda v: str(v))
def test_a_bad_input_fails_cleanly_in_a_real_process(name, command, tmp_path):
    entry = EXPECTED[name]
    assert command in commands(entry)
    out = tmp_path / "out"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "models",
            *argv(command, BAD / name, out, entry.get("allow_outside")),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    check_error_paragraph(
        proc.stderr, entry.get("names", Path(name).name), entry["message"]
    )
    check_nothing_written(tmp_path, out)
