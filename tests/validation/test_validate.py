"""`domwork validate --quick`: every check runs, passes on the baseline, and can fail."""

from __future__ import annotations

import numpy as np
import pytest

from model.validation import suite, theory
from model.validation.base import Result
from tests.helpers import assert_refused, cli


@pytest.fixture(scope="module")
def quick_results(tmp_path_factory):
    figures = tmp_path_factory.mktemp("validate") / "figures"
    return {r.key: r for r in suite.run_suite(figures, quick=True)}, figures


@pytest.mark.parametrize("key", [
    key for key in ("identities", "urn_ball", "steady_state", "spells", "beveridge", "minimum_wage", "fees",
                "chain_migration", "spring_festival", "crn", "targets", "hong_kong", "argentina")])
def test_each_quick_check_passes_on_the_baseline(quick_results, key):
    results, figures = quick_results
    result = results[key]
    failing = [row for row in result.rows if not row.passed]
    assert result.passed, failing
    if result.figure:
        assert (figures / result.figure).stat().st_size > 10_000


def test_every_check_is_in_the_report(quick_results):
    results, _ = quick_results
    text = suite.report(list(results.values()), quick=True)
    assert len(results) == len(suite.CHECKS)
    for r in results.values():
        assert f"## {r.title}: {'PASS' if r.passed else 'FAIL'}" in text
        assert f"![{r.title}](figures/{r.figure})" in text if r.figure else True


def test_a_broken_matching_function_fails_the_urn_ball_check(monkeypatch, tmp_path):
    real = theory.urn_ball

    def half(*args, **kwargs):
        app, vac = real(*args, **kwargs)
        return app[: app.size // 2], vac[: vac.size // 2]

    monkeypatch.setattr(theory, "urn_ball", half)
    result = suite.run_suite(tmp_path, quick=True, only=("urn_ball_formula",))[0]
    assert not result.passed


def test_within_compares_with_the_stated_tolerance():
    r = Result("k", "t", "w")
    assert r.within("a", 1.04, 1.0, rel=0.05) and not r.within("b", 1.06, 1.0, rel=0.05)
    assert r.within("c", 0.12, 0.10, abs_=0.03) and not r.within("d", 0.14, 0.10, abs_=0.03)
    assert [row.passed for row in r.rows] == [True, False, True, False] and not r.passed
    assert not Result("e", "t", "w").passed  # no comparison is not a pass


def test_the_command_writes_a_report_and_exits_0_when_its_checks_pass(tmp_path, capsys):
    out = tmp_path / "v"
    assert cli(["validate", "--quick", "--check", "urn_ball_formula", "--out", str(out), "--quiet"]) == 0
    text = (out / "report.md").read_text()
    assert "1 of 1 checks pass" in text and (out / "figures" / "urn_ball.png").exists()
    assert (out / "manifest.json").exists()
    assert "PASS  Urn-ball matching" in capsys.readouterr().out


def test_the_command_exits_1_when_a_check_fails(tmp_path, monkeypatch):
    monkeypatch.setattr(theory, "urn_ball", lambda *a, **k: (np.array([], int), np.array([], int)))
    assert cli(["validate", "--quick", "--check", "urn_ball_formula", "--out", str(tmp_path / "v"), "--quiet"]) == 1
    assert "FAIL" in (tmp_path / "v" / "report.md").read_text()


def test_an_unknown_check_is_refused(tmp_path, capsys):
    assert_refused(cli(["validate", "--check", "nope", "--out", str(tmp_path / "v")]), capsys.readouterr().err,
                   "--check nope", "urn_ball_formula")
    assert not (tmp_path / "v").exists()


def test_the_odd_names_every_mechanism_module_and_every_scenario_key():
    from pathlib import Path

    from model.scenario import reference

    root = Path(__file__).resolve().parents[2]
    odd = (root / "docs" / "ODD.md").read_text(encoding="utf-8")
    for module in sorted((root / "model" / "mechanisms").glob("*.py")):
        if module.stem != "__init__":
            assert f"mechanisms/{module.name}" in odd, f"docs/ODD.md does not name mechanisms/{module.name}"
    scenario_keys = list(reference.keys())
    missing = [k.path for k in scenario_keys if f"`{k.path}`" not in odd]
    assert not missing, f"docs/ODD.md does not name {missing[:5]} (run python -m model.scenario.reference --odd)"
    assert reference.as_odd_table() in odd, "the parameter appendix is stale: python -m model.scenario.reference --odd"
    assert set(reference.SUBMODELS) >= {k.path.split(".")[0] for k in scenario_keys if "." in k.path}
