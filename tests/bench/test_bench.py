"""`domwork bench` on a tiny city: it writes its report and checks itself (not its speed)."""

from __future__ import annotations

import json

import pytest

from model.bench import city as bench
from model.cli import main


def test_bench_writes_a_consistent_report(tmp_path, capsys):
    out = tmp_path / "bench"
    status = main(["bench", "--scales", "0.001,0.002", "--months", "4", "--scaling-scale", "0.001",
                   "--scaling-months", "3", "--no-compile-timing", "--out", str(out), "--quiet"])
    assert status == 0
    report = json.loads((out / "bench.json").read_text())
    assert (out / "bench.png").read_bytes().startswith(b"\x89PNG")
    scales = report["scales"]
    assert [r["scale"] for r in scales] == [0.001, 0.002]
    for r in scales:
        assert r["workers"] == round(400_000 * r["scale"]) and r["months"] == 4
        assert 0 < r["setup_seconds"] < r["wall_seconds"]
        assert r["seconds_per_month"] * 4 <= r["wall_seconds"] - r["setup_seconds"] + 1e-9
        assert r["peak_memory_bytes"] > 50 * 2**20
        stepping = sum(v for k, v in r["mechanism_seconds"].items())
        assert 0 < stepping <= r["wall_seconds"]
        assert {"matching", "wages", "collect", "arrivals"} <= set(r["mechanism_seconds"])
        assert r["edge_months"] == 4 and r["seconds_per_month_first"] > 0 and r["seconds_per_month_last"] > 0
        ref = r["mesa_reference"]
        assert ref["agents"] == r["agents"] and ref["steps"] == 4
        assert r["ratio_to_mesa"] == r["agent_months_per_second"] / ref["agent_steps_per_second"]
    up = report["start_up"]
    assert up["seconds"] > up["imports_seconds"] > 0 and up["first_month_seconds"] > 0
    assert report["figures"]["figures"] >= 5 and report["figures"]["seconds"] > 0
    assert report["replicate_scaling"]["identical_results"] is True
    scaling = report["replicate_scaling"]
    assert scaling["speedup"] == scaling["seconds_1_process"] / scaling["seconds_2_processes"]
    assert scaling["repeats"] == 2
    kernels = report["kernels"]
    assert kernels["kernels"] >= 5 and kernels["compile_seconds"] is None and kernels["load_seconds"] > 0
    assert all(r["kernel_load_seconds"] >= 0 for r in scales)
    text = capsys.readouterr().out
    assert "Compiled kernels" in text and "first compile not timed" in text
    assert "Targets:" in text and "start-up, imports" in text
    assert "| 1:1000 |" in text and "| 1:500 |" in text and "speed-up" in text
    assert "Mesa reference" in text and "Start-up" in text and "Figures" in text


@pytest.mark.slow
def test_the_first_compile_is_timed_with_an_empty_cache():
    """Every kernel compiled in a fresh process with an empty cache (about a minute), then loaded from it."""
    kernels = bench.measure_kernels()
    assert kernels["kernels"] >= 5 and kernels["compile_seconds"] > kernels["load_seconds"] > 0
    assert "compiled in" in bench._kernels_line(kernels)


def test_mesa_reference_conserves_coins_and_counts_steps():
    from model.bench import mesa_reference

    r = mesa_reference.measure(50, 3)
    assert r["agents"] == 50 and r["steps"] == 3 and r["agent_steps_per_second"] > 0


def test_reference_steps_are_bounded():
    assert bench.reference_steps(1_000_000, 120) == 3
    assert bench.reference_steps(10_000, 120) == 120
    assert bench.reference_steps(10_000_000, 120) == 2


def test_bad_scales_exit_2(tmp_path, capsys):
    assert main(["bench", "--scales", "0,abc", "--out", str(tmp_path / "b")]) == 2
    assert "--scales" in capsys.readouterr().err
    assert not (tmp_path / "b").exists()


def test_growth_exponent_of_linear_times_is_one():
    rows = [{"agents": a, "seconds_per_month": a * 1e-6} for a in (1e3, 1e4, 1e5)]
    assert abs(bench.growth_exponent(rows) - 1.0) < 1e-9


def _scale(scale, ratio, peak_mb, first_ms, last_ms, first_workers, last_workers):
    return {"scale": scale, "ratio_to_mesa": ratio, "peak_memory_bytes": peak_mb * 2**20, "edge_months": 12,
            "seconds_per_month_first": first_ms / 1000, "seconds_per_month_last": last_ms / 1000,
            "workers_present_first": first_workers, "workers_present_last": last_workers}


def test_targets_say_which_hold():
    report = {
        "scales": [_scale(0.01, 4.2, 150, 5.0, 5.0, 4000, 4200), _scale(1.0, 9.5, 1600, 200.0, 300.0, 4e5, 4e5)],
        "start_up": {"seconds": 2.0, "interpreter_seconds": 0.4}, "figures": {"seconds": 0.8},
    }
    verdicts = dict(bench.targets(report))
    assert verdicts == {
        "1:100: 4.2 times the Mesa reference (target 4)": True,
        "1:100: last 12 months 5.0 ms/month against the first 5.0, per present worker 0.95 times": True,
        "1:1: 9.5 times the Mesa reference (target 10)": False,
        "1:1: peak memory 1,600 MB (target 1,536)": False,
        "1:1: last 12 months 300.0 ms/month against the first 200.0, per present worker 1.50 times": False,
        "start-up, imports to the end of the first month: 1.60 s (target 1)": False,
        "figures of a run: 0.80 s (target 1)": True,
    }
