"""Speed of the live app in a real browser, beside Mesa's own wolf-sheep example app, in one browser run.

Measures, with Debian's chromium driven by Playwright:

- page ready: from starting the server to the page showing its Step button and every chart;
- Step: from the click to the last chart of the new month drawn (the last change to the page's
  grid of charts, or the last Vega chart redrawn in place, followed by 0.5 s without either),
  median of N steps, for Mesa's wolf-sheep
  example and for the City page at 1:100 with the twin off and on;
- the Compare page's card: from opening the link of a comparison (baseline against the C189 package,
  1:100; nothing cached, so it runs) to the card shown, and the card's numbers.

Usage: ``python scripts/viz_speed.py [--steps 12] [--months 24] [--replicates 3]``; prints Markdown.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from model.viz import compare_job, server  # noqa: E402

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
OBSERVER = """() => {
  window.__last = performance.now();
  const grid = document.querySelector('.vue-grid-layout') || document.body;
  new MutationObserver(() => { window.__last = performance.now(); })
    .observe(grid, {subtree: true, childList: true, attributes: true, characterData: true});
}"""
CLICK = """() => {
  const button = [...document.querySelectorAll('button')].find(b => b.innerText.trim() === 'STEP'
                                                                   || b.innerText.trim() === 'Step');
  window.__t0 = performance.now(); button.click();
}"""


def wolf_sheep_app() -> Path:
    """The app file of Mesa's wolf-sheep example, as installed."""
    import mesa

    return Path(mesa.__file__).parent / "examples" / "advanced" / "wolf_sheep" / "app.py"


def start(app: Path, scenario: Path | None, port: int) -> subprocess.Popen:
    """``solara run APP`` on ``port``, as the live app's server runs it."""
    env = server.environment(scenario)
    return subprocess.Popen([sys.executable, "-m", "solara", "run", str(app), "--host", "127.0.0.1", "--port",
                             str(port), "--no-open", "--production"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def ready(page, charts: str) -> None:
    """Wait for the Step button and the first chart."""
    page.get_by_role("button", name="Step").wait_for()
    page.locator(charts).first.wait_for()


def step_times(page, steps: int, first_month: int) -> list[float]:
    """Seconds from each Step click to the last change to the charts."""
    times = []
    for k in range(steps):
        page.evaluate(OBSERVER)
        page.evaluate(CLICK)
        page.get_by_text(f"Time: {first_month + k}.0", exact=True).wait_for()
        # a canvas redrawn in place changes no element: our charts also note when they were last drawn
        last = "Math.max(window.__last, window.__vegaDrawn || 0)"
        while page.evaluate(f"performance.now() - {last}") < 500:
            page.wait_for_timeout(50)
        times.append(page.evaluate(f"({last} - window.__t0) / 1000"))
    return times


def measure_app(browser, app: Path, scenario: Path | None, charts: str, steps: int, twin: bool = False,
                warm: int = 2) -> dict[str, float]:
    """Page ready and median Step of one app (with the twin off, and on when asked)."""
    port = server.free_port()
    started = time.perf_counter()
    process = start(app, scenario, port)
    try:
        server.wait_ready(server.url("127.0.0.1", port), process)
        page = browser.new_page(viewport={"width": 1500, "height": 1000})
        page.set_default_timeout(120_000)
        page.goto(server.url("127.0.0.1", port))
        ready(page, charts)
        ready_s = time.perf_counter() - started
        out = {"ready_s": ready_s}
        step_times(page, warm, 1)
        out["off"] = statistics.median(step_times(page, steps, warm + 1))
        if twin:
            page.get_by_text("Policy twin", exact=True).click()
            page.get_by_text("Differences:").first.wait_for()
            page.wait_for_timeout(1000)
            out["on"] = statistics.median(step_times(page, steps, warm + steps + 1))
        page.close()
        return out
    finally:
        server.stop(process)


def measure_card(browser, months: int, replicates: int) -> tuple[float, list[str]]:
    """Seconds from opening a comparison's link to its card, and the card's texts."""
    port = server.free_port()
    cache = Path(tempfile.mkdtemp(prefix="viz-speed-cache-"))
    os.environ[compare_job.CACHE_ENV] = str(cache)  # an empty cache: the comparison runs
    process = server.start(ROOT / "scenarios" / "baseline.yaml", "127.0.0.1", port)
    try:
        server.wait_ready(server.url("127.0.0.1", port), process)
        page = browser.new_page(viewport={"width": 1500, "height": 1000})
        page.set_default_timeout(300_000)
        query = compare_job.Analysis("baseline.yaml", (compare_job.Option("c189_package.yaml"),), months=months,
                                     replicates=replicates).query()
        started = time.perf_counter()  # a link runs its analysis at once (the cache is empty)
        page.goto(server.url("127.0.0.1", port) + "?" + query)
        page.locator(".domwork-effect").first.wait_for()
        seconds = time.perf_counter() - started
        cards = page.locator(".domwork-card")
        texts = [" ".join(cards.nth(k).inner_text().split()) for k in range(cards.count())]
        page.close()
        return seconds, texts
    finally:
        server.stop(process)


def main() -> int:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--replicates", type=int, default=3)
    args = parser.parse_args()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        wolf = measure_app(browser, wolf_sheep_app(), None, ".vue-grid-item img, .vue-grid-item canvas", args.steps)
        city = measure_app(browser, ROOT / "model" / "viz" / "app.py", ROOT / "scenarios" / "fee_cap.yaml",
                           ".vega-embed canvas, .vega-embed svg", args.steps, twin=True)
        card_s, card = measure_card(browser, args.months, args.replicates)
        browser.close()
    load = os.getloadavg()
    print(f"Load average at the end: {load[0]:.1f} (1 min), {load[1]:.1f} (5 min); {os.cpu_count()} cores.\n")
    print("| | Mesa wolf-sheep | domwork City, twin off | domwork City, twin on |")
    print("|---|---:|---:|---:|")
    print(f"| Step, click to the last chart drawn (median of {args.steps}) | {wolf['off']:.2f} s | "
          f"{city['off']:.2f} s | {city['on']:.2f} s |")
    print(f"| server start to page ready | {wolf['ready_s']:.1f} s | {city['ready_s']:.1f} s | |")
    print(f"\nCompare page, baseline against c189_package at 1:100, {args.months} months, {args.replicates} "
          f"replicates: the card {card_s:.1f} s after opening its link.\n")
    for text in card:
        print(f"- {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
