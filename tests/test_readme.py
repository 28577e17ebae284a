"""The README's results.json example is what a run of the default case writes.

Every key of the example must be in the real file at the same place, and every
figure must agree with the real one to the precision the README prints it
(``"...": 0`` stands for the keys left out).  Figures: the default case, option
single_business_case (seed 000 para 2 and 6.4).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from models.run.runner import run_cases
from tests.conftest import DEFAULT_CASE

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_example() -> dict:
    text = README.read_text()
    block = re.search(r"```json\n(.*?)```", text, re.S)
    assert block, "README.md has no ```json block"
    return json.loads(block.group(1))


@pytest.fixture(scope="module")
def real_results(tmp_path_factory) -> dict:
    """results.json of ``sharedcase run --no-notebooks`` on the default case."""
    out = tmp_path_factory.mktemp("outputs")
    assert run_cases([DEFAULT_CASE], out_root=out, notebooks=False) == 0
    return json.loads(
        (out / "bromsgrove_redditch_2011" / "latest" / "results.json").read_text()
    )


def decimals(number: float) -> int:
    """Digits after the point as the README writes the number (12.51 -> 2)."""
    text = repr(number)
    return len(text.split(".")[1]) if "." in text else 0


def agree(shown, real, where: str) -> list[str]:
    """Differences between the README's example and the real figures."""
    if isinstance(shown, dict):
        if not isinstance(real, dict):
            return [f"{where}: a mapping in the README, {real!r} in the run"]
        out = []
        for key, value in shown.items():
            if key == "...":
                continue
            if key not in real:
                out.append(f"{where}.{key}: not in the run's results.json")
            else:
                out += agree(value, real[key], f"{where}.{key}")
        return out
    if isinstance(shown, float) and isinstance(real, int | float):
        tolerance = 0.5 * 10 ** -decimals(shown) + 1e-12
        ok = abs(real - shown) <= tolerance
        return [] if ok else [f"{where}: README {shown}, run {real}"]
    return [] if shown == real else [f"{where}: README {shown!r}, run {real!r}"]


def test_the_readme_example_is_what_a_run_writes(real_results):
    assert agree(readme_example(), real_results, "results") == []


def test_the_readme_example_shows_every_key_of_an_option():
    option = readme_example()["options"]["single_business_case"]
    assert set(option) >= {
        "npv",
        "npv_economic",
        "payback_year",
        "target_window_savings",
        "target_window_net_savings",
        "net_savings_by_year",
        "non_cashable_benefits_by_year",
        "councils",
        "monte_carlo",
        "switching_values",
    }


def test_the_readme_example_shows_every_key_of_a_councils_affordability():
    # issue 15 item 7: the keys of results.json per option and council
    option = readme_example()["options"]["single_business_case"]
    assert "non_cashable_benefits_by_year" in option
    affordability = option["councils"]["bdc"]["affordability"]
    assert set(affordability) == {
        "one_off_costs_by_year",
        "funded_by_source_by_year",
        "funding_shortfall_by_year",
        "reserves",
        "budget_gap_by_year",
        "gap_closed_by_year",
    }
    reserve = affordability["reserves"]["shared_services_implementation"]
    assert set(reserve) == {
        "opening",
        "drawn_by_year",
        "replenished_by_year",
        "closing_by_year",
    }
    # a reserve's name is also its key among the sources
    assert set(affordability["reserves"]) <= set(
        affordability["funded_by_source_by_year"]
    )
