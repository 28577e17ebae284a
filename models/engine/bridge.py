"""The NPV bridge: which inputs differ between two states of a case, and how much
of the change in net present value each one makes.

Two states of a case are compared as their raw dicts (the case file as read,
tables merged in, an option's overrides applied with
:func:`models.inputs.case.apply_overrides`).  Each raw dict is flattened to
dotted paths of leaves (:func:`leaves`): a ``{value, unit, source}`` quantity
is one leaf, and so is a list (overrides cannot reach inside one).  The leaves
that differ (:func:`differing_paths`) are put in a stated order
(:func:`bridge_order`) and applied one at a time to the ``from`` state; after
each one the intermediate case is validated as :func:`models.engine.cases.option_case`
validates an option and its NPV is computed by the engine
(:func:`models.engine.projection.run_option`, figures from
:func:`models.engine.results.option_json`: this module has no NPV formula of its
own).  The NPV change of a step is the NPV after it minus the NPV before it
(:func:`sequential_attribution`), so the steps add up to the whole change.  A
state that is not a valid case on its own (two inputs that only make sense
together) is not evaluated: its difference is merged with the next into one
step, and the step says why.

Source: sequential attribution (also called a step-by-step or "waterfall"
analysis of change).  The steps depend on the order: another order gives other
steps with the same total.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from models.core.errors import InputError
from models.engine import cases
from models.engine.projection import run_option
from models.engine.results import option_json
from models.inputs.case import Case
from models.inputs.quantities import Quantity

LeafPath = tuple[Any, ...]
"""A leaf's path: the keys from the top of the case (YAML keys need not be text)."""

NOT_SET = object()
"""The leaf is not in the case file (the schema's default applies)."""

EXCLUDED_KEYS = ("options",)
"""Top-level keys left out of the comparison: an option's overrides are compared
through their effect on the other keys, not as text."""

STATE_OPTION = "bridge_state"
"""Name of the one (empty) option of an intermediate state, as it is evaluated."""

NOT_COMPARED_KEYS = ("source", "note")
"""Keys of a quantity that document it and change no figure."""

ORDER = (
    "Sequential attribution: the differences are applied one at a time, starting "
    "from the 'from' state, in this order: first the inputs the 'to' option's "
    "overrides set, in the order the overrides are written; then the 'from' "
    "option's overrides that are undone, in the order they are written; then any "
    "other difference, in the order it appears in the case file; then the files "
    "the case names, where they differ (a '*' override is taken key by key, in "
    "case-file order).  Each step's NPV change is the NPV after it minus the NPV "
    "before it, so the steps add up to the whole change; another order can split "
    "the same total differently."
)
"""The order of the steps, as every output of the bridge states it."""


def dotted(path: LeafPath) -> str:
    """A leaf path as the dotted text an override would use.

    >>> dotted(("services", "hr_od", "go_live"))
    'services.hr_od.go_live'
    """
    return ".".join(str(key) for key in path)


def is_quantity(node: Any) -> bool:
    """Whether a node is a ``{value, unit, source}`` quantity (one leaf).

    >>> is_quantity({"value": 1, "unit": "GBP"}), is_quantity({"a": 1})
    (True, False)
    """
    return isinstance(node, dict) and "value" in node


def leaves(raw: Mapping, exclude: Sequence[str] = EXCLUDED_KEYS) -> dict[LeafPath, Any]:
    """Every leaf of a raw case dict by its path, in case-file order.

    A leaf is anything but a mapping, a ``{value, unit, source}`` quantity
    (one leaf, however many keys it has) or an empty mapping.  Top-level keys in
    ``exclude`` are left out.

    >>> leaves({"a": {"b": 1, "c": {"value": 2, "unit": "GBP"}}, "options": {}})
    {('a', 'b'): 1, ('a', 'c'): {'value': 2, 'unit': 'GBP'}}
    """
    out: dict[LeafPath, Any] = {}

    def walk(node: Mapping, trail: LeafPath) -> None:
        for key, value in node.items():
            if not trail and key in exclude:
                continue
            path = (*trail, key)
            if isinstance(value, dict) and value and not is_quantity(value):
                walk(value, path)
            else:
                out[path] = value

    walk(raw, ())
    return out


