"""Report figures: files written, valid, reproducible, for one or many replicates and scenarios."""

from __future__ import annotations

import re
import struct
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from model.run import plots

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
RUN_FIGURES = ("wages.png", "hours.png", "formalization.png", "unemployment_vacancies.png", "agency_use.png",
               "migration.png", "agencies.png")
COMPARISON_FIGURES = ("compare_wages.png", "compare_formalization.png", "compare_unemployment.png",
                      "compare_agency_use.png")
SHARES = ("unemployment_rate", "vacancy_rate", "contract_share", "insured_share", "formal_share",
          "arrears_incidence", "employee_based_share", "overcharging_share")
SHARE_LEVELS = (0.08, 0.14, 0.09, 0.03, 0.025, 0.02, 0.01, 0.0)
# The columns of hours and work arrangements (and the weekly rest), which earlier versions did not write.
ARRANGEMENT_COLUMNS = ("mean_hours_week", "mean_hourly_wage", "live_in_share", "live_out_share", "hourly_share",
                       "multi_employer_share", "worker_earnings", "c189_weekly_rest_share")
JOB_WAGES = {"live_in_nanny": 5600.0, "live_out_cleaner": 3900.0, "elder_carer": 4000.0, "maternity_nurse": 11000.0}


def synthetic_ts(replicates: int = 3, months: int = 24, seed: int = 0, level: float = 1.0) -> pd.DataFrame:
    """A time series shaped like the model's, from numpy alone (no model run)."""
    rng = np.random.default_rng(seed)
    n = replicates * months
    month = np.tile(np.arange(1, months + 1), replicates)
    trend = month / months

    def noisy(base: float, spread: float) -> np.ndarray:
        return base + spread * rng.standard_normal(n)

    def share(base: float) -> np.ndarray:
        return np.clip(noisy(base, 0.01) + 0.02 * trend, 0.0, 1.0)

    employed = np.round(noisy(3800 * level, 30)).astype(int)
    searching = np.round(noisy(400, 20)).astype(int)
    away = np.where(month % 12 == 2, 2000, 0)
    agency = np.clip(noisy(0.25, 0.03), 0, 1)
    referral = np.clip(noisy(0.35, 0.03), 0, 1 - agency)
    mean_wage = noisy(4900 * level, 40)
    live_in = np.clip(noisy(0.55, 0.02), 0, 1)
    hourly = np.clip(noisy(0.15, 0.01) + 0.05 * trend, 0, 1 - live_in)
    hours_week = noisy(62, 1.5)
    frame = {
        "replicate": np.repeat(np.arange(replicates), months),
        "month": month,
        "workers": employed + searching + away,
        "employed": employed,
        "searching": searching,
        "away": away,
        "arrivals": rng.poisson(50, n),
        "departures": rng.poisson(40, n),
        "vacancies": rng.poisson(600, n),
        "hires": rng.poisson(170, n),
        "separations": rng.poisson(150, n),
        **{column: share(base) for column, base in zip(SHARES, SHARE_LEVELS, strict=True)},
        "mean_wage": mean_wage,
        "median_wage": mean_wage - 500,
        "p10_wage": mean_wage - 1900,
        "p90_wage": mean_wage + 2200,
        "agency_placement_share": agency,
        "referral_placement_share": referral,
        "open_placement_share": 1 - agency - referral,
        "worker_fees_paid": rng.gamma(10, 10_000, n),
        "household_fees_paid": rng.gamma(10, 13_000, n),
        "agencies_active": rng.integers(30, 60, n),
        **{f"mean_wage_{job}": noisy(wage * level, 50) for job, wage in JOB_WAGES.items()},
        "agencies_intermediary": rng.integers(20, 50, n),
        "agencies_membership": rng.integers(5, 10, n),
        "agencies_employee_based": rng.integers(0, 3, n),
        "remittances": noisy(8e6, 1e5),
        "mean_hours_week": hours_week,
        "mean_hourly_wage": mean_wage / (hours_week * 52 / 12),
        "live_in_share": live_in,
        "live_out_share": 1 - live_in - hourly,
        "hourly_share": hourly,
        "multi_employer_share": hourly * 0.6,
        "worker_earnings": mean_wage * employed,
        "c189_weekly_rest_share": share(0.7),
    }
    return pd.DataFrame(frame)


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk."""
    header = path.read_bytes()[:24]
    return struct.unpack(">II", header[16:24])


def assert_valid_pngs(paths: list[Path], out_dir: Path, names: tuple[str, ...]) -> None:
    """Every expected name is there, in out_dir, and each file is a real 10-inch-wide PNG."""
    assert {p.name for p in paths} >= set(names)
    for path in paths:
        assert path.parent == out_dir
        data = path.read_bytes()
        assert data.startswith(PNG_SIGNATURE), path.name
        assert len(data) > 20_000, f"{path.name} is only {len(data)} bytes"
        width, height = png_size(path)
        assert width == 1200, path.name  # 10 inches at 120 dpi
        assert height >= 400, path.name


@pytest.fixture(scope="module")
def run_figures(tmp_path_factory):
    """The run figures of six replicates, written once for the tests that only read them."""
    out_dir = tmp_path_factory.mktemp("run") / "figures"  # not there yet: the writer creates it
    ts = synthetic_ts(replicates=6)
    return ts, out_dir, plots.write_run_figures(ts, out_dir, title="synthetic (6 replicates)")


def test_run_figures_are_written_as_pngs(run_figures):
    """Each figure is written into the (created) folder, and nothing else is."""
    _, out_dir, paths = run_figures
    assert_valid_pngs(paths, out_dir, RUN_FIGURES)
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(p.name for p in paths)


def test_figures_are_closed_after_saving(run_figures):
    """No figure is left open to hold memory."""
    assert plt.get_fignums() == []


def test_same_input_gives_identical_bytes(run_figures, tmp_path):
    """Writing the same time series again gives byte-identical PNGs."""
    ts, _, first = run_figures
    second = plots.write_run_figures(ts.copy(), tmp_path, title="synthetic (6 replicates)")
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


@pytest.mark.forks
def test_figures_drawn_side_by_side_are_the_same_bytes(run_figures, tmp_path):
    """Two forked processes write the same files as one, in the same order, and leave no figure open."""
    import threading

    if threading.active_count() > 1:
        pytest.skip("another thread runs in this process: figures are not drawn in forked processes")
    assert plots.figure_processes(2, plots.RUN_FIGURE_COUNT) == 2
    ts, _, serial = run_figures
    side_by_side = plots.write_run_figures(ts, tmp_path, title="synthetic (6 replicates)", processes=2)
    assert [p.name for p in side_by_side] == [p.name for p in serial]
    for a, b in zip(serial, side_by_side, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    assert plt.get_fignums() == []


def _fails_on_three(k: int) -> Path:
    if k == 3:
        raise RuntimeError("figure 3 failed")
    return Path(f"{k}.png")


def test_a_figure_failing_in_another_process_fails_the_call():
    """An error in a forked process reaches the caller; without one the paths keep the jobs' order."""
    assert plots.draw_in_processes(_fails_on_three, [(k,) for k in (0, 1, 2, 4, 5)], processes=2) == [
        Path(f"{k}.png") for k in (0, 1, 2, 4, 5)]
    # Started heaviest first, the paths still come back in the order of the jobs.
    assert plots.draw_in_processes(_fails_on_three, [(k,) for k in (0, 1, 2, 4, 5)], processes=2,
                                   weights=[1, 2, 1, 3, 2]) == [Path(f"{k}.png") for k in (0, 1, 2, 4, 5)]
    with pytest.raises(RuntimeError, match="figure 3 failed"):
        plots.draw_in_processes(_fails_on_three, [(k,) for k in range(6)], processes=2)


