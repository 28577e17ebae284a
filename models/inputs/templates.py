"""Text of a new, commented case file (``sharedcase init NAME``)."""

from __future__ import annotations

NEW_CASE = """\
# A new shared-services case.  Every number may be written bare (120000) or with
# its unit and source: {{value: 120000, unit: GBP/year, source: budget book 2011/12 p.4}}.
# Validate with:  sharedcase validate scenarios/{name}.yaml
# Run with:       sharedcase run scenarios/{name}.yaml
kind: case
name: {name}
title: Shared services business case for Council A and Council B
description: What is being appraised, and for whom.

# The partner councils (any number).  Drivers are used by driver-based sharing bases.
councils:
  council_a:
    name: Council A
  council_b:
    name: Council B

settings:
  base_year: 2026/27          # year 0 of the appraisal (not discounted)
  horizon_years: 10           # financial years appraised, April to March
  price_basis: real           # real (Green Book default) or nominal
  discount_rate: green_book   # or a rate, e.g. 0.035
  inflation:                  # used only when price_basis is nominal
    pay: 0.02
    non_pay: 0.02
    general: 0.02
  optimism_bias:              # costs raised and savings cut by these fractions
    costs: 0.10
    savings: 0.05
  target_window:              # the years over which the board asks for a savings total
    first_year: 2026/27
    last_year: 2028/29
    target: {{value: 50000, unit: GBP, source: replace with the board's savings target}}

# How costs and savings are split between the councils.
bases:
  equal:
    type: fixed
    shares: {{council_a: 0.5, council_b: 0.5}}

services:
  payroll:
    name: Payroll
    host: council_a
    basis: equal              # also savings_basis / set_up_basis if different
    baseline_cost:            # current annual cost per council [GBP/year]
      council_a: 200000
      council_b: 180000
    savings:                  # full-year savings by category [GBP/year]
      staff: 40000
      contracts: 5000
    go_live: 2026-10-01       # part-year effect: saves only the months it is live
    ramp_up: [0.5, 1.0]       # share of full-year savings in the 1st, 2nd... year live
    set_up_costs:             # one-off costs [GBP]
      - category: ict         # ict, accommodation, project_team, training, transitional_support, other
        amount: 25000
        year: 2026/27
    severance:
      redundancy_pay: 30000
      pension_strain: 0
      year: 2026/27

# Options are sparse overrides of the baseline above, by dotted path.
# Every option needs a title: the name the reports show.
options:
  status_quo:
    title: Status quo
    description: Nothing is shared.
    overrides:
      services.*.enabled: false
  shared_payroll:
    title: Shared payroll
    description: Payroll shared from October 2026.

# Optional: the option the case recommends, why, and on whose authority.
# recommendation:
#   option: shared_payroll
#   reason: It pays back within three years and meets the savings target.
#   source: report to the board, date and paragraph
"""


def new_case_text(name: str) -> str:
    """The commented starter case file for ``name``."""
    return NEW_CASE.format(name=name)
