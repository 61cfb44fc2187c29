"""`domwork compare`: paired differences with common random numbers, adaptive replicates, outputs, bad input."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.core.rng import replicate_seed
from model.experiments import compare, measures
from model.experiments.compare import Difference, Target
from model.experiments.report import diff_text, headline_sentence, terminal_table
from tests.helpers import assert_refused, cli
from tests.run.test_hardening import _assert_clean_exit, _stop_while_running

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
BASELINE = SCENARIOS / "baseline.yaml"
SIZE = {"workers.count": 600, "households.count": 900, "agencies.count": 6, "months": 24}
SMALL = [item for key, value in SIZE.items() if key != "months" for item in ("--set", f"{key}={value}")] + [
    "--months", str(SIZE["months"]), "--quiet"]
CONTRACT_COLUMNS = ["scenario", "metric", "mean", "ci_low", "ci_high", "diff_vs_first", "diff_ci_low",
                    "diff_ci_high", "replicates", "assumptions"]
FIGURES = ("compare_wages.png", "compare_formalization.png", "compare_unemployment.png", "compare_agency_use.png",
           "effects.png", "scorecard.png", "who_gains.png")


def scenario_file(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"name: {name}\nextends: {BASELINE}\n{body}", encoding="utf-8")
    return path


def run_api(paths, replicates=3, targets=(), max_replicates=8, size=None, **kwargs) -> compare.Comparison:
    entrants = compare.load_entrants(paths, {**SIZE, **(size or {})})
    return compare.run_comparison(entrants, replicates, targets, max_replicates=max_replicates, workers=1, **kwargs)


# --- the folder a comparison writes ------------------------------------------------------------


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("compare") / "out"
    status = cli(["compare", str(BASELINE), str(SCENARIOS / "contract_mandate.yaml"), str(SCENARIOS / "fee_ban.yaml"),
                  *SMALL, "--replicates", "3", "--workers", "1", "--out", str(out)])
    assert status == 0
    return out


def test_compare_writes_the_contracted_table_report_figures_and_manifest(folder):
    table = pd.read_csv(folder / "comparison.csv")
    assert list(table.columns) == CONTRACT_COLUMNS
    assert table["assumptions"].isna().all()  # the column is there, empty without --assumptions
    metrics = compare.summary_metrics()
    assert list(table["scenario"].unique()) == ["baseline", "contract_mandate", "fee_ban"]
    assert len(table) == 3 * len(metrics)
    assert list(table.loc[table["scenario"] == "fee_ban", "metric"]) == metrics
    first = table[table["scenario"] == "baseline"]
    assert (first[["diff_vs_first", "diff_ci_low", "diff_ci_high"]] == 0).all().all()
    assert (table["replicates"] == 3).all()
    # The first scenario's levels are summary.json's numbers (means over the last 12 months of 3 replicates).
    reps = pd.read_csv(folder / "replicates.csv")
    mean = reps.loc[reps["scenario"] == "fee_ban", "worker_fees_paid"].mean()
    row = table[(table["scenario"] == "fee_ban") & (table["metric"] == "worker_fees_paid")].iloc[0]
    assert row["mean"] == pytest.approx(mean)
    assert row["ci_low"] <= row["mean"] <= row["ci_high"]
    # The paired difference is the mean of the per-replicate differences.
    base = reps.loc[reps["scenario"] == "baseline", "worker_fees_paid"].to_numpy()
    ban = reps.loc[reps["scenario"] == "fee_ban", "worker_fees_paid"].to_numpy()
    assert row["diff_vs_first"] == pytest.approx((ban - base).mean())
    assert list(reps["seed"].unique()) == [replicate_seed(20160317, k) for k in range(3)]

    report = (folder / "report.md").read_text()
    assert "## Scenarios" in report and "Written labour contracts required" in report
    assert "**Contract share** (baseline:" in report and "against baseline." in report
    assert "## Standards scorecard" in report and "## Who gains, who pays" in report
    assert "Variance saved by pairing" in report
    for name in FIGURES:
        assert (folder / "figures" / name).read_bytes().startswith(b"\x89PNG"), name
        assert f"figures/{name}" in report
    for name in ("baseline", "contract_mandate", "fee_ban"):
        assert (folder / "scenarios" / f"{name}.yaml").is_file()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["seeds"] == [replicate_seed(20160317, k) for k in range(3)]
    assert [s["replicates"] for s in manifest["scenarios"]] == [3, 3, 3]
    assert manifest["command"][:2] == ["domwork", "compare"] and manifest["wall_seconds"] > 0
    pairing = pd.read_csv(folder / "pairing.csv")
    assert set(pairing["scenario"]) == {"contract_mandate", "fee_ban"}
    assert not [p for p in folder.parent.iterdir() if ".partial-" in p.name]


def test_the_same_seed_gives_the_same_bytes_with_any_number_of_processes(folder, tmp_path):
    again = tmp_path / "again"
    assert cli(["compare", str(BASELINE), str(SCENARIOS / "contract_mandate.yaml"), str(SCENARIOS / "fee_ban.yaml"),
                *SMALL, "--replicates", "3", "--workers", "2", "--out", str(again)]) == 0
    for name in ("comparison.csv", "pairing.csv", "replicates.csv", "report.md", "scenarios/fee_ban.yaml",
                 *(f"figures/{f}" for f in FIGURES)):
        assert (folder / name).read_bytes() == (again / name).read_bytes(), name


# --- common random numbers ---------------------------------------------------------------------


def test_a_scenario_compared_with_itself_differs_by_exactly_zero_everywhere():
    result = run_api([BASELINE, BASELINE], replicates=3)
    assert [e.label for e in result.entrants] == ["baseline", "baseline-2"]
    table = compare.comparison_table(result)
    other = table[table["scenario"] == "baseline-2"]
    assert len(other) == len(compare.summary_metrics())
    measured = other[other["mean"].notna()]  # a law's compliance is empty while no such law is in force
    assert len(measured) > 0.9 * len(other)
    assert (measured[["diff_vs_first", "diff_ci_low", "diff_ci_high"]] == 0).all().all()
    first = table[table["scenario"] == "baseline"]
    np.testing.assert_array_equal(other["mean"].to_numpy(), first["mean"].to_numpy())
    assert "0 (identical)" in diff_text("contract_share", result.difference("baseline-2", "contract_share"))
    table = terminal_table(result).splitlines()
    assert table[0].split()[:3] == ["scenario", "reps", "contract_share"]
    assert table[2].startswith("baseline-2") and table[2].count("0 (identical)") == len(table[0].split()) - 2


def test_a_disabled_policy_gives_identical_bytes(tmp_path):
    off = scenario_file(tmp_path, "mandate_off", "policies:\n  contract_mandate: {enabled: false, enforcement: 1.0, "
                        "fine: 90000.0}\n  worker_fee_cap: {enabled: false, max_share: 0.0, enforcement: 1.0}\n")
    result = run_api([BASELINE, off], replicates=2)
    first, other = (result.timeseries[label].to_csv(index=False) for label in ("baseline", "mandate_off"))
    assert first == other
    sentence = headline_sentence(result, "contract_share", "contract share")
    assert "identical in every replicate under mandate_off" in sentence


# Each lever at full strength, with the outcomes it must move and which way. The insurance and employee-based
# levers act much through employee-based agencies: with ten agencies, whether one exists at all varies from
# replicate to replicate, so they are compared in a city that starts with a few.
FULL_STRENGTH = {
    "mandate": ("policies:\n  contract_mandate: {enabled: true, enforcement: 1.0, fine: 50000.0}\n",
                [("contract_share", +1)]),
    "fee_ban": ("policies:\n  worker_fee_cap: {enabled: true, max_share: 0.0, enforcement: 1.0, fine: 50000.0}\n",
                [("worker_fees_paid", -1)]),
    "hourly_minimum": ("policies:\n  minimum_wage: {enabled: true, hourly: 20.3, enforcement: 1.0}\n",
                       [("p10_wage", +1), ("mean_wage", +1)]),
    "training": ("policies:\n  training: {enabled: true, subsidy_share: 1.0}\n", [("public_subsidies", +1)]),
    "hukou": ("policies:\n  hukou_reform: {enabled: true}\n", [("workers", +1)]),
}
WITH_EMPLOYEE_BASED = {
    "insurance": ("policies:\n  insurance_subsidy: {enabled: true, share: 1.0}\n", [("insured_share", +1)]),
    "employee_based": ("policies:\n  employee_based_support: {enabled: true, subsidy_per_worker: 1500.0}\n"
                       "  insurance_subsidy: {enabled: true, share: 1.0}\n",
                       [("employee_based_share", +1), ("insured_share", +1)]),
}
FULL_SIZE = {"workers.count": 1000, "households.count": 1500, "agencies.count": 10, "months": 36}


@pytest.fixture(scope="module")
def full_strength(tmp_path_factory) -> dict[str, compare.Comparison]:
    tmp = tmp_path_factory.mktemp("full")
    results = {}
    for levers, extra in ((FULL_STRENGTH, {}), (WITH_EMPLOYEE_BASED, {"agencies.employee_based_share": 0.2})):
        paths = [BASELINE] + [scenario_file(tmp, name, body) for name, (body, _) in levers.items()]
        result = run_api(paths, replicates=3, size={**FULL_SIZE, **extra})
        results.update(dict.fromkeys(levers, result))
    return results


@pytest.mark.parametrize("name", [*FULL_STRENGTH, *WITH_EMPLOYEE_BASED])
def test_each_policy_at_full_strength_moves_its_outcomes_the_expected_way(full_strength, name):
    for metric, sign in {**FULL_STRENGTH, **WITH_EMPLOYEE_BASED}[name][1]:
        d = full_strength[name].difference(name, metric)
        assert d.low is not None
        assert (d.low > 0) if sign > 0 else (d.high < 0), f"{name}: {metric} {d}"


def test_pairing_saves_variance_on_a_policy_effect(full_strength):
    d = full_strength["mandate"].difference("mandate", "mean_wage")
    assert d.var_paired < d.var_independent
    assert 0 < d.variance_saved <= 1


# --- adaptive replicates -----------------------------------------------------------------------


def test_adaptive_replicates_stop_early_on_a_large_effect_and_add_them_on_a_small_one(tmp_path):
    strong = scenario_file(tmp_path, "strong", "policies:\n  contract_mandate: {enabled: true, enforcement: 1.0, "
                           "fine: 50000.0}\n")
    weak = scenario_file(tmp_path, "weak", "policies:\n  contract_mandate: {enabled: true, enforcement: 0.01, "
                         "fine: 1000.0}\n")
    result = run_api([BASELINE, strong, weak], replicates=3, targets=compare.parse_precision(["contract_share=sign"]),
                     max_replicates=9, size={"months": 18})
    assert result.replicates("strong") == 3 and result.status["strong"] == "met"
    assert result.difference("strong", "contract_share").low > 0
    weak_diff = result.difference("weak", "contract_share")
    assert not weak_diff.identical, "the weak mandate must move something for this test to mean anything"
    assert result.replicates("weak") > 3
    assert result.status["weak"] in {"met", "max"}
    assert compare.met(Target("contract_share", None), weak_diff) or result.replicates("weak") == 9
    # The reference is paired with every replicate any other scenario got; blocks never repeat a replicate.
    assert result.replicates("baseline") == result.replicates("weak")
    for label in ("baseline", "weak"):
        blocks = [b for b in result.blocks if b["scenario"] == label]
        assert [b["first"] for b in blocks] == [sum(b["replicates"] for b in blocks[:k]) for k in range(len(blocks))]
        assert sorted(result.timeseries[label]["replicate"].unique()) == list(range(result.replicates(label)))


def test_a_tight_half_width_adds_replicates_up_to_the_maximum():
    targets = compare.parse_precision(["mean_wage=0.01"])
    result = run_api([BASELINE, SCENARIOS / "fee_ban.yaml"], replicates=3, targets=targets, max_replicates=5,
                     size={"months": 12})
    assert result.replicates("fee_ban") == 5 and result.status["fee_ban"] == "max"
    loose = run_api([BASELINE, SCENARIOS / "fee_ban.yaml"], replicates=3,
                    targets=compare.parse_precision(["mean_wage=100000"]), max_replicates=5, size={"months": 12})
    assert loose.replicates("fee_ban") == 3 and loose.status["fee_ban"] == "met"


def test_a_later_block_of_replicates_equals_the_same_replicates_run_at_once():
    from model.run.runner import run_replicates

    scenario = compare.load_entrants([BASELINE, BASELINE], {**SIZE, "months": 6})[0].scenario
    whole = run_replicates(scenario, replicates=3, workers=1)
    parts = pd.concat([run_replicates(scenario, replicates=1, workers=1),
                       run_replicates(scenario, replicates=2, workers=1, first=1)], ignore_index=True)
    pd.testing.assert_frame_equal(whole, parts)


def _diff(n, mean, half, var=1.0) -> Difference:
    return Difference(n, mean, mean - half, mean + half, var, 2 * var)


def test_the_stopping_rules():
    assert compare.met(Target("x", 0.1), _diff(3, 5.0, 0.1))
    assert not compare.met(Target("x", 0.1), _diff(3, 5.0, 0.2))
    assert compare.met(Target("x", None), _diff(3, 0.5, 0.4))
    assert not compare.met(Target("x", None), _diff(3, 0.5, 0.6))
    assert compare.met(Target("x", None), _diff(3, 0.0, 0.0, var=0.0)), "identical runs: nothing to settle"
    assert not compare.met(Target("x", 0.1), Difference(2, 1.0, None, None, 1.0, 2.0)), "no interval below 3"
    # Variance 1 with 3 pairs: a half-width of 0.5 needs about (2 * 1 / 0.5)^2 = 16 pairs or more.
    assert 16 <= compare.needed(Target("x", 0.5), _diff(3, 5.0, 2.5)) <= 40
    assert compare.needed(Target("x", None), _diff(3, 0.0, 1.0)) == float("inf")
    assert compare.next_size(3, 100, 40) == 6, "at most double"
    assert compare.next_size(10, 11, 40) == 12, "at least two more"
    assert compare.next_size(30, 100, 40) == 40, "at most the maximum"


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("extra", "fragments"), [
    (["--precision", "contract_shar=0.01"], ["--precision", "contract_shar", "did you mean 'contract_share'"]),
    (["--precision", "contract_share=-1"], ["--precision", "above 0"]),
    (["--precision", "contract_share=wide"], ["--precision", "above 0"]),
    (["--precision", "contract_share"], ["--precision", "METRIC=HALFWIDTH"]),
    (["--precision", "mean_wage=10", "--precision", "mean_wage=20"], ["mean_wage", "twice"]),
    (["--precision", "mean_wage=10", "--replicates", "5", "--max-replicates", "4"], ["--max-replicates 4", "5"]),
    (["--replicates", "3", "--max-replicates", "9"], ["--max-replicates", "--precision"]),
    (["--replicates", "0"], ["--replicates", "replicates"]),
    (["--workers", "0"], ["--workers 0"]),
    (["--allow-different", "seed"], ["--allow-different seed", "population"]),
    (["--set", "policies.contract_mandate.enforcment=1"], ["--set", "enforcment"]),
])
def test_bad_options_exit_2_naming_the_problem_and_write_nothing(tmp_path, capsys, extra, fragments):
    out = tmp_path / "out"
    status = cli(["compare", str(BASELINE), str(SCENARIOS / "fee_ban.yaml"), *SMALL, "--out", str(out), *extra])
    assert_refused(status, capsys.readouterr().err, *fragments)
    assert not out.exists()


def test_incomparable_scenarios_are_refused_naming_the_file_and_key(tmp_path, capsys):
    longer = scenario_file(tmp_path, "longer", "months: 60\nseed: 7\n")
    out = tmp_path / "out"
    status = cli(["compare", str(BASELINE), str(longer), "--quiet", "--out", str(out)])
    assert_refused(status, capsys.readouterr().err, str(longer), "months is 60", "seed is 7", str(BASELINE),
                   "--seed N", "--months N")
    assert not out.exists()
    # Set for all on the command line, they are comparable.
    entrants = compare.load_entrants([BASELINE, longer], {"months": 12, "seed": 3})
    assert {e.scenario.months for e in entrants} == {12} and {e.scenario.seed for e in entrants} == {3}


def test_population_sizes_must_match_unless_allowed_or_set_for_all(capsys):
    no_agencies = SCENARIOS / "no_agencies.yaml"
    status = cli(["compare", str(BASELINE), str(no_agencies), "--quiet"])
    assert_refused(status, capsys.readouterr().err, str(no_agencies), "agencies.count is 0", "--allow-different")
    assert len(compare.load_entrants([BASELINE, no_agencies], allow_different=["agencies.count"])) == 2
    assert len(compare.load_entrants([BASELINE, no_agencies], {"agencies.count": 3})) == 2


def test_one_scenario_or_a_missing_file_is_refused(tmp_path, capsys):
    assert_refused(cli(["compare", str(BASELINE), "--quiet"]), capsys.readouterr().err, "at least two")
    missing = tmp_path / "nowhere.yaml"
    assert_refused(cli(["compare", str(BASELINE), str(missing), "--quiet"]), capsys.readouterr().err, str(missing),
                   "not found")


def test_a_non_empty_out_folder_is_refused_and_left_untouched(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    for force in ([], ["--force"]):
        status = cli(["compare", str(BASELINE), str(BASELINE), *SMALL, "--replicates", "1", "--out", str(out), *force])
        assert_refused(status, capsys.readouterr().err, "--force" if not force else "no domwork command wrote")
        assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_force_replaces_an_earlier_comparison(folder, tmp_path):
    out = tmp_path / "earlier"
    shutil.copytree(folder, out)
    assert cli(["compare", str(BASELINE), str(BASELINE), *SMALL, "--replicates", "1", "--workers", "1",
                "--out", str(out), "--force"]) == 0
    assert set(pd.read_csv(out / "comparison.csv")["scenario"]) == {"baseline", "baseline-2"}


# --- what the report says --------------------------------------------------------------------


def test_differences_read_in_points_and_yuan():
    d = Difference(10, 0.52, 0.49, 0.55, 1e-4, 1e-2)
    assert diff_text("contract_share", d) == "+52.0 points [+49.0, +55.0]"
    assert diff_text("mean_wage", Difference(10, 120.0, 100.0, 140.0, 1.0, 2.0)) == "+120 yuan [+100, +140]"
    assert diff_text("contract_share", Difference(2, 0.1, None, None, 1.0, 2.0)).endswith("(no interval: 2 replicates)")


def test_standards_read_the_model_columns_and_fall_back_while_they_are_missing():
    from model.core.metrics import COLUMNS

    # This model version measures every standard and every party's money: no stand-ins are shown.
    for measure in (*measures.SCORECARD, *(m for _, m in measures.WHO_GAINS), *measures.HEADLINE):
        assert measure.resolve(COLUMNS) == (measure.column, measure.label), measure.column
    stand_in = measures.Measure("new_share", "a new share", (("contract_share", "contract share instead"),))
    assert stand_in.resolve({"contract_share"}) == ("contract_share", "contract share instead")
    assert stand_in.resolve({"insured_share"}) is None
    assert measures.unit("c181_no_fee_share") == measures.SHARE
    assert measures.unit("state_net_cost") == measures.YUAN
    assert measures.unit("agencies_active") == measures.COUNT


def test_every_compared_scenario_s_policy_start_months_are_marked():
    from model.experiments.compare_figures import context

    entrants = compare.load_entrants([BASELINE, SCENARIOS / "c189_package.yaml", SCENARIOS / "fee_cap.yaml"])
    starts = context(compare.Comparison(entrants)).policy_starts
    assert (13, "contract mandate") in starts and (1, "worker fee cap") in starts and (13, "worker fee cap") in starts


# --- interruption ------------------------------------------------------------------------------


def test_ctrl_c_stops_a_comparison_at_once_and_leaves_nothing(tmp_path):
    out = tmp_path / "out"
    log = tmp_path / "stderr.txt"
    big = ["--set", "workers.count=40000", "--set", "households.count=60000", "--set", "agencies.count=450",
           "--months", "360", "--replicates", "2", "--workers", "2"]
    with log.open("wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "model.cli", "compare", str(BASELINE),
                                 str(SCENARIOS / "fee_ban.yaml"), *big, "--out", str(out)],
                                cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                                start_new_session=True)
    elapsed, children = _stop_while_running(proc, "SIGINT", after=1.5)
    _assert_clean_exit(proc, elapsed, out, log, children, tmp_path=tmp_path)
    assert "Traceback" not in log.read_text(errors="replace")


# --- the scorecard in a comparison -------------------------------------------------------------


def test_the_scorecard_of_a_comparison_is_the_standards_columns_of_its_runs(folder):
    # The shares themselves are checked against a hand count over the agents in test_standards.py.
    table = pd.read_csv(folder / "comparison.csv").set_index(["scenario", "metric"])
    reps = pd.read_csv(folder / "replicates.csv")
    for measure in measures.SCORECARD:
        mean = reps.loc[reps["scenario"] == "fee_ban", measure.column].mean()
        assert table.loc[("fee_ban", measure.column), "mean"] == pytest.approx(mean), measure.column
    report = (folder / "report.md").read_text()
    assert "not measured by this model version" not in report
    ban = table.loc[("fee_ban", "c181_no_fee_share")]
    assert ban["diff_ci_low"] > 0, "a fee ban raises the share of jobs she paid no fee for"
