"""Assumption sets (`domwork compare --assumptions`): files, names, where their keys go, the verdicts, resume."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from model import shipped
from model.experiments import assumptions, compare
from model.experiments.report import _robustness_section
from model.run.store import ReplicateCache
from model.scenario.loading import ScenarioError, flat_values, load_scenario
from tests.helpers import assert_refused, cli

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
PATHS = [SCENARIOS / "baseline.yaml", SCENARIOS / "minimum_wage_hourly.yaml"]
TINY = {"workers.count": 150, "households.count": 220, "agencies.count": 2, "months": 6}
ARGS = [str(p) for p in PATHS] + [item for key, value in TINY.items() if key != "months"
                                  for item in ("--set", f"{key}={value}")] + [
    "--months", str(TINY["months"]), "--replicates", "3", "--assumptions", "baseline,wage_posting"]


# --- files and names ---------------------------------------------------------------------------


def test_every_shipped_set_loads_and_changes_exactly_its_keys(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # found by name from any folder
    names = shipped.names("assumptions")
    assert {"wage_posting", "elastic_demand", "inelastic_demand", "no_norms", "no_reference_pull"} <= set(names)
    default = flat_values(load_scenario(None))
    for name in names:
        found = assumptions.find(name)
        assert found.name == name and found.description and Path(found.source).parent.name == "assumptions"
        changed = {k for k, v in flat_values(load_scenario(None, found.overrides)).items() if default[k] != v}
        assert changed == set(found.overrides), name  # each key moves the model off the baseline
    assert assumptions.find("wage_posting").overrides == {"wages.regime": "posting"}
    everything = assumptions.parse("all")
    assert [s.name for s in everything] == ["baseline", *names] and everything[0].overrides == {}
    assert assumptions.parse(None) == [assumptions.NONE]


@pytest.mark.parametrize(("body", "fragments"), [
    ("name: x\nset:\n  wages.regim: posting\n", ["set: unknown key 'wages.regim'", "did you mean 'regime'"]),
    ("name: x\nset:\n  wages.regime: postng\n", ["set: wages.regime:", "'bargaining' or 'posting'"]),
    ("name: x\nset:\n  demand:\n    hours_elasticity: {elder_carer: 2}\n",
     ["set: demand.hours_elasticity.elder_carer:", "less than 1"]),
    ("name: x\nsett: {wages.regime: posting}\n", ["unknown key 'sett'", "did you mean 'set'"]),
    ("name: x\nset: {seed: 3}\n", ["set: seed:", "command line"]),
    ("name: x\nset: {workers.count: 30}\n", ["set: workers.count:", "population sizes"]),
    ("name: x\nset: {}\n", ["set: a mapping"]),
    ("name: all\nset: {wages.regime: posting}\n", ["name: 'all' is reserved"]),
    ("name: two words\nset: {wages.regime: posting}\n", ["name: letters, digits"]),
])
def test_a_bad_assumption_file_is_refused_naming_the_file_and_the_key(tmp_path, body, fragments):
    path = tmp_path / "mine.yaml"
    path.write_text(body)
    with pytest.raises(ScenarioError) as err:
        assumptions.load(path)
    for fragment in [str(path), *fragments]:
        assert fragment in str(err.value)


def test_bad_names_end_with_exit_2_listing_the_sets_and_write_nothing(tmp_path, capsys):
    out = tmp_path / "out"
    tiny = [*ARGS[:-2], "--workers", "1", "--quiet", "--out", str(out)]
    assert_refused(cli(["compare", *tiny, "--assumptions", "wage_postng"]), capsys.readouterr().err,
                   "--assumptions wage_postng", "did you mean 'wage_posting'", "baseline, elastic_demand")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nset: {compliance.norm_cost: 0}\n")
    assert_refused(cli(["compare", *tiny, "--assumptions", f"all,{bad}"]), capsys.readouterr().err,
                   str(bad), "compliance.norm_cost", "norm_cost_yuan")
    assert_refused(cli(["compare", *tiny, "--assumptions", "baseline,wage_posting,baseline"]),
                   capsys.readouterr().err, "'baseline' is given twice")
    assert not out.exists()
    assert cli(["scenarios"]) == 0
    listed = capsys.readouterr().out
    assert "--assumptions NAME" in listed and "wage_posting" in listed and "no_norms" in listed


# --- where the keys go -------------------------------------------------------------------------


def test_a_run_under_a_set_is_a_run_of_the_scenarios_with_its_keys_set():
    posting = assumptions.find("wage_posting")
    under = compare.load_entrants(PATHS, TINY, assumptions=posting)
    direct = compare.load_entrants(PATHS, {**TINY, "wages.regime": "posting"})
    plain = compare.load_entrants(PATHS, TINY)
    for a, b, c in zip(under, direct, plain, strict=True):
        assert a.scenario == b.scenario
        changed = {k for k, v in flat_values(a.scenario).items() if flat_values(c.scenario)[k] != v}
        assert changed == {"wages.regime"}  # what the set changes, nothing else
    # The command line still wins over the set.
    assert compare.load_entrants(PATHS, {**TINY, "wages.regime": "bargaining"},
                                 assumptions=posting)[1].scenario.wages.regime == "bargaining"
    ran = compare.run_comparison(under, 2, workers=1, assumptions=posting.name)
    again = compare.run_comparison(direct, 2, workers=1)
    table, reference = compare.comparison_table(ran), compare.comparison_table(again)
    assert (table["assumptions"] == "wage_posting").all() and (reference["assumptions"] == "").all()
    pd.testing.assert_frame_equal(table.drop(columns="assumptions"), reference.drop(columns="assumptions"))


def test_resume_reuses_every_finished_replicate_of_every_set_and_sets_do_not_collide(tmp_path):
    runs = [(s, compare.load_entrants(PATHS, TINY, assumptions=s)) for s in assumptions.parse("baseline,no_norms")]

    def run_all(cache: ReplicateCache) -> pd.DataFrame:
        results = [compare.run_comparison(entrants, 2, workers=1, cache=cache, assumptions=s.name)
                   for s, entrants in runs]
        return compare.stacked(compare.comparison_table, results)

    first = ReplicateCache(tmp_path, {"kind": "compare"})
    table = run_all(first)
    assert (first.stored, first.reused) == (8, 0)
    assert len({p.parent for p in tmp_path.glob("replicates/*/replicate-*.parquet")}) == 4  # a scenario, a set
    again = ReplicateCache(tmp_path, {"kind": "compare"})
    pd.testing.assert_frame_equal(run_all(again), table)
    assert (again.stored, again.reused) == (0, 8)


# --- robust or not -----------------------------------------------------------------------------


def _synthetic(name: str, effects: dict[str, list[float]]) -> compare.Comparison:
    """A comparison whose paired differences are ``effects`` (per metric, one a replicate)."""
    scenario = load_scenario(None)
    entrants = [compare.Entrant("baseline", "built-in", scenario), compare.Entrant("floor", "built-in", scenario)]
    index = pd.RangeIndex(len(next(iter(effects.values()))), name="replicate")
    zero = pd.DataFrame({m: 0.0 for m in effects}, index=index)
    return compare.Comparison(entrants, per_replicate={"baseline": zero, "floor": pd.DataFrame(effects, index=index)},
                              assumptions=name)


NOISE = [1.0, -1.0, 2.0, -2.0]
RESULTS = [
    _synthetic("baseline", {"employed": [-10, -12, -11, -9], "contract_share": [0.1, 0.11, 0.09, 0.1],
                            "unemployment_rate": NOISE, "mean_wage": NOISE}),
    _synthetic("no_norms", {"employed": [-10, -12, -11, -9], "contract_share": [0.1, 0.12, 0.09, 0.1],
                            "unemployment_rate": NOISE, "mean_wage": NOISE}),
    _synthetic("wage_posting", {"employed": [5, 6, 4, 5], "contract_share": [0.2, 0.21, 0.19, 0.2],
                                "unemployment_rate": NOISE, "mean_wage": [5, 6, 4, 5]}),
]
METRICS = ["employed", "contract_share", "unemployment_rate", "mean_wage"]


def test_an_effect_is_robust_when_its_sign_holds_under_every_set_else_it_names_the_sets_it_depends_on():
    found = {v.metric: v for v in assumptions.verdicts(RESULTS, METRICS)}
    employed = found["employed"]  # the minimum wage's employment effect flips sign under wage posting
    assert employed.signs == {"baseline": "-", "no_norms": "-", "wage_posting": "+"}
    assert (employed.kind, employed.depends_on, employed.short()) == ("depends", ["wage_posting"],
                                                                      "depends: wage_posting")
    assert employed.words() == "depends on wage_posting (rises there); falls under baseline"
    assert (found["contract_share"].kind, found["contract_share"].short()) == ("robust", "robust +")
    assert found["unemployment_rate"].kind == "unclear" and found["unemployment_rate"].depends_on == []
    assert found["mean_wage"].depends_on == ["wage_posting"]  # no clear sign under the first set, + under one
    table = assumptions.robustness_table(RESULTS, METRICS)
    assert table.loc[0, "verdict"] == "depends" and table.loc[0, "sign_under_wage_posting"] == "+"
    # Too few replicates for an interval: no clear sign.
    short = [_synthetic(r.assumptions, {"employed": [-10, -12]}) for r in RESULTS[:2]]
    assert assumptions.verdicts(short, ["employed"])[0].kind == "unclear"

    sets = [assumptions.IMPLICIT_BASELINE, assumptions.find("no_norms"), assumptions.find("wage_posting")]
    section = "\n".join(_robustness_section(RESULTS, sets, [(None, m, m.replace("_", " ")) for m in METRICS]))
    assert "- Robust: contract share (+)." in section
    assert "- Depends on an assumption: employed (wage_posting), mean wage (wage_posting)." in section
    assert "| employed | -10.5 [-12.6, -8.4] | -10.5 [-12.6, -8.4] | +5.0 [+3.7, +6.3] | depends on wage_posting" \
        in section


# --- the folder ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("assumptions") / "out"
    assert cli(["compare", *ARGS, "--workers", "1", "--out", str(out)]) == 0
    return out


@pytest.mark.forks  # --workers 2
def test_every_row_names_its_set_and_the_report_says_what_is_robust(folder, capsys, tmp_path):
    for name in ("comparison.csv", "group_effects.csv", "pairing.csv", "replicates.csv"):
        table = pd.read_csv(folder / name)
        assert list(table["assumptions"].unique()) == ["baseline", "wage_posting"], name
    table = pd.read_csv(folder / "comparison.csv")
    assert len(table) == 2 * 2 * len(compare.summary_metrics())
    report = (folder / "report.md").read_text()
    assert "## Robustness across assumption sets" in report and "| under baseline | under wage_posting | sign |" \
        in report and "`wages.regime: posting`" in report
    assert "**baseline**, the first" in report
    sheets = pd.read_excel(folder / "comparison.xlsx", sheet_name=None)
    assert set(sheets["robustness"]["verdict"]) <= {"robust", "depends", "unclear"}
    assert "Robustness across assumption sets" in (folder / "report.html").read_text()
    for name in ("baseline", "wage_posting"):
        assert (folder / "scenarios" / name / "minimum_wage_hourly.yaml").is_file()
    assert "regime: posting" in (folder / "scenarios" / "wage_posting" / "baseline.yaml").read_text()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert [s["name"] for s in manifest["assumptions"]] == ["baseline", "wage_posting"]
    assert manifest["assumptions"][1]["set"] == {"wages.regime": "posting"}

    # The same bytes on two processes; the terminal shows the sign row.
    again = tmp_path / "again"
    assert cli(["compare", *ARGS, "--workers", "2", "--out", str(again)]) == 0
    printed = capsys.readouterr().out
    assert "minimum_wage_hourly  sign" in printed and "wage_posting" in printed
    for name in ("comparison.csv", "group_effects.csv", "replicates.csv", "report.md"):
        assert (folder / name).read_bytes() == (again / name).read_bytes(), name
