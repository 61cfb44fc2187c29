"""The live app in a real browser: Debian's chromium driven by Playwright, against `solara run` on a free port.

The server starts once for the module (with a scenario folder of our own, holding
one file that does not validate) and is stopped at the end, whatever happens.
With DOMWORK_SCREENSHOT=1 the first test also writes the README's screenshot.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import time
from pathlib import Path

import pandas as pd
import pytest

from model.viz import charts, compare_job, panels, server

playwright_api = pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 45_000  # generous: CI machines are shared
SCREENSHOT = ROOT / "docs" / "figures" / "viz.png"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (`make test` installs it)")


MONTHS = 24
# The project's baseline at a scale the browser tests step in a moment, one replicate (`domwork run` of it too).
SMALL_BASELINE = (f"name: baseline\nextends: {ROOT / 'scenarios' / 'baseline.yaml'}\nmonths: {MONTHS}\n"
                  "replicates: 1\nworkers: {count: 400}\nhouseholds: {count: 600}\nagencies: {count: 8}\n")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """The server, on a free port, over a small baseline, the project's fee cap over it, and one broken file."""
    folder = tmp_path_factory.mktemp("scenarios")
    (folder / "baseline.yaml").write_text(SMALL_BASELINE)
    shutil.copy(ROOT / "scenarios" / "fee_cap.yaml", folder / "fee_cap.yaml")
    (folder / "broken.yaml").write_text("name: broken\nextends: baseline.yaml\nmarket:\n  separation_rate: 7\n")
    port = server.free_port()
    started = time.perf_counter()
    cache = tmp_path_factory.mktemp("compare-cache")
    before = os.environ.get(compare_job.CACHE_ENV)
    os.environ[compare_job.CACHE_ENV] = str(cache)  # the server's finished comparisons go here
    try:
        process = server.start(folder / "fee_cap.yaml", "127.0.0.1", port)
    finally:
        os.environ.pop(compare_job.CACHE_ENV) if before is None else os.environ.update({compare_job.CACHE_ENV: before})
    try:
        server.wait_ready(server.url("127.0.0.1", port), process)
        yield {"url": server.url("127.0.0.1", port), "started": started, "folder": folder, "cache": cache}
    finally:
        server.stop(process)
        assert process.poll() is not None


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield chromium
        chromium.close()


def _open(browser, app):
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(app["url"])
    page.get_by_role("button", name="Step").wait_for()
    page.locator(".vega-embed canvas, .vega-embed svg").first.wait_for()
    return context, page


def _step(page, month: int) -> float:
    """Press Step and wait for the month counter; return the seconds it took."""
    started = time.perf_counter()
    page.get_by_role("button", name="Step").click()
    page.get_by_text(f"Time: {month}.0", exact=True).wait_for()
    page.get_by_text(f"(month {month} of ").first.wait_for()
    return time.perf_counter() - started


def _changed(locator, before: bytes, timeout_s: float = 20.0) -> bool:
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        if locator.screenshot() != before:
            return True
        time.sleep(0.25)
    return False


