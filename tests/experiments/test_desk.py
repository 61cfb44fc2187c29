"""The analyst's desk of a comparison: the card, group effects, what changed, report.html and comparison.xlsx."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.cli import main
from model.experiments import desk

ROOT = Path(__file__).resolve().parents[2]
SMALL = "months: 18\nreplicates: 3\nworkers: {count: 300}\nhouseholds: {count: 450}\nagencies: {count: 6}\n"


@pytest.fixture(scope="module")
def compared(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("desk")
    (folder / "base.yaml").write_text(f"name: base\nextends: {ROOT / 'scenarios' / 'baseline.yaml'}\n{SMALL}")
    (folder / "c189.yaml").write_text(f"name: c189\nextends: {ROOT / 'scenarios' / 'c189_package.yaml'}\n{SMALL}")
    out = folder / "out"
    assert main(["compare", str(folder / "base.yaml"), str(folder / "c189.yaml"), "--replicates", "3",
                 "--out", str(out), "--quiet"]) == 0
    return out


def test_group_effects_are_paired_with_intervals_for_every_party(compared):
    effects = pd.read_csv(compared / "group_effects.csv")
    assert list(effects.columns) == desk.GROUP_COLUMNS and effects["assumptions"].isna().all()
    parties = {g.split(":")[0] for g in effects["group"]}
    assert {"workers", "agencies", "state"} <= parties
    assert {"workers:job_type=elder_carer", "agencies:business_model=employee_based"} <= set(effects["group"])
    reference = effects[effects["scenario"] == "base"]
    assert (reference[["diff_vs_first", "diff_ci_low", "diff_ci_high"]] == 0).all().all()
    option = effects[effects["scenario"] == "c189"]
    assert (option["diff_ci_low"] <= option["diff_vs_first"]).all() and (option["diff_vs_first"]
                                                                          <= option["diff_ci_high"]).all()
    # paired: the effect is the mean of replicate-by-replicate differences of the group's column
    replicates = pd.read_csv(compared / "replicates.csv")
    wide = replicates.pivot(index="replicate", columns="scenario", values="mean_wage_elder_carer")
    row = option[(option["group"] == "workers:job_type=elder_carer") & (option["metric"] == "mean_wage")].iloc[0]
    assert row["diff_vs_first"] == pytest.approx(float(np.mean(wide["c189"] - wide["base"])), rel=1e-6)  # CSV: 10 digits


def test_workbook_has_one_sheet_a_table_and_reads_back(compared):
    sheets = pd.read_excel(compared / "comparison.xlsx", sheet_name=None)
    assert {"card", "comparison", "group_effects", "what_changed", "pairing", "replicates"} <= set(sheets)
    csv = pd.read_csv(compared / "comparison.csv")
    assert len(sheets["comparison"]) == len(csv)
    assert sheets["group_effects"]["group"].tolist() == pd.read_csv(compared / "group_effects.csv")["group"].tolist()


def test_report_html_is_one_self_contained_file(compared):
    page = (compared / "report.html").read_text(encoding="utf-8")
    assert "src=\"figures/" not in page and "http://" not in page and "https://" not in page
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert images and all(base64.b64decode(image)[:8] == b"\x89PNG\r\n\x1a\n" for image in images)
    for heading in ("The card", "Winners and losers by group", "What changed", "How to reproduce",
                    "Standards scorecard", "Who gains, who pays"):
        assert heading in page, heading
    assert "policies.worker_fee_cap.max_share" in page and "share of first month" in page  # unit and old/new
    assert "domwork compare" in page or "compare" in page
    assert "Seeds of the replicates" in page


def test_card_sentences_say_the_direction_and_the_interval():
    assert desk.effect_sentence("formal_share", "formal share", "base", "c189", 0.11, 0.08, 0.14) == (
        "Under c189, formal share rises by 11.0 points against base (95% interval +8.0 to +14.0).")
    text = desk.effect_sentence("mean_wage", "mean monthly pay (yuan/month)", "base", "c189", 3.0, -50.0, 56.0)
    assert "no clear change" in text and "includes 0" in text
    assert "same as under base" in desk.effect_sentence("employed", "employed workers", "base", "b", 0.0, 0.0, 0.0)


def test_group_columns_read_new_metrics_by_name():
    found = desk.group_columns(["employed_share__income_quintile_1", "mean_wage__origin_2", "state_net_cost"])
    assert ("households:income_quintile=1", "employed_share", "employed_share__income_quintile_1") in found
    assert ("workers:origin=2", "mean_wage", "mean_wage__origin_2") in found
    assert ("state", "state_net_cost", "state_net_cost") in found


def test_group_metrics_keep_their_metric_unit_and_fees_are_a_loss():
    from model.experiments import measures

    assert measures.unit("care_spending__income_quintile_1") == measures.YUAN
    assert measures.unit("fees_paid__hukou_migrant") == measures.YUAN
    assert measures.unit("mean_wage__origin_major") == measures.YUAN
    assert measures.unit("employed_share__hukou_local") == measures.SHARE
    assert measures.unit("employed__origin_minor") == measures.COUNT
    effects = pd.DataFrame([
        {"scenario": "ban", "group": "workers:hukou=migrant", "metric": "fees_paid", "mean": 100.0,
         "diff_vs_first": 40.0, "diff_ci_low": 10.0, "diff_ci_high": 70.0, "replicates": 5, "assumptions": ""},
        {"scenario": "ban", "group": "workers:hukou=migrant", "metric": "mean_wage", "mean": 5000.0,
         "diff_vs_first": 40.0, "diff_ci_low": 10.0, "diff_ci_high": 70.0, "replicates": 5, "assumptions": ""}])
    verdicts = desk.winners_and_losers(effects).set_index("metric")["verdict"]
    assert verdicts["fees_paid"] == "loses" and verdicts["mean_wage"] == "gains"