def comparable(leaf: Any) -> Any:
    """A leaf without what documents it (the ``source`` and ``note`` of every
    quantity in it): two leaves differ when these differ.

    >>> comparable({"value": 2, "unit": "GBP", "source": "seed 002"})
    {'value': 2, 'unit': 'GBP'}
    >>> comparable([{"amount": {"value": 5, "source": "x"}}])
    [{'amount': {'value': 5}}]
    """
    if isinstance(leaf, dict):
        drop = NOT_COMPARED_KEYS if is_quantity(leaf) else ()
        return {k: comparable(v) for k, v in leaf.items() if k not in drop}
    if isinstance(leaf, list):
        return [comparable(v) for v in leaf]
    return leaf


def differing_paths(
    before: Mapping[LeafPath, Any], after: Mapping[LeafPath, Any]
) -> list[LeafPath]:
    """Paths whose leaves differ (or are set in one state only), in case-file
    order: those of ``after`` first, then those only in ``before``.

    >>> differing_paths({("a",): 1, ("b",): 2}, {("a",): 1, ("b",): 3, ("c",): 4})
    [('b',), ('c',)]
    """
    order = [*after, *(p for p in before if p not in after)]
    return [
        p
        for p in order
        if comparable(before.get(p, NOT_SET)) != comparable(after.get(p, NOT_SET))
    ]


def override_touches(pattern: str, path: LeafPath) -> bool:
    """Whether an override's dotted ``pattern`` (``*`` matches one key) sets the
    leaf at ``path``, or a part of it, or the mapping it lies in.

    >>> override_touches("services.*.enabled", ("services", "hr_od", "enabled"))
    True
    >>> override_touches("services.hr_od", ("services", "hr_od", "go_live"))
    True
    >>> override_touches("services.a.go_live", ("services", "b", "go_live"))
    False
    """
    parts = str(pattern).split(".")
    keys = [str(k) for k in path]
    return all(p in ("*", k) for p, k in zip(parts, keys, strict=False))


def bridge_order(
    paths: Sequence[LeafPath],
    to_overrides: Iterable[str] = (),
    from_overrides: Iterable[str] = (),
) -> list[tuple[LeafPath, str | None, str | None]]:
    """The differing paths in the order of the bridge (:data:`ORDER`), each with
    the ``to`` override that sets it and the ``from`` override it undoes (or None).

    ``paths`` come in case-file order (:func:`differing_paths`); a path goes with
    the first override, in the order written, that touches it.

    >>> p = [("s", "a", "on"), ("s", "b", "on"), ("s", "a", "go")]
    >>> [dotted(x) for x, _, _ in bridge_order(p, ["s.a.go"], ["s.*.on"])]
    ['s.a.go', 's.a.on', 's.b.on']
    """
    to_overrides, from_overrides = list(to_overrides), list(from_overrides)

    def first(overrides: list[str], path: LeafPath) -> tuple[int, str | None]:
        for i, pattern in enumerate(overrides):
            if override_touches(pattern, path):
                return i, pattern
        return len(overrides), None

    keyed = []
    for position, path in enumerate(paths):
        to_rank, to_pattern = first(to_overrides, path)
        from_rank, from_pattern = first(from_overrides, path)
        if to_pattern is not None:
            group, rank = 0, to_rank
        elif from_pattern is not None:
            group, rank = 1, from_rank
        else:
            group, rank = 2, 0
        keyed.append(((group, rank, position), (path, to_pattern, from_pattern)))
    return [item for _, item in sorted(keyed, key=lambda pair: pair[0])]


