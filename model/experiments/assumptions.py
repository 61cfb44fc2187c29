"""Assumption sets: named structural alternatives a comparison runs under (``domwork compare --assumptions``).

Like the behavioural-response presets of tax-benefit models, a set names a modelling choice
the evidence leaves open (how wages are set, how elastic demand is, whether norms act) and
the scenario keys that make it. It is a YAML file, shipped in ``assumptions/`` or anywhere::

    name: wage_posting
    description: what the set assumes and why, with its source
    set:
      wages.regime: posting          # dotted scenario keys, as --set takes them

``baseline`` is the implicit set of no keys: the model as calibrated. ``all`` is ``baseline``
and every shipped set, by name.

**Where the keys go.** Under a set, every scenario of the comparison gets the set's keys after
its own file (and what it extends) and before the command line (``--set``, ``--months``,
``--seed``), which still wins. A set may not change what pairs the runs (seed, months,
population sizes) nor name the scenario, so replicate k runs with the same seed under every
set: common random numbers across sets too.

**Robust or not.** The sign of an effect under a set is ``+`` when its 95% interval lies
above 0, ``-`` when it lies below, and ``0`` otherwise (the interval includes 0, fewer than
3 replicates give none, or the scenarios do not differ at all). An effect is *robust* when
its sign is ``+`` under every set, or ``-`` under every set. Otherwise it *depends on* the
sets under which its sign differs from its sign under the first set named (``baseline``
with ``all``); under none of them clear, it is *unclear*.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from model import shipped
from model.experiments.compare import COMPARABLE, Comparison, Difference
from model.experiments.design import check_name, refuse_unknown
from model.scenario.loading import ScenarioError, check_overrides, flatten, read_yaml_mapping

KIND = "assumptions"  # the shipped folder (model.shipped)
BASELINE = "baseline"
ALL = "all"
OPTION = "--assumptions"
KEYS = ("name", "description", "set")
# What a set may not change: what names a scenario, and what pairs the runs replicate by replicate.
FIXED = ("name", "description", "extends", "replicates", *COMPARABLE)
PLUS, MINUS, UNCLEAR = "+", "-", "0"
RULE = ("An effect's sign under a set is + when its 95% interval lies above 0, - when it lies below, and 0 "
        "otherwise (the interval includes 0, or fewer than 3 replicates give none). An effect is **robust** when its "
        "sign is + under every set, or - under every set; otherwise it **depends on** the sets under which its sign "
        "differs from its sign under the first set; with no clear sign under any set it is **unclear**.")
_WORDS = {PLUS: "rises", MINUS: "falls", UNCLEAR: "no clear change"}


@dataclass(frozen=True)
class AssumptionSet:
    """A named set of scenario keys that every compared scenario gets.

    Attributes:
        name: how tables name it (the ``assumptions`` column); empty for a comparison run without sets.
        description: what it assumes and why.
        source: the file it came from (empty for ``baseline`` and for no set).
        overrides: dotted scenario keys and their values.
    """

    name: str
    description: str = ""
    source: str = ""
    overrides: Mapping[str, Any] = field(default_factory=dict)

    def layered(self, overrides: Mapping[str, Any] | None,
                labels: Mapping[str, str] | None) -> tuple[dict[str, Any], dict[str, str]]:
        """What an entrant gets under this set: its keys, then ``overrides`` (the command line) on top.

        Returns the merged overrides and how to name each key's source in messages (this
        file for its own keys, ``labels`` for the command line's).
        """
        given = dict(overrides or {})
        merged = {**{k: v for k, v in self.overrides.items() if k not in given}, **given}
        named = {k: f"{self.source}: set" for k in self.overrides if k not in given}
        return merged, {**named, **(labels or {})}


NONE = AssumptionSet("")  # a comparison run without --assumptions: no keys, an empty column
IMPLICIT_BASELINE = AssumptionSet(BASELINE, "the model as calibrated: no key changed")


def load(path: str | Path) -> AssumptionSet:
    """Read and check an assumption file.

    Raises:
        ScenarioError: naming the file, the key and what is wrong.
    """
    path = Path(path)
    data = read_yaml_mapping(path)
    where = str(path)
    refuse_unknown(where, "", data, KEYS)
    name = check_name(where, data.get("name", path.stem))
    if name in (BASELINE, ALL):
        raise ScenarioError(f"{where}: name: '{name}' is reserved ({BASELINE}: the implicit set of no keys; "
                            f"{ALL}: every set); choose another name")
    description = data.get("description", "")
    if not isinstance(description, str):
        raise ScenarioError(f"{where}: description: must be text")
    given = data.get("set")
    if not isinstance(given, Mapping) or not given or not all(isinstance(k, str) for k in given):
        raise ScenarioError(f"{where}: set: a mapping of dotted scenario keys to values "
                            "(e.g. wages.regime: posting); a set that changes nothing is the baseline")
    overrides = flatten(given)
    for dotted in overrides:
        fixed = next((k for k in FIXED if dotted == k or dotted.startswith(f"{k}.")), None)
        if fixed is not None:
            raise ScenarioError(f"{where}: set: {dotted}: an assumption set changes how the model works, not what "
                                "names a scenario or pairs the runs (seed, months, population sizes); give those "
                                "on the command line")
    check_overrides(overrides, f"{where}: set")
    return AssumptionSet(name, " ".join(description.split()), where, overrides)


def find(item: str) -> AssumptionSet:
    """The set ``item`` names: ``baseline``, a shipped set's name, or a file (a file in this folder wins).

    Raises:
        ScenarioError: for a name that is neither, listing the shipped sets.
    """
    if item == BASELINE:
        return IMPLICIT_BASELINE
    path = shipped.resolve(Path(item), KIND)
    if path.exists():
        return load(path)
    known = [BASELINE, *shipped.names(KIND)]
    if "/" in item or "\\" in item or item.endswith((".yaml", ".yml")):
        raise ScenarioError(f"{OPTION} {item}: file not found ({path.absolute()})")
    close = difflib.get_close_matches(item, known, n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    raise ScenarioError(f"{OPTION} {item}: unknown assumption set{hint}; the sets are {', '.join(known)} "
                        f"(or '{ALL}', or an assumption file's path)")


def parse(text: str | None) -> list[AssumptionSet]:
    """The sets of ``--assumptions NAME,...|all``, in the order given; ``[NONE]`` without the option.

    ``all`` is ``baseline`` then every shipped set by name; it may be combined with files.
    """
    if text is None:
        return [NONE]
    items = [item.strip() for item in text.split(",")]
    if not all(items):
        raise ScenarioError(f"{OPTION} {text!r}: expected NAME,NAME,... (shipped sets, files, or '{ALL}')")
    names = []
    for item in items:
        names += [BASELINE, *shipped.names(KIND)] if item == ALL else [item]
    sets: list[AssumptionSet] = []
    for item in names:
        found = find(item)
        if any(s.name == found.name for s in sets):
            raise ScenarioError(f"{OPTION} {text}: the set '{found.name}' is given twice")
        sets.append(found)
    return sets


# --- robust or not -----------------------------------------------------------------------------


def sign(d: Difference) -> str:
    """``+`` when the 95% interval lies above 0, ``-`` below, else ``0`` (no interval, or one that holds 0)."""
    if d.low is None or d.high is None or d.identical:
        return UNCLEAR
    return PLUS if d.low > 0 else MINUS if d.high < 0 else UNCLEAR


@dataclass(frozen=True)
class Verdict:
    """Whether one option's effect on one metric keeps its sign under every assumption set.

    Attributes:
        scenario: the option (a scenario other than the reference).
        metric: the metric.
        signs: set name -> the effect's sign under it, in the order the sets ran.
    """

    scenario: str
    metric: str
    signs: dict[str, str]

    @property
    def first(self) -> str:
        """The sign under the first set."""
        return next(iter(self.signs.values()))

    @property
    def robust(self) -> bool:
        """The same clear sign under every set."""
        return self.first != UNCLEAR and all(s == self.first for s in self.signs.values())

    @property
    def depends_on(self) -> list[str]:
        """The sets under which the sign differs from the first set's."""
        return [name for name, s in self.signs.items() if s != self.first]

    @property
    def kind(self) -> str:
        """``robust``, ``depends`` or ``unclear`` (no clear sign under any set)."""
        return "robust" if self.robust else "depends" if self.depends_on else "unclear"

    def short(self) -> str:
        """``robust +``, ``depends: wage_posting`` or ``unclear``: for the terminal."""
        if self.kind == "robust":
            return f"robust {self.first}"
        return f"depends: {', '.join(self.depends_on)}" if self.depends_on else "unclear"

    def words(self) -> str:
        """``robust: rises under every set``, ``depends on wage_posting (rises there); falls under baseline``."""
        if self.kind == "robust":
            return f"robust: {_WORDS[self.first]} under every set"
        if not self.depends_on:
            return "unclear: no clear change under any set"
        first_name = next(iter(self.signs))
        others = ", ".join(f"{name} ({_WORDS[self.signs[name]]} there)" for name in self.depends_on)
        return f"depends on {others}; {_WORDS[self.first]} under {first_name}"


def verdicts(results: Sequence[Comparison], metrics: Sequence[str]) -> list[Verdict]:
    """Every option's verdict on every metric, from the same comparison run under each set."""
    out = []
    for entrant in results[0].others:
        for metric in metrics:
            signs = {r.assumptions: sign(r.difference(entrant.label, metric)) for r in results}
            out.append(Verdict(entrant.label, metric, signs))
    return out


def robustness_table(results: Sequence[Comparison], metrics: Sequence[str]) -> pd.DataFrame:
    """``scenario, metric, verdict, depends_on, in_words`` and the sign under each set (``sign_under_<set>``)."""
    rows = []
    for v in verdicts(results, metrics):
        row = {"scenario": v.scenario, "metric": v.metric, "verdict": v.kind, "depends_on": ", ".join(v.depends_on),
               "in_words": v.words()}
        row.update({f"sign_under_{name}": s for name, s in v.signs.items()})
        rows.append(row)
    return pd.DataFrame(rows)