def _fails_at_once_or_waits(k: int, folder: Path) -> Path:
    if k == 0:
        raise RuntimeError("figure 0 failed")
    time.sleep(0.5)
    (folder / f"{k}.png").touch()
    return folder / f"{k}.png"


@pytest.mark.forks
def test_a_failing_figure_drops_the_figures_not_started(tmp_path):
    """After a failure (or an interrupt) the jobs still waiting are not drawn first: the call fails soon."""
    import threading

    if threading.active_count() > 1:
        pytest.skip("another thread runs in this process: figures are not drawn in forked processes")
    started = time.perf_counter()
    with pytest.raises(RuntimeError, match="figure 0 failed"):
        plots.draw_in_processes(_fails_at_once_or_waits, [(k, tmp_path) for k in range(12)], processes=2)
    drawn = len(list(tmp_path.iterdir()))
    # The jobs already running or queued to a process finish; the rest (of 11 half-second jobs) never start.
    assert drawn <= 5, drawn
    assert time.perf_counter() - started < 11 * 0.5 / 2


def test_png_is_the_drawn_figure_without_its_opaque_alpha(tmp_path):
    """The PNG holds the pixels savefig would write, as RGB: the alpha channel it leaves out is opaque."""
    from PIL import Image

    with plots.figure(tmp_path / "ours.png", "A title", note="A note.") as (ax,):
        ax.plot([1, 2, 3], [3, 1, 2], label="a line")
        ax.fill_between([1, 2, 3], [2, 0, 1], [4, 2, 3], alpha=0.2)
        plots.legend_outside(ax)
    # Laid out, saved and closed; savefig draws it again as it was for the file.
    ax.figure.savefig(tmp_path / "savefig.png", dpi=plots.DPI)
    with Image.open(tmp_path / "savefig.png") as image:
        expected = np.asarray(image)
    assert expected.shape[2] == 4 and (expected[..., 3] == 255).all()
    with Image.open(tmp_path / "ours.png") as image:
        assert image.mode == "RGB"
        assert image.info["dpi"] == pytest.approx((plots.DPI, plots.DPI), abs=0.05)
        np.testing.assert_array_equal(np.asarray(image), expected[..., :3])