def with_leaf(raw: dict, path: LeafPath, leaf: Any) -> dict:
    """A copy of ``raw`` with the leaf at ``path`` set to ``leaf`` (mappings made
    on the way as needed), or removed where ``leaf`` is :data:`NOT_SET`.

    >>> with_leaf({"a": {"b": 1}}, ("a", "c"), 2)
    {'a': {'b': 1, 'c': 2}}
    >>> with_leaf({"a": {"b": 1, "c": 2}}, ("a", "b"), NOT_SET)
    {'a': {'c': 2}}
    """
    out = copy.deepcopy(raw)
    node = out
    for key in path[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    if leaf is NOT_SET:
        node.pop(path[-1], None)
    else:
        node[path[-1]] = copy.deepcopy(leaf)
    return out


def sequential_attribution(npvs: Sequence[float]) -> list[float]:
    """The NPV change of each step of a sequential attribution [GBP].

    ``change[i] = npv[i + 1] - npv[i]``, where ``npv[0]`` is the NPV of the
    ``from`` state, ``npv[-1]`` that of the ``to`` state and the others those of
    the intermediate states, each after one more step.  The changes add up to
    ``npv[-1] - npv[0]`` (a telescoping sum).

    Parameters: ``npvs`` [GBP], one more than the steps.  Source: sequential
    attribution.

    >>> sequential_attribution([100.0, 150.0, 120.0])
    [50.0, -30.0]
    """
    return [after - before for before, after in zip(npvs[:-1], npvs[1:], strict=True)]


# --- states of a case ----------------------------------------------------------


@dataclass(frozen=True)
class State:
    """A state of a case: its raw dict (overrides applied) and the case file it is
    read beside (where the files it names are found)."""

    raw: dict
    source: str | None


@dataclass(frozen=True)
class Figures:
    """The NPV of a state [GBP]: the whole partnership's and each council's."""

    npv: float
    councils: dict[str, float]


def figures_of(result_json: Mapping[str, Any]) -> Figures:
    """The NPVs of an option's ``results.json`` entry
    (:func:`models.engine.results.option_json`)."""
    return Figures(
        npv=result_json["npv"],
        councils={c: v["npv"] for c, v in result_json["councils"].items()},
    )


def option_figures(case: Case, option: str) -> Figures:
    """The NPVs of one option of a case, exactly as ``results.json`` has them."""
    return figures_of(option_json(run_option(case, option)))


def option_state(case: Case, option: str) -> tuple[State, Case]:
    """The state of a case an option sees, and the option's case validated: the
    case's raw dict with the option's overrides applied
    (:func:`models.engine.cases.option_case`)."""
    seen = cases.option_case(case, option)
    raw = seen._raw  # type: ignore[attr-defined]
    return State(raw=raw, source=getattr(case, "_source", None)), seen


def state_figures(state: State) -> Figures:
    """Validate a state as a case with one empty option and compute its NPVs.

    The state's raw dict, its options replaced by one without overrides, is
    checked as :func:`models.engine.cases.case_from_dict` checks a case (the
    schema, the files it names, the staff table and the option as
    :func:`~models.engine.cases.option_case` sees it) and run by
    :func:`models.engine.projection.run_option`.  Warnings (an unused basis, say)
    are for the case file, not for a state on the way: they are not shown.
    Raises :class:`InputError` if the state is not a valid case.
    """
    raw = dict(state.raw)
    raw.pop("recommendation", None)  # names an option this state does not have
    raw["options"] = {
        STATE_OPTION: {
            "title": "Bridge state",
            "description": "A state on the way of an NPV bridge.",
        }
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        case = cases.case_from_dict(raw, source=state.source)
        return option_figures(case, STATE_OPTION)


# --- the bridge ----------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    """One input that differs between the two states.

    ``before`` and ``after`` are the leaves (or :data:`NOT_SET`); ``source`` says
    where the ``after`` value comes from.  A difference of the files the case
    names (``is_file``) changes the state's ``source``, not its raw dict.
    """

    path: str
    before: Any
    after: Any
    source: str
    key: LeafPath = ()
    is_file: bool = False
    before_default: Any = NOT_SET
    after_default: Any = NOT_SET

    @property
    def shown_before(self) -> Any:
        """``before``, or the schema's default where it is not set."""
        return self.before_default if self.before is NOT_SET else self.before

    @property
    def shown_after(self) -> Any:
        """``after``, or the schema's default where it is not set."""
        return self.after_default if self.after is NOT_SET else self.after

    def apply(self, state: State, to_source: str | None) -> State:
        """The state with this difference applied."""
        if self.is_file:
            return State(raw=state.raw, source=to_source)
        return State(
            raw=with_leaf(state.raw, self.key, self.after), source=state.source
        )


@dataclass(frozen=True)
class Step:
    """One step of the bridge: the differences applied in it and the NPV change
    it makes [GBP], in all and for each council.  ``merged_because`` says why
    a step holds more than one difference (the state between them is not a
    valid case: the message of the check that failed)."""

    differences: tuple[Difference, ...]
    npv_change: float
    councils: dict[str, float]
    merged_because: str | None = None

    @property
    def path(self) -> str:
        """The dotted path of the input, or the paths joined by ' + '."""
        return " + ".join(d.path for d in self.differences)


@dataclass(frozen=True)
class Bridge:
    """An NPV bridge: the NPVs of the two states [GBP] and the steps between."""

    npv_from: Figures
    npv_to: Figures
    steps: list[Step]
    councils: list[str]
    order: str = ORDER

    @property
    def total_change(self) -> float:
        """``npv_to - npv_from`` [GBP]."""
        return self.npv_to.npv - self.npv_from.npv


def leaf_source(leaf: Any) -> str | None:
    """The ``source`` of a quantity leaf, if it has one.

    >>> leaf_source({"value": 1, "source": "seed 002 para 6.2"}), leaf_source(3)
    ('seed 002 para 6.2', None)
    """
    if is_quantity(leaf) and leaf.get("source"):
        return str(leaf["source"])
    return None


def differences(
    before: State,
    after: State,
    to_overrides: Mapping[str, Any] | None = None,
    from_overrides: Mapping[str, Any] | None = None,
    to_where: str = "the 'to' option's overrides",
    from_where: str = "the 'from' option's overrides",
    after_file: str = "the baseline in the case file",
    models: tuple[Case, Case] | None = None,
) -> list[Difference]:
    """The inputs that differ between two states, in the order of the bridge.

    ``to_overrides`` and ``from_overrides`` are the options' override mappings
    (their keys give the order, :func:`bridge_order`); ``to_where`` and
    ``from_where`` name them in the sources shown; ``after_file`` names where
    the ``after`` state's other values come from; ``models``, the two states
    validated, give the schema's default of an input one of them does not set
    (:func:`schema_value`).
    """
    before_leaves, after_leaves = leaves(before.raw), leaves(after.raw)
    paths = differing_paths(before_leaves, after_leaves)
    ordered = bridge_order(paths, to_overrides or {}, from_overrides or {})
    out = []
    for path, to_pattern, from_pattern in ordered:
        leaf = after_leaves.get(path, NOT_SET)
        if to_pattern is not None:
            where = f"{to_where}: {to_pattern}"
        elif leaf is NOT_SET:
            where = "the schema's default (not set in the case file)"
        else:
            where = after_file
        documented = leaf_source(leaf)
        source = documented or where
        if to_pattern is not None and documented and documented != where:
            # a bare number over a quantity is sourced "override in options..."
            is_override = documented.startswith("override in ")
            source = where if is_override else f"{where} ({documented})"
        if to_pattern is None and from_pattern is not None:
            source = f"{source}; undoes {from_where}: {from_pattern}"
        out.append(
            Difference(
                path=dotted(path),
                before=before_leaves.get(path, NOT_SET),
                after=leaf,
                source=source,
                key=path,
                before_default=schema_value(models[0], path) if models else NOT_SET,
                after_default=schema_value(models[1], path) if models else NOT_SET,
            )
        )
    return out


def schema_value(model: Any, path: LeafPath) -> Any:
    """The value a validated case gives the input at ``path`` (the schema's
    default where the case file does not set it), or :data:`NOT_SET`.

    A quantity gives its value; another part of the schema its fields.
    """
    node = model
    for key in path:
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, BaseModel) and key in type(node).model_fields:
            node = getattr(node, key)
        else:
            return NOT_SET
    if isinstance(node, Quantity):
        return node.value
    if isinstance(node, BaseModel):
        return node.model_dump(mode="python")
    return node


def bridge(
    before: State,
    after: State,
    steps: Sequence[Difference],
    npv_from: Figures,
    npv_to: Figures,
    evaluate: Callable[[State], Figures] = state_figures,
) -> Bridge:
    """Attribute ``npv_to - npv_from`` to the differences one at a time.

    Each difference is applied to the state so far and the state evaluated
    (``evaluate``: :func:`state_figures`); a state that is not a valid case
    (:class:`InputError`) is not evaluated, and its difference is merged with
    the next into one step.  The last step ends at ``after`` itself, whose NPVs
    are ``npv_to``; the first starts from ``npv_from``.  Step changes come from
    :func:`sequential_attribution`, so they add up to the whole change, and so do
    each council's.

    Parameters: ``npv_from``, ``npv_to`` the NPVs of the two states [GBP], as
    :func:`option_figures` gives them.  Source: sequential attribution.
    """
    councils = list(dict.fromkeys([*npv_from.councils, *npv_to.councils]))
    state = before
    points = [npv_from]
    groups: list[tuple[list[Difference], str | None]] = []
    pending: list[Difference] = []
    why: str | None = None
    for i, difference in enumerate(steps):
        state = difference.apply(state, after.source)
        pending.append(difference)
        if i == len(steps) - 1:
            points.append(npv_to)
        else:
            try:
                points.append(evaluate(state))
            except InputError as exc:
                why = why or exc.message
                continue
        groups.append((pending, why if len(pending) > 1 else None))
        pending, why = [], None
    totals = sequential_attribution([p.npv for p in points])
    by_council = {
        c: sequential_attribution([p.councils.get(c, 0.0) for p in points])
        for c in councils
    }
    return Bridge(
        npv_from=npv_from,
        npv_to=npv_to,
        steps=[
            Step(
                differences=tuple(group),
                npv_change=totals[k],
                councils={c: by_council[c][k] for c in councils},
                merged_because=reason,
            )
            for k, (group, reason) in enumerate(groups)
        ],
        councils=councils,
    )


def option_bridge(case: Case, from_option: str, to_option: str) -> Bridge:
    """The NPV bridge between two options of one case.

    Each option's state is the case's raw dict with its overrides applied; the
    differences are ordered by :data:`ORDER` (the ``to`` option's overrides, then
    the ``from`` option's undone).  ``npv_from`` and ``npv_to`` are those of
    ``results.json`` (:func:`option_figures`).
    """
    before, before_model = option_state(case, from_option)
    after, after_model = option_state(case, to_option)
    found = differences(
        before,
        after,
        to_overrides=case.options[to_option].overrides,
        from_overrides=case.options[from_option].overrides,
        to_where=f"options.{to_option}.overrides",
        from_where=f"options.{from_option}.overrides",
        models=(before_model, after_model),
    )
    return bridge(
        before,
        after,
        found,
        option_figures(case, from_option),
        option_figures(case, to_option),
    )


def file_difference(
    named_before: Mapping[str, str], named_after: Mapping[str, str], after_file: str
) -> Difference | None:
    """One difference for the files a case names whose SHA-256 differ (by name),
    or None if they are all the same.

    >>> file_difference({"s.csv": "ab"}, {"s.csv": "cd"}, "b/case.yaml").path
    'files named by the case: s.csv'
    """
    names = [
        n
        for n in dict.fromkeys([*named_before, *named_after])
        if named_before.get(n) != named_after.get(n)
    ]
    if not names:
        return None
    return Difference(
        path="files named by the case: " + ", ".join(names),
        before=", ".join(f"{n} {str(named_before.get(n, 'none'))[:12]}" for n in names),
        after=", ".join(f"{n} {str(named_after.get(n, 'none'))[:12]}" for n in names),
        source=f"the files beside {after_file} (SHA-256)",
        is_file=True,
    )


def case_bridge(
    case_from: Case,
    case_to: Case,
    from_option: str,
    to_option: str,
    named_from: Mapping[str, str] | None = None,
    named_to: Mapping[str, str] | None = None,
) -> Bridge:
    """The NPV bridge between an option of one case and an option of another
    (two runs of the same case: ``case_from`` from the earlier run's copy of its
    inputs, ``case_to`` from the later's).

    The raw differences come first, in the order of :data:`ORDER`, evaluated
    beside ``case_from``'s file; then, if the files the cases name differ
    (``named_from`` and ``named_to``: SHA-256 by file name, the baseline cost
    table left out as it is merged into the raw dict), one step that reads them
    beside ``case_to``'s file instead.
    """
    before, before_model = option_state(case_from, from_option)
    after, after_model = option_state(case_to, to_option)
    after_file = str(getattr(case_to, "_source", None) or "the 'to' case file")
    found = differences(
        before,
        after,
        to_overrides=case_to.options[to_option].overrides,
        from_overrides=case_from.options[from_option].overrides,
        to_where=f"options.{to_option}.overrides of {after_file}",
        from_where=f"options.{from_option}.overrides",
        after_file=after_file,
        models=(before_model, after_model),
    )
    files = file_difference(named_from or {}, named_to or {}, after_file)
    if files is not None:
        found.append(files)
    return bridge(
        before,
        after,
        found,
        option_figures(case_from, from_option),
        option_figures(case_to, to_option),
    )


def named_file_digests(case: Case, digest: Callable[[Path], str]) -> dict[str, str]:
    """SHA-256 (``digest``) of each file the case names that a state reads
    beside the case file, by its name relative to it; the baseline cost table is
    left out (it is merged into the case's raw dict)."""
    here = Path(getattr(case, "_source", None) or ".").parent
    names = [case.staff_at_risk, case.risk_register, *case.actuals]
    return {n: digest(here / n) for n in names if n and (here / n).is_file()}


# --- plain values for JSON and display -----------------------------------------


def plain_value(leaf: Any) -> Any:
    """A leaf as JSON can hold it: a quantity's value, a date as ISO text,
    :data:`NOT_SET` as None; numbers at full precision.

    >>> plain_value({"value": 95000, "unit": "GBP/year"}), plain_value(NOT_SET)
    (95000, None)
    >>> plain_value(dt.date(2011, 10, 1))
    '2011-10-01'
    """
    if leaf is NOT_SET:
        return None
    if is_quantity(leaf):
        return plain_value(leaf["value"])
    if isinstance(leaf, dt.date | dt.datetime):
        return leaf.isoformat()
    if isinstance(leaf, dict):
        return {str(k): plain_value(v) for k, v in leaf.items()}
    if isinstance(leaf, list):
        return [plain_value(v) for v in leaf]
    if isinstance(leaf, float) and not math.isfinite(leaf):
        return str(leaf)
    return leaf


def bridge_json(result: Bridge) -> dict[str, Any]:
    """The bridge as ``sharedcase diff --json`` prints it, money in pounds at full
    precision: ``npv_from``, ``npv_to``, ``steps`` (``path``, ``from``, ``to``,
    ``npv_change``, with ``source``, the ``differences`` of a merged step and why
    it was merged), ``councils`` (each council's ``npv_from``, ``npv_to`` and
    ``steps``) and the ``order``."""
    steps = []
    for step in result.steps:
        shown = [
            {
                "path": d.path,
                "from": plain_value(d.shown_before),
                "to": plain_value(d.shown_after),
                "source": d.source,
            }
            for d in step.differences
        ]
        entry: dict[str, Any] = {
            "path": step.path,
            "from": shown[0]["from"] if len(shown) == 1 else [s["from"] for s in shown],
            "to": shown[0]["to"] if len(shown) == 1 else [s["to"] for s in shown],
            "npv_change": step.npv_change,
            "source": "; ".join(s["source"] for s in shown),
        }
        if len(shown) > 1:
            entry["differences"] = shown
            entry["merged_because"] = step.merged_because
        steps.append(entry)
    return {
        "npv_from": result.npv_from.npv,
        "npv_to": result.npv_to.npv,
        "steps": steps,
        "councils": {
            c: {
                "npv_from": result.npv_from.councils.get(c, 0.0),
                "npv_to": result.npv_to.councils.get(c, 0.0),
                "steps": [
                    {"path": s.path, "npv_change": s.councils[c]} for s in result.steps
                ],
            }
            for c in result.councils
        },
        "order": result.order,
    }