def test_page_shows_map_and_plots_steps_and_runs_the_twin(browser, app):
    context, page = _open(browser, app)
    ready_s = time.perf_counter() - app["started"]
    try:
        assert ready_s < 60, f"page took {ready_s:.1f} s from server start"
        page.get_by_role("tab", name="City").wait_for()  # the pages are named
        page.get_by_role("tab", name="Compare").wait_for()
        assert page.get_by_text("Page 0", exact=True).count() == 0 or not page.get_by_text(
            "Page 0", exact=True).is_visible()
        plots = page.locator(".vega-embed")
        shown = charts.available_charts()
        plots.nth(len(shown)).wait_for()
        playwright_api.expect(plots).to_have_count(1 + len(shown))  # the map and every chart the columns allow
        page.get_by_text("Before the first month").wait_for()
        wages = plots.nth(1)
        before = wages.screenshot()
        hours = plots.nth(1 + shown.index("hours")) if "hours" in shown else None
        hours_before = hours.screenshot() if hours is not None else b""
        _step(page, 1)
        page.get_by_text(f"January 2016 (month 1 of {MONTHS})").wait_for()
        assert _changed(wages, before), "the wage plot did not change after Step"
        if hours is not None:
            assert _changed(hours, hours_before), "the hours plot did not change after Step"
        for _, label, _ in panels.HEADLINES:  # hours, hourly pay, arrangements, weekly rest among them
            page.get_by_role("cell", name=label, exact=True).wait_for()

        page.get_by_text("Policy twin", exact=True).click()
        page.get_by_text("Differences: fee_cap.yaml minus baseline.yaml").wait_for()
        _step(page, 2)
        page.get_by_text("fees paid by workers (yuan)").nth(1).wait_for()
        page.get_by_role("columnheader", name="difference", exact=True).wait_for()
        city = plots.nth(0)  # the map's views: arrangements, then where the twin differs
        for view in ("Arrangements", "Twin's difference", "Formal or informal"):
            before_view = city.screenshot()
            page.get_by_role("button", name=view, exact=True).click()
            assert _changed(city, before_view), f"the map did not change to its view {view!r}"
        page.get_by_role("button", name="▶").click()  # play, then pause
        page.get_by_text(re.compile(r"^Time: ([4-9]|\d\d)\.0$")).wait_for()
        page.get_by_role("button", name="❚❚").click()
        playwright_api.expect(page.get_by_role("button", name="Step")).to_be_enabled()  # again, once paused
        if os.environ.get("DOMWORK_SCREENSHOT") == "1":
            page.wait_for_timeout(2000)  # a step in flight at the pause finishes
            month = int(page.get_by_text(re.compile(r"^Time: \d+\.0$")).inner_text()[6:-2])
            for later in range(month + 1, max(month + 1, 24) + 1):
                _step(page, later)
            page.set_viewport_size({"width": 1500, "height": 1250})
            page.evaluate("() => { window.scrollTo(0, 0); document.querySelectorAll('*').forEach("
                          "e => { if (e.scrollTop) e.scrollTop = 0; }); }")  # the map's buttons scrolled it
            page.wait_for_timeout(3000)
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT))
    finally:
        context.close()


def test_charts_hold_every_month_though_a_step_sends_only_its_rows(browser, app):
    """A step sends a chart its new month's rows only, the map its changed dots (model/viz/vega.py): the drawn
    charts hold every month, the map every dot."""
    context, page = _open(browser, app)
    try:
        drawn = page.locator("[data-rows]")  # each chart notes the rows it holds: the map first, then the charts
        playwright_api.expect(drawn).to_have_count(1 + len(charts.available_charts()))
        unemployment = drawn.nth(1 + charts.available_charts().index("unemployment"))  # two lines, every month
        for month in (1, 2, 3):
            _step(page, month)
            playwright_api.expect(unemployment).to_have_attribute("data-rows", str(2 * month))
        # the map got only its changed dots each month: it holds what the whole map of month 3 holds
        city = drawn.nth(0)
        patched, revision = city.get_attribute("data-rows"), city.get_attribute("data-revision")
        page.get_by_role("button", name="Arrangements").click()
        playwright_api.expect(city).not_to_have_attribute("data-revision", revision)
        revision = city.get_attribute("data-revision")
        page.get_by_role("button", name="Formal or informal").click()  # the whole map again, as it is now
        playwright_api.expect(city).not_to_have_attribute("data-revision", revision)
        assert city.get_attribute("data-rows") == patched
        page.get_by_text("Policy twin", exact=True).click()  # the chart built again, with the twin's 3 months
        playwright_api.expect(unemployment).to_have_attribute("data-rows", str(2 * 3 * 2))
        _step(page, 4)
        playwright_api.expect(unemployment).to_have_attribute("data-rows", str(2 * 4 * 2))
    finally:
        context.close()


