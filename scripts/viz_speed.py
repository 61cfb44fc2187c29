"""Speed of the live app in a real browser, beside Mesa's own wolf-sheep example app, in one browser run.

Measures, with Debian's chromium driven by Playwright:

- page ready: from starting the server to the page showing its Step button and every plot drawn
  (wolf-sheep's two matplotlib images; the City page's map and every chart on a canvas); also when the
  server first answered and when the Step button showed;
- Step: from the click to the last chart of the new month drawn (the last change to the page's
  grid of charts, or the last Vega chart redrawn in place, followed by 0.5 s without either),
  median of N steps, for Mesa's wolf-sheep
  example and for the City page at 1:100 with the twin off and on;
- the Compare page's card: from opening the link of a comparison (baseline against the C189 package,
  1:100; nothing cached, so it runs) to the card shown, and the card's numbers;
- the floor: a solara page with one line of text, from starting its server to the text shown (what any
  solara app pays before its own imports and drawing).

With ``--rounds R`` the two apps are measured R times, by turns (the machine's load moves: each app
gets its share of it), and the table gives medians over the rounds. Every chart counts as drawn only
once it is drawn: the page draws all of them at once, on screen or not.

Usage: ``python scripts/viz_speed.py [--steps 12] [--rounds 1] [--no-card] [--months 24] [--replicates 3]``;
prints Markdown.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
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


def ready(page, charts: str, plots: int = 1) -> float:
    """Wait for the Step button, then for ``plots`` plots drawn; return when the button showed (perf_counter)."""
    page.get_by_role("button", name="Step").wait_for()
    button = time.perf_counter()
    page.wait_for_function(f"document.querySelectorAll({charts!r}).length >= {plots}", polling=50)
    return button


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


@contextlib.contextmanager
def served(browser, app: Path, scenario: Path | None) -> Iterator[tuple]:
    """Start ``app``'s server and open its page: ``(page, started, answer_s)``; the server stops after."""
    port = server.free_port()
    started = time.perf_counter()
    process = start(app, scenario, port)
    try:
        answer_s = server.wait_ready(server.url("127.0.0.1", port), process)
        page = browser.new_page(viewport={"width": 1500, "height": 1000})
        page.set_default_timeout(120_000)
        page.goto(server.url("127.0.0.1", port))
        yield page, started, answer_s
        page.close()
    finally:
        server.stop(process)


def measure_app(browser, app: Path, scenario: Path | None, charts: str, steps: int, twin: bool = False,
                warm: int = 2, plots: int = 1) -> dict[str, float]:
    """Page ready (and when the server answered, and the Step button showed) and median Step of one app.

    The Step with the twin off, and on when asked.
    """
    with served(browser, app, scenario) as (page, started, answer_s):
        button = ready(page, charts, plots)
        ready_s = time.perf_counter() - started
        out = {"ready_s": ready_s, "answer_s": answer_s, "button_s": button - started}
        step_times(page, warm, 1)
        out["off"] = statistics.median(step_times(page, steps, warm + 1))
        if twin:
            page.get_by_text("Policy twin", exact=True).click()
            page.get_by_text("Differences:").first.wait_for()
            page.wait_for_timeout(1000)
            out["on"] = statistics.median(step_times(page, steps, warm + steps + 1))
        return out


def _card(browser, address: str) -> tuple[float, list[str]]:
    """Open ``address`` in a new browser context: seconds to the card shown, and the card's texts."""
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    try:
        page = context.new_page()
        page.set_default_timeout(300_000)
        started = time.perf_counter()
        page.goto(address)
        page.locator(".domwork-effect").first.wait_for()
        seconds = time.perf_counter() - started
        cards = page.locator(".domwork-card")
        return seconds, [" ".join(cards.nth(k).inner_text().split()) for k in range(cards.count())]
    finally:
        context.close()


def measure_card(browser, months: int, replicates: int) -> tuple[float, list[str], float, bool]:
    """Seconds from opening a comparison's link to its card, and the card's texts; then the link's round trip.

    The round trip: the same link opened again in a new browser context (as by someone it was sent to),
    which the result cache answers: its seconds, and whether its card reads the same.
    """
    port = server.free_port()
    cache = Path(tempfile.mkdtemp(prefix="viz-speed-cache-"))
    os.environ[compare_job.CACHE_ENV] = str(cache)  # an empty cache: the comparison runs
    process = server.start(ROOT / "scenarios" / "baseline.yaml", "127.0.0.1", port)
    try:
        server.wait_ready(server.url("127.0.0.1", port), process)
        query = compare_job.Analysis("baseline.yaml", (compare_job.Option("c189_package.yaml"),), months=months,
                                     replicates=replicates).query()
        address = server.url("127.0.0.1", port) + "?" + query  # a link runs its analysis at once (empty cache)
        seconds, texts = _card(browser, address)
        again_s, again = _card(browser, address)
        return seconds, texts, again_s, again == texts
    finally:
        server.stop(process)


