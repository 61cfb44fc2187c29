"""`domwork run`: every contracted file and column, identical bytes for the same seed, safe folders."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from model.cli import main
from model.core.metrics import CONTRACT_COLUMNS

ROOT = Path(__file__).resolve().parents[2]
SMALL = ["--set", "workers.count=600", "--set", "households.count=900", "--set", "agencies.count=6",
         "--months", "18", "--replicates", "3", "--quiet"]
RESULT_FILES = ("scenario.yaml", "timeseries.csv", "summary.json", "manifest.json")
FIGURES = ("wages.png", "hours.png", "formalization.png", "unemployment_vacancies.png", "agency_use.png")


def run(out: Path, *extra: str) -> int:
    return main(["run", str(ROOT / "scenarios" / "baseline.yaml"), "--out", str(out), *SMALL, *extra])


@pytest.fixture(scope="module")
def serial(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("serial") / "out"
    assert run(out, "--workers", "1") == 0
    return out


def test_run_writes_every_contracted_file_and_column(serial):
    for name in RESULT_FILES:
        assert (serial / name).is_file(), name
    for name in FIGURES:
        assert (serial / "figures" / name).read_bytes().startswith(b"\x89PNG"), name
    ts = pd.read_csv(serial / "timeseries.csv")
    assert list(ts.columns[:2]) == ["replicate", "month"]
    missing = [c for c in CONTRACT_COLUMNS if c not in ts.columns]
    assert not missing
    assert len(ts) == 3 * 18
    assert sorted(ts["replicate"].unique()) == [0, 1, 2]
    summary = json.loads((serial / "summary.json").read_text())
    for column in CONTRACT_COLUMNS:
        entry = summary[column]
        assert entry["ci_low"] <= entry["mean"] <= entry["ci_high"]
    manifest = json.loads((serial / "manifest.json").read_text())
    assert len(manifest["seeds"]) == 3 and "mesa" in manifest["versions"] and manifest["wall_seconds"] > 0


def test_same_seed_gives_identical_bytes_serial_and_parallel(serial, tmp_path):
    parallel = tmp_path / "parallel"
    assert run(parallel, "--workers", "2") == 0
    for name in ("scenario.yaml", "timeseries.csv", "summary.json"):
        assert (serial / name).read_bytes() == (parallel / name).read_bytes(), name
    for name in FIGURES:
        assert (serial / "figures" / name).read_bytes() == (parallel / "figures" / name).read_bytes(), name


def test_another_seed_gives_other_results(serial, tmp_path):
    other = tmp_path / "other"
    assert run(other, "--workers", "1", "--seed", "7") == 0
    assert (serial / "timeseries.csv").read_bytes() != (other / "timeseries.csv").read_bytes()


def test_a_non_empty_out_folder_is_refused_without_force(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("earlier results")
    assert run(out) == 2
    assert "not empty" in capsys.readouterr().err
    assert (out / "keep.txt").read_text() == "earlier results"
    # Not a folder a domwork command wrote: --force does not replace it either.
    assert run(out, "--force", "--workers", "1") == 2
    assert "no domwork command wrote" in capsys.readouterr().err
    assert (out / "keep.txt").read_text() == "earlier results"


def test_force_replaces_an_earlier_result_folder_but_never_a_file_the_user_added(serial, tmp_path, capsys):
    out = tmp_path / "again"
    shutil.copytree(serial, out)
    listed = json.loads((out / "manifest.json").read_text())["files"]
    assert "timeseries.csv" in listed and "figures/wages.png" in listed
    (out / "notes.txt").write_text("my notes on the earlier run")
    (out / "figures" / "my_chart.png").write_bytes(b"a chart I drew")
    assert run(out, "--force", "--workers", "1") == 2
    err = capsys.readouterr().err
    assert "figures/my_chart.png" in err and "notes.txt" in err
    assert (out / "notes.txt").read_text() == "my notes on the earlier run"
    assert (out / "figures" / "my_chart.png").read_bytes() == b"a chart I drew"
    (out / "notes.txt").unlink()
    (out / "figures" / "my_chart.png").unlink()
    (out / "summary.json").write_text("earlier")
    assert run(out, "--force", "--workers", "1") == 0
    assert (out / "summary.json").read_text() != "earlier"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["again"]  # no lock or staged folder left beside


def test_no_partial_folder_is_left_behind(serial):
    assert not [p for p in serial.parent.iterdir() if ".partial-" in p.name]


def test_the_resolved_scenario_reruns_to_the_same_results(serial, tmp_path):
    again = tmp_path / "again"
    assert main(["run", str(serial / "scenario.yaml"), "--out", str(again), "--quiet", "--workers", "1"]) == 0
    assert (serial / "timeseries.csv").read_bytes() == (again / "timeseries.csv").read_bytes()