def test_two_sessions_do_not_share_a_model(browser, app):
    first, page_a = _open(browser, app)
    second, page_b = _open(browser, app)
    try:
        _step(page_a, 1)
        _step(page_a, 2)
        page_b.get_by_text("Time: 0.0", exact=True).wait_for()
        assert page_b.get_by_text("Before the first month").is_visible()
        _step(page_b, 1)
        assert page_a.get_by_text("Time: 2.0", exact=True).is_visible()
    finally:
        first.close()
        second.close()


def test_controls_take_effect_on_reset_and_bad_input_shows_a_message(browser, app):
    context, page = _open(browser, app)
    try:
        page.get_by_text("Policies in force: worker fee cap (from month 1)").wait_for()
        page.get_by_text("Minimum wage: in force").click()
        page.get_by_role("button", name="Reset").click()
        page.get_by_text("Policies in force: minimum wage (from month 1), worker fee cap (from month 1)").wait_for()

        page.get_by_label("Seed (a whole number)").fill("-1")
        page.get_by_label("Seed (a whole number)").press("Enter")
        page.get_by_role("button", name="Reset").click()
        page.get_by_text("page control: seed: Input should be greater than or equal to 0").wait_for()
        page.get_by_label("Seed (a whole number)").fill("20160317")
        page.get_by_label("Seed (a whole number)").press("Enter")

        page.locator(".v-select").filter(has_text="Scenario").click()
        page.locator(".v-menu__content .v-list-item").filter(has_text="broken.yaml").click()
        page.get_by_role("button", name="Reset").click()
        page.get_by_text("broken.yaml: market.separation_rate: Input should be less than or equal to 1").wait_for()
        page.get_by_text("Running fee_cap.yaml instead.").wait_for()
        _step(page, 1)  # the page goes on
    finally:
        context.close()


def _headline(page, label: str) -> str:
    """The value in the headline table's row ``label``."""
    row = page.get_by_role("row").filter(has=page.get_by_role("cell", name=label, exact=True)).first
    return row.get_by_role("cell").nth(1).inner_text()


def test_reset_without_touching_anything_is_the_run_of_domwork_run(browser, app, tmp_path):
    """The scenario after Reset is byte for byte the one `domwork run` writes, and so are its numbers."""
    from model.cli import main

    out = tmp_path / "run"
    assert main(["run", str(app["folder"] / "fee_cap.yaml"), "--out", str(out), "--quiet"]) == 0
    fingerprint = hashlib.sha256((out / "scenario.yaml").read_bytes()).hexdigest()[:12]
    expected = pd.read_csv(out / "timeseries.csv")
    context, page = _open(browser, app)
    try:
        page.get_by_text(f"fingerprint {fingerprint}").wait_for()
        page.get_by_role("button", name="Reset").click()
        page.get_by_text("Time: 0.0", exact=True).wait_for()
        page.get_by_text(f"fingerprint {fingerprint}").wait_for()
        _step(page, 1)
        _step(page, 2)
        month = expected[expected["month"] == 2].iloc[0]
        assert _headline(page, "employed workers") == f"{month['employed']:,.0f}"
        assert _headline(page, "mean wage (yuan/month)") == f"{month['mean_wage']:,.0f}"
        assert _headline(page, "fees paid by workers (yuan)") == f"{month['worker_fees_paid']:,.0f}"
    finally:
        context.close()


def test_sliders_show_their_value_and_unit_and_have_a_track(browser, app):
    context, page = _open(browser, app)
    try:
        page.get_by_text("Minimum wage: hourly: 20.3 yuan/hour").wait_for()
        page.get_by_text("Separation rate: ").first.wait_for()
        widths = page.locator(".v-navigation-drawer .v-slider__track-container").evaluate_all(
            "els => els.map(e => e.getBoundingClientRect().width)")
        assert widths and min(widths) > 100, widths
    finally:
        context.close()


# --- the Compare page ------------------------------------------------------------------------


