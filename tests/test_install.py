"""An install that works anywhere: the wheel, installed in a fresh venv, runs a shipped scenario from another folder."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from model import shipped
from tests.helpers import ROOT, cli

SMALL = ["--set", "workers.count=100", "--set", "households.count=150", "--set", "agencies.count=2",
         "--months", "2", "--replicates", "1", "--workers", "1", "--quiet"]


def test_a_shipped_scenario_runs_by_name_and_extends_baseline_names_the_built_in(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # a folder with no scenarios/ in it
    assert cli(["run", "fee_cap", *SMALL, "--out", "by-name"]) == 0
    assert "name: fee_cap" in (tmp_path / "by-name" / "scenario.yaml").read_text()
    (tmp_path / "mine.yaml").write_text("name: mine\nextends: baseline\npolicies:\n  credit_records: {enabled: true}\n")
    assert cli(["run", "mine.yaml", *SMALL, "--out", "mine"]) == 0
    capsys.readouterr()
    assert cli(["scenarios"]) == 0
    listed = capsys.readouterr().out
    assert all(name in listed for name in ("baseline", "fee_cap", "c189_package", "beveridge"))
    assert shipped.find("fee_cap") == ROOT / "scenarios" / "fee_cap.yaml"
    assert shipped.find("scenarios/fee_cap") is None  # a path is never a name


def test_a_missing_base_scenario_names_the_file_the_key_and_the_path(tmp_path, capsys):
    from tests.helpers import assert_refused

    experiment = tmp_path / "exp.yaml"
    experiment.write_text("name: x\nscenario: nothere.yaml\nreplicates: 1\nmonths: 13\n"
                          "vary:\n  market.separation_rate: [0.03, 0.05]\n")
    status = cli(["sweep", str(experiment), "--out", str(tmp_path / "out"), "--quiet"])
    assert_refused(status, capsys.readouterr().err, str(experiment), "scenario: 'nothere.yaml'",
                   str(tmp_path / "nothere.yaml"))
    calibration = tmp_path / "cal.yaml"
    calibration.write_text((ROOT / "calibration" / "baseline.yaml").read_text().replace(
        "../scenarios/baseline.yaml", "nothere.yaml"))
    status = cli(["calibrate", str(calibration), "--out", str(tmp_path / "out2"), "--quiet"])
    assert_refused(status, capsys.readouterr().err, str(calibration), "scenario: 'nothere.yaml'",
                   str(tmp_path / "nothere.yaml"))


def _copy_project(target: Path) -> Path:
    """What the wheel is built from, copied (building writes build/ and *.egg-info into its source)."""
    target.mkdir(parents=True)
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, target / name)
    for name in ("model", *shipped.KINDS):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.nbi", "*.nbc"))
    return target


@pytest.mark.slow  # builds a wheel, makes a venv, compiles the kernels in it: a minute or two
def test_the_wheel_installed_in_a_fresh_venv_runs_a_shipped_scenario_from_another_folder(tmp_path):
    source = _copy_project(tmp_path / "source")
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q", "-w", str(tmp_path / "dist")],
                   check=True, capture_output=True, cwd=tmp_path)
    wheel = next((tmp_path / "dist").glob("domwork-*.whl"))
    venv = tmp_path / "fresh"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], check=True,
                   capture_output=True)
    # The libraries it needs come from this venv (a path, not a site folder: its editable domwork stays out).
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    (Path(purelib) / "libraries.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = subprocess.run([str(python), "-c", "import model, model.shipped as s; print(model.__file__); "
                            "print(s.folder('scenarios'))"], check=True, capture_output=True, text=True,
                           cwd=elsewhere).stdout.split()
    assert where[0].startswith(str(venv)) and where[1] == str(venv / "share" / "domwork" / "scenarios")

    domwork = venv / "bin" / "domwork"
    listed = subprocess.run([str(domwork), "scenarios"], capture_output=True, text=True, cwd=elsewhere, check=False)
    assert listed.returncode == 0 and "fee_cap" in listed.stdout and "beveridge" in listed.stdout, listed.stderr
    ran = subprocess.run([str(domwork), "run", "fee_cap", *SMALL, "--out", "results"], capture_output=True,
                         text=True, cwd=elsewhere, check=False)
    assert ran.returncode == 0, ran.stderr
    assert (elsewhere / "results" / "summary.json").is_file()
    (elsewhere / "mine.yaml").write_text("name: mine\nextends: baseline\n")
    ran = subprocess.run([str(domwork), "run", "mine.yaml", *SMALL, "--out", "mine"], capture_output=True,
                         text=True, cwd=elsewhere, check=False)
    assert ran.returncode == 0, ran.stderr
    # The shipped posterior and assumption sets, by name, from another folder.
    compared = subprocess.run([str(domwork), "compare", "baseline", "fee_cap", "--posterior", "baseline-posterior.csv",
                               "--assumptions", "wage_posting", *SMALL, "--out", "compared"],
                              capture_output=True, text=True, cwd=elsewhere, check=False)
    assert compared.returncode == 0, compared.stderr
    table = (elsewhere / "compared" / "comparison.csv").read_text()
    assert "diff_var_parameter_share" in table and "wage_posting" in table