def test_band_has_one_row_per_month_and_is_ordered():
    """One row per month, in order, with low <= median <= high."""
    ts = synthetic_ts(replicates=6, months=24)
    b = plots.band(ts, "mean_wage")
    assert list(b.columns) == ["month", "median", "low", "high"]
    assert b["month"].tolist() == list(range(1, 25))
    assert (b["low"] <= b["median"]).all()
    assert (b["median"] <= b["high"]).all()
    assert (b["low"] < b["high"]).all()


def test_band_is_5_95_percent_with_five_replicates_or_more_and_min_max_below():
    """The band's edges: 5th/95th percentiles from five replicates on, min/max below."""
    values = [0.0, 10.0, 20.0, 30.0, 40.0, 50.0]
    ts = pd.DataFrame({"replicate": [0, 1, 2, 3, 4, 5], "month": 1, "x": values})
    b = plots.band(ts, "x").iloc[0]
    assert (b["median"], b["low"], b["high"]) == pytest.approx((25.0, 2.5, 47.5))
    few = plots.band(ts[ts["replicate"] < 3], "x").iloc[0]
    assert (few["median"], few["low"], few["high"]) == pytest.approx((10.0, 0.0, 20.0))


def test_band_with_one_replicate_is_the_series_itself():
    """One replicate: median, low and high are the values themselves."""
    ts = synthetic_ts(replicates=1, months=12)
    b = plots.band(ts, "vacancy_rate")
    assert len(b) == 12
    np.testing.assert_array_equal(b["median"], ts["vacancy_rate"])
    np.testing.assert_array_equal(b["low"], b["high"])


def test_a_single_replicate_is_plotted(tmp_path):
    """One replicate (no band to draw) still gives every figure."""
    paths = plots.write_run_figures(synthetic_ts(replicates=1), tmp_path / "one", title="one replicate")
    assert_valid_pngs(paths, tmp_path / "one", RUN_FIGURES)
    assert plt.get_fignums() == []


def test_a_time_series_from_an_earlier_version_still_gives_every_figure(monkeypatch, tmp_path):
    """Without the columns of hours and arrangements the figures are written, and their notes say what is missing."""
    old = synthetic_ts(replicates=2).drop(columns=list(ARRANGEMENT_COLUMNS))
    texts = _figure_texts(monkeypatch, lambda: plots.write_run_figures(old, tmp_path / "old", title="earlier"))
    assert sorted(texts) == sorted(RUN_FIGURES)
    assert sorted(p.name for p in (tmp_path / "old").iterdir()) == sorted(RUN_FIGURES)
    missing = "Not drawn, not in this time series (from an earlier version): "
    assert missing + "mean hourly pay" in texts["wages.png"]["note"]
    assert texts["wages.png"]["panels"][0]["legend"]  # the monthly wage is drawn as before
    hours = texts["hours.png"]
    assert missing + "hourly or day work; live-in" in hours["note"]
    assert "mean hours a week (all her jobs together)" in hours["note"]
    assert all(not panel["legend"] and not panel["yticks"] for panel in hours["panels"])
    assert all("not in this time series" not in texts[name]["note"] for name in RUN_FIGURES[2:])
    assert plt.get_fignums() == []


def test_comparison_figures_for_two_scenarios(tmp_path):
    """Two scenarios overlaid: every comparison figure is written."""
    scenarios = {"baseline": synthetic_ts(seed=1), "policy": synthetic_ts(seed=2, level=1.1)}
    paths = plots.write_comparison_figures(scenarios, tmp_path / "compare")
    assert_valid_pngs(paths, tmp_path / "compare", COMPARISON_FIGURES)
    assert plt.get_fignums() == []


def test_comparison_needs_a_scenario(tmp_path):
    """Nothing to compare is an error, not a set of empty figures."""
    with pytest.raises(ValueError, match="no scenarios"):
        plots.write_comparison_figures({}, tmp_path)