def _compare_page(browser, app, query: str = ""):
    context = browser.new_context(viewport={"width": 1500, "height": 1000}, accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(app["url"] + (query or "?page=compare"))
    page.get_by_role("button", name="Run comparison").wait_for()
    return context, page


def _card(page) -> dict[str, tuple[str, str]]:
    """The card as shown: title -> (effect, interval)."""
    page.locator(".domwork-effect").first.wait_for(timeout=120_000)
    cards = page.locator(".domwork-card")
    return {cards.nth(k).locator(".domwork-card-title").inner_text():
            (cards.nth(k).locator(".domwork-effect").inner_text(), cards.nth(k).locator(".domwork-interval").inner_text())
            for k in range(cards.count())}


def _pick(page, which: str, scenario: str) -> None:
    """Set the Compare page's select ``which`` (Reference, Option 1, ...) to ``scenario``."""
    page.locator(".v-select").filter(has_text=which).click()
    page.locator(".menuable__content__active .v-list-item").filter(has_text=scenario).first.click()


def _choose(page, which: str, scenario: str, months: int, replicates: int) -> None:
    """Set a select, then the months and replicates of the comparison."""
    _pick(page, which, scenario)
    for label, value in (("Months", months), ("Replicates", replicates)):
        page.get_by_label(label).fill(str(value))
        page.get_by_label(label).press("Enter")


def test_compare_runs_from_the_page_its_link_gives_the_same_card_and_its_workbook_reads_back(browser, app, tmp_path):
    context, page = _compare_page(browser, app)
    try:
        _pick(page, "Reference", "baseline.yaml")
        _choose(page, "Option 1", "fee_cap.yaml", 12, 3)
        page.get_by_role("button", name="Run comparison").click()
        card = _card(page)
        assert "formal share (contract and insurance): fee_cap" in card and "employed workers: fee_cap" in card
        # the card's numbers are the comparison's: its diff and interval in comparison.csv
        folder = next(p for p in app["cache"].iterdir() if (p / "manifest.json").exists())
        table = pd.read_csv(folder / "comparison.csv")
        row = table[(table["scenario"] == "fee_cap") & (table["metric"] == "employed")].iloc[0]
        effect, interval = card["employed workers: fee_cap"]
        assert effect == f"{row['diff_vs_first']:+,.0f}"
        assert interval == f"95% interval [{row['diff_ci_low']:+,.0f}, {row['diff_ci_high']:+,.0f}]"
        page.get_by_text("Under fee_cap, employed workers").wait_for()
        page.get_by_text("Winners and losers by group").wait_for()
        page.get_by_text("policies.worker_fee_cap.enabled").first.wait_for()  # what changed
        page.get_by_text("domwork compare baseline.yaml fee_cap.yaml --replicates 3 --months 12").wait_for()

        with page.expect_download() as download:
            page.get_by_role("button", name="comparison.xlsx").click()
        saved = tmp_path / "comparison.xlsx"
        download.value.save_as(saved)
        sheets = pd.read_excel(saved, sheet_name=None)
        assert {"card", "comparison", "group_effects", "what_changed"} <= set(sheets)
        assert len(sheets["comparison"]) == len(table)

        link = page.locator("#domwork-share-link").evaluate("a => a.href")
        assert "ref=baseline.yaml" in link and "opt=fee_cap.yaml" in link and "v=" in link
    finally:
        context.close()
    other = browser.new_context(viewport={"width": 1500, "height": 1000})  # a new browser: no shared state
    other.set_default_timeout(TIMEOUT_MS)
    try:
        again = other.new_page()
        again.goto(link)
        assert _card(again) == card  # the same numbers, from the cache
        again.get_by_text("(from the cache)").first.wait_for()
        old = again.context.new_page()
        old.goto(link.replace("v=", "v=0.0.0-old&w="))
        old.get_by_text("This link was made with domwork 0.0.0-old").wait_for()
    finally:
        other.close()


def test_compare_cancels_and_bad_input_gives_a_message(browser, app):
    context, page = _compare_page(browser, app)
    try:
        _pick(page, "Option 1", "fee_cap.yaml")
        page.get_by_label("Key changes").fill("policies.worker_fee_cap.max_share=7")
        page.get_by_label("Key changes").press("Enter")
        page.get_by_role("button", name="Run comparison").click()
        page.get_by_text("policies.worker_fee_cap.max_share").first.wait_for()
        page.get_by_text("option 1: policies.worker_fee_cap.max_share: Input should be less than or equal").wait_for()

        page.get_by_label("Key changes").fill("")
        page.get_by_label("Key changes").press("Enter")
        page.get_by_label("Months").fill("240")
        page.get_by_label("Months").press("Enter")
        page.get_by_label("Replicates").fill("6")
        page.get_by_label("Replicates").press("Enter")
        page.get_by_role("button", name="Run comparison").click()
        page.locator(".domwork-progress").filter(has_text="Running").wait_for()
        page.get_by_role("button", name="Cancel").click()
        page.get_by_text("Comparison cancelled.").wait_for()
        deadline = time.perf_counter() + 10
        while any(p.name.startswith(".job-") for p in app["cache"].iterdir()) and time.perf_counter() < deadline:
            time.sleep(0.2)
        assert not any(p.name.startswith(".job-") for p in app["cache"].iterdir()), "a cancelled job left files"
    finally:
        context.close()


def test_two_sessions_never_share_a_comparison(browser, app):
    first, page_a = _compare_page(browser, app)
    second, page_b = _compare_page(browser, app)
    try:
        untouched = page_b.locator(".v-select").all_inner_texts()
        _choose(page_a, "Option 1", "fee_cap.yaml", 240, 6)
        page_a.get_by_role("button", name="Run comparison").click()
        page_a.locator(".domwork-progress").filter(has_text="Running").wait_for()
        # B sees none of A's choices, nor its comparison, and runs its own beside it.
        assert page_b.locator(".domwork-progress").filter(has_text="Running").count() == 0
        assert page_b.locator(".v-select").all_inner_texts() == untouched
        assert page_b.get_by_label("Months").input_value() != "240"
        playwright_api.expect(page_b.get_by_role("button", name="Run comparison")).to_be_enabled()
        _pick(page_b, "Reference", "baseline.yaml")
        _choose(page_b, "Option 1", "fee_cap.yaml", 12, 3)
        page_b.get_by_role("button", name="Run comparison").click()
        card = _card(page_b)
        assert "employed workers: fee_cap" in card
        # A's comparison is still its own: cancelling it leaves B's card alone.
        page_a.get_by_role("button", name="Cancel").click()
        page_a.get_by_text("Comparison cancelled.").wait_for()
        assert page_b.get_by_text("Comparison cancelled.").count() == 0
        assert _card(page_b) == card
        assert page_a.locator(".domwork-effect").count() == 0, "A shows a card it never finished"
    finally:
        first.close()
        second.close()


@pytest.mark.slow
def test_a_closed_tab_cancels_its_comparison(browser, app):
    """The session of a closed tab is closed after the cull timeout, and its comparison with it."""
    context, page = _compare_page(browser, app)
    _choose(page, "Option 1", "fee_cap.yaml", 600, 20)
    page.get_by_role("button", name="Run comparison").click()
    page.locator(".domwork-progress").filter(has_text="Running: compare").wait_for()  # its replicates run
    jobs = [p for p in app["cache"].iterdir() if p.name.startswith(".job-")]
    assert jobs and (jobs[0] / compare_job.PROGRESS).exists()
    context.close()
    deadline = time.perf_counter() + 90  # the cull timeout (30 s) and some
    while any(p.name.startswith(".job-") for p in app["cache"].iterdir()) and time.perf_counter() < deadline:
        time.sleep(1)
    assert not any(p.name.startswith(".job-") for p in app["cache"].iterdir()), "the comparison outlived its tab"