FLOOR_APP = """import solara


@solara.component
def Page():
    solara.Text("floor")
"""


def measure_floor(browser) -> dict[str, float]:
    """A solara page with one line of text: server start to the server answering, and to the text shown."""
    with tempfile.TemporaryDirectory(prefix="viz-speed-floor-") as folder:
        app = Path(folder) / "floor.py"
        app.write_text(FLOOR_APP)
        with served(browser, app, None) as (page, started, answer_s):
            page.get_by_text("floor", exact=True).wait_for()
            return {"ready_s": time.perf_counter() - started, "answer_s": answer_s}


def measure_wolf_sheep(browser, steps: int) -> dict[str, float]:
    """Mesa's wolf-sheep example: its space and its line plot are matplotlib images."""
    return measure_app(browser, wolf_sheep_app(), None, ".vue-grid-item img, .vue-grid-item canvas", steps, plots=2)


def measure_city(browser, steps: int, app: Path = ROOT / "model" / "viz" / "app.py") -> dict[str, float]:
    """The City page of ``app`` at 1:100, the twin off and on: the map and every chart drawn on a canvas."""
    from model.viz import charts

    return measure_app(browser, app, ROOT / "scenarios" / "fee_cap.yaml", ".vega-embed canvas, .vega-embed svg",
                       steps, twin=True, plots=1 + len(charts.available_charts()))


def main() -> int:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=1, help="measure both apps this many times, by turns")
    parser.add_argument("--no-card", action="store_true", help="skip the Compare page's card")
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--replicates", type=int, default=3)
    args = parser.parse_args()
    wolves, cities, floors, loads = [], [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        for k in range(args.rounds):
            first, second = (measure_wolf_sheep, measure_city) if k % 2 == 0 else (measure_city, measure_wolf_sheep)
            for measure in (first, second):
                (wolves if measure is measure_wolf_sheep else cities).append(measure(browser, args.steps))
            floors.append(measure_floor(browser))
            loads.append(os.getloadavg()[0])
        card_s, card, again_s, same = ((None, [], None, False) if args.no_card
                                       else measure_card(browser, args.months, args.replicates))
        browser.close()

    def med(runs: list[dict[str, float]], key: str) -> float:
        return statistics.median(run[key] for run in runs)

    def each(runs: list[dict[str, float]], key: str, digits: int) -> str:
        return "" if len(runs) == 1 else " (" + " / ".join(f"{run[key]:.{digits}f}" for run in runs) + ")"

    print(f"Load average (1 min) after each round: {', '.join(f'{x:.1f}' for x in loads)}; "
          f"{os.cpu_count()} cores; {args.rounds} round(s), medians (each round in brackets).\n")
    print("| | Mesa wolf-sheep | domwork City, twin off | domwork City, twin on |")
    print("|---|---:|---:|---:|")
    print(f"| Step, click to the last chart drawn (median of {args.steps}) | {med(wolves, 'off'):.2f} s"
          f"{each(wolves, 'off', 2)} | {med(cities, 'off'):.2f} s{each(cities, 'off', 2)} | "
          f"{med(cities, 'on'):.2f} s{each(cities, 'on', 2)} |")
    for key, label in (("answer_s", "server start to the server answering"),
                       ("button_s", "server start to the Step button shown"),
                       ("ready_s", "server start to page ready (every plot drawn)")):
        print(f"| {label} | {med(wolves, key):.1f} s{each(wolves, key, 1)} | {med(cities, key):.1f} s"
              f"{each(cities, key, 1)} | |")
    print(f"\nA solara page with one line of text (the floor of any solara app here): the server answered "
          f"{med(floors, 'answer_s'):.1f} s{each(floors, 'answer_s', 1)} and the text showed "
          f"{med(floors, 'ready_s'):.1f} s{each(floors, 'ready_s', 1)} after its start.")
    if card_s is not None:
        print(f"\nCompare page, baseline against c189_package at 1:100, {args.months} months, {args.replicates} "
              f"replicates: the card {card_s:.1f} s after opening its link; the link opened again in a new "
              f"browser context: the card {again_s:.1f} s after, from the cache, "
              f"{'the same texts' if same else 'DIFFERENT texts'}.\n")
        for text in card:
            print(f"- {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