def _figure_texts(monkeypatch, draw) -> dict[str, dict]:
    """Every figure's title, note, panel titles, axis labels, tick labels and legend entries, as drawn."""
    texts: dict[str, dict] = {}
    real = plots._write_png

    def capture(fig, path):
        texts[Path(path).name] = {
            "title": fig._suptitle.get_text(),
            "note": fig._supxlabel.get_text().replace("\n", " "),
            "panels": [{"title": ax.get_title(), "ylabel": ax.get_ylabel(), "xlabel": ax.get_xlabel(),
                        "xticks": [t.get_text() for t in ax.get_xticklabels()],
                        "yticks": [t.get_text() for t in ax.get_yticklabels() if t.get_text()],
                        "legend": ax.get_legend_handles_labels()[1]} for ax in fig.axes if ax.get_visible()],
        }
        return real(fig, path)

    monkeypatch.setattr(plots, "_write_png", capture)
    draw()
    return texts


def test_captions_and_titles_say_what_a_policy_analyst_needs(monkeypatch, tmp_path):
    """Scale, what each band is, calendar years, warm-up, policy start, hidden series, one format per axis."""
    from model import load_scenario

    scenario = load_scenario(None, {"policies.contract_mandate.enabled": True,
                                    "policies.contract_mandate.start_month": 13})
    ts = synthetic_ts(replicates=6, months=36)
    ts["overcharging_share"] = 0.0  # no fee cap: zero throughout
    texts = _figure_texts(monkeypatch, lambda: plots.write_run_figures(
        ts, tmp_path, title="baseline (6 replicates)", context=plots.Context.of(scenario)))
    assert set(texts) >= set(RUN_FIGURES)
    for name, figure in texts.items():
        assert "1:100 of the city" in figure["title"], name
        assert "5-95% range across replicates" in figure["note"], name
        assert "first 12 months, a warm-up" in figure["note"], name
        assert "contract mandate from month 13" in figure["note"], name
        for panel in figure["panels"]:
            if panel["xlabel"].startswith("calendar year"):
                assert panel["xticks"][:3] == ["2016", "2017", "2018"], name
    wages = texts["wages.png"]
    assert "10th-90th percentile of workers' wages" in wages["note"]
    assert "not across replicates" in wages["note"]
    formal = texts["formalization.png"]["panels"][0]["legend"]
    assert "employee-based share (employed by an employee-based agency)" in formal
    assert "employed by an agency" not in formal
    stocks = texts["migration.png"]["panels"][0]["legend"]
    assert "all workers (in the city or away)" in stocks
    abuses = texts["agencies.png"]
    assert "fee overcharging (share of fee-capped placements)" not in abuses["panels"][1]["legend"]
    assert "Not drawn, zero throughout: fee overcharging" in abuses["note"]
    # Hourly pay beside monthly pay; hours and arrangements with their units in words, not column names.
    pay = [panel["ylabel"] for panel in wages["panels"]]
    assert pay == ["yuan a month", "yuan an hour", "yuan a month"]
    assert wages["panels"][1]["legend"] == ["mean hourly pay"]
    assert "Hourly pay: each worker's pay in the month over her hours in it" in wages["note"]
    assert all(re.fullmatch(r"\d+\.\d", t) for t in wages["panels"][1]["yticks"]), wages["panels"][1]["yticks"]
    hours = texts["hours.png"]
    assert [panel["ylabel"] for panel in hours["panels"]] == ["hours a week", "share of employed workers"]
    assert hours["panels"][0]["legend"] == ["mean hours a week (all her jobs together)"]
    assert hours["panels"][1]["legend"] == ["live-in (lodges with the household)", "live-out full-time (commutes)",
                                            "hourly or day work", "two or more employers this month"]
    assert "three arrangements (of each worker's main job) add up to 100%" in hours["note"]
    for figure in texts.values():
        for panel in figure["panels"]:
            assert "_" not in panel["ylabel"] and not any("_" in label for label in panel["legend"]), panel
    fees = texts["agency_use.png"]["panels"][1]
    assert fees["ylabel"] == "thousand yuan a month, 1:100 of the city"
    percent_ticks = [t for f in texts.values() for p in f["panels"] for t in p["yticks"] if t.endswith("%")]
    assert percent_ticks and all(re.fullmatch(r"\d+\.\d%", t) for t in percent_ticks), set(percent_ticks)


def test_scale_labels():
    assert plots.scale_label(4000) == "1:100 of the city"
    assert plots.scale_label(400_000) == "the whole city (1:1)"
    assert plots.scale_label(40_000) == "1:10 of the city"


def test_sweep_figures_label_keys_and_metrics_in_words_with_units():
    from model.experiments.figures import key_label, metric_label

    assert key_label("market.separation_rate") == "market: separation rate (per month)"
    assert key_label("policies.contract_mandate.enabled") == "policies contract mandate: enabled"
    assert metric_label("mean_wage", "1:100 of the city") == "mean wage (yuan a month)"
    assert metric_label("worker_fees_paid", "1:100 of the city") == "worker fees paid (yuan a month, 1:100 of the city)"
    assert metric_label("unemployment_rate") == "unemployment rate (%)"
    assert "_" not in key_label("policies.worker_fee_cap.max_share")
