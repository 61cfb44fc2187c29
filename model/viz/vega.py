"""A Vega-Lite chart widget that sends the browser only what changed: a new month's rows, not the chart again.

solara's own widget (``solara.widgets.VegaLite``, 1.64) waits 100 ms after every change, then builds the
chart from scratch (vega-embed compiles the Vega-Lite spec to Vega, parses it and draws it as SVG). A
live chart changes only its data from month to month, so this widget keeps the chart it built and sends
a *patch*: for each named dataset (``"datasets": {"table": [...]}``, ``"data": {"name": "table"}``), the
rows appended at its end since the last spec; for one whose rows carry an ``id`` (the map's dots), the
rows that changed; else all its rows; a dataset that did not change is not sent. The browser applies
it with ``view.change(name, changeset)`` and redraws on a canvas. A change to anything but the
datasets (a title, an axis, the twin's legend) sends the whole chart, which the browser builds again.

Two things keep the browser's chart equal to the server's. Every patch names the revision it applies
to; a chart that missed one (a view mounted late, a lost message) asks for the whole chart again
(``resync``). And the spec reaches the widget wrapped in :class:`Spec`: reacton walks and copies every
dict and list in a widget's arguments on each render (looking for elements inside), which for the
map's 2,400 dots and the charts' rows cost more than building them; a ``Spec`` it passes as it is.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import ipyvuetify as v
import traitlets

KEY = "id"  # a dataset whose rows each have one is patched row by row (see patch)

TEMPLATE = r"""
<template>
    <div><div ref="plotElement"></div></div>
</template>
<script>
module.exports = {
    created() {
        this.vegaLoaded = this.loadVega(); this.view = null; this.busy = Promise.resolve();
        this.drawn = -1; this.queued = -1; this.asked = false;
    },
    mounted() {
        this.build();
        if (this.chart && this.chart.rev !== this.revision) { this.ask(); }  // patches went by before it existed
    },
    destroyed() { if (this.view) { this.view.finalize(); } },
    watch: { chart() { this.build(); } },
    methods: {
        build() {  // draw the whole chart when the server sent a newer one than drawn or queued
            const chart = this.chart;
            if (!chart || !chart.spec || chart.rev === this.queued) { return; }
            this.queued = chart.rev; this.asked = false;
            const spec = JSON.parse(JSON.stringify(chart.spec));
            this.enqueue(async (vega, vegaEmbed) => {
                if (this.view) { this.view.finalize(); }
                const result = await vegaEmbed(this.$refs.plotElement, spec,
                                               {renderer: this.renderer, actions: false});
                this.view = result.view; this.drawn = chart.rev; this.note(spec);
            });
        },
        jupyter_patch(patch) {
            this.build();  // a whole chart that came before this patch is drawn first
            this.enqueue(async (vega) => {
                if (!this.view || patch.base !== this.drawn) { this.ask(); return; }
                for (const [name, rows] of Object.entries(patch.replace || {})) {
                    this.view.change(name, vega.changeset().remove(vega.truthy).insert(rows));
                }
                for (const [name, rows] of Object.entries(patch.append || {})) {
                    this.view.change(name, vega.changeset().insert(rows));
                }
                for (const [name, change] of Object.entries(patch.update || {})) {
                    const gone = new Set(change.remove);
                    this.view.change(name, vega.changeset().remove((row) => gone.has(row.id)).insert(change.insert));
                }
                await this.view.runAsync();
                this.drawn = patch.rev; this.note(this.chart.spec);
            });
        },
        note(spec) {  // what is drawn, on the element: its revision and how many rows its datasets hold
            const names = Object.keys(spec.datasets || {});
            this.$el.dataset.revision = this.drawn;
            this.$el.dataset.rows = names.reduce((n, name) => n + this.view.data(name).length, 0);
        },
        ask() { if (!this.asked) { this.asked = true; this.resync(this.drawn); } },
        enqueue(work) {
            this.busy = this.busy.then(() => this.vegaLoaded).then(() => new Promise((resolve) => {
                require(['vega', 'vega-embed'], (vega, vegaEmbed) => {
                    work(vega, vegaEmbed).catch((err) => console.error(err)).finally(() => {
                        window.__vegaDrawn = performance.now();  // when the last chart was drawn (for timing)
                        resolve();
                    });
                });
            }));
        },
        async loadVega() {
            await this.loadRequire();
            require.config({map: {'*': {
                'vega': `${this.getCdn()}/vega@5/build/vega.min.js`,
                'vega-lite': `${this.getCdn()}/vega-lite@5/build/vega-lite.min.js`,
                'vega-embed': `${this.getCdn()}/vega-embed@6/build/vega-embed.min.js`,
            }}});
            await new Promise((resolve, reject) => {
                require(['vega', 'vega-lite', 'vega-embed'], () => resolve(), reject);
            });
        },
        loadRequire() {
            if (window.requirejs) { return Promise.resolve(); }
            return new Promise((resolve, reject) => {
                const script = document.createElement('script');
                script.src = `${this.getCdn()}/requirejs@2.3.6/require.js`;
                script.onload = resolve; script.onerror = reject;
                document.head.appendChild(script);
            });
        },
        getJupyterBaseUrl() {
            if (document.getElementsByTagName("base").length) { return "./"; }
            const labConfigData = document.getElementById('jupyter-config-data');
            if (labConfigData) { return JSON.parse(labConfigData.textContent).baseUrl; }
            let base = document.body.dataset.baseUrl || document.baseURI;
            if (!base.endsWith('/')) { base += '/'; }
            return base;
        },
        getCdn() {
            return this.cdn || (window.solara ? window.solara.cdn : `${this.getJupyterBaseUrl()}_solara/cdn`);
        }
    },
}
</script>
"""


class Spec(Mapping):
    """A Vega-Lite spec (a dict) that reacton passes to the widget as it is (see the module's docstring).

    Reads like the dict it holds (``spec["datasets"]``); equal to another only when it holds the same dict.
    """

    __slots__ = ("value",)

    def __init__(self, value: dict[str, Any]) -> None:
        self.value = value

    def __getitem__(self, key: str) -> Any:
        return self.value[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.value)

    def __len__(self) -> int:
        return len(self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Spec) and other.value is self.value

    def __hash__(self) -> int:
        return id(self.value)


def _keyed(rows: list) -> dict | None:
    """The rows by their ``id``, when every row has one and no two share it; else None."""
    try:
        by_id = {row[KEY]: row for row in rows}
    except (KeyError, TypeError):
        return None
    return by_id if len(by_id) == len(rows) else None


def patch(old: dict[str, Any], new: dict[str, Any]) -> dict[str, dict[str, Any]] | None:
    """What turns chart ``old`` into ``new``, by dataset: rows to append, rows changed, or all its rows.

    A dataset whose rows grew at the end gets the new rows (``append``). One whose rows each have an
    ``id`` (the map's dots) gets the ids of the rows gone or changed and the rows new or changed
    (``update``), when that is less than all its rows. Any other gets all its rows (``replace``).
    None when more than the datasets' rows changed (the chart is to be built again); empty when nothing did.
    """
    if old.keys() != new.keys() or any(old[key] != new[key] for key in new if key != "datasets"):
        return None
    before, after = old.get("datasets", {}), new.get("datasets", {})
    if before.keys() != after.keys():
        return None
    append, update, replace = {}, {}, {}
    for name, rows in after.items():
        previous = before[name]
        if rows is previous:
            continue
        n = len(previous)
        if len(rows) >= n and rows[:n] == previous:
            if len(rows) > n:
                append[name] = rows[n:]
            continue
        was, now = _keyed(previous), _keyed(rows)
        if was is not None and now is not None:
            remove = [key for key, row in was.items() if now.get(key) != row]
            insert = [row for key, row in now.items() if was.get(key) != row]
            if len(remove) + len(insert) < len(rows):
                update[name] = {"remove": remove, "insert": insert}
                continue
        replace[name] = rows
    return {key: value for key, value in (("append", append), ("update", update), ("replace", replace)) if value}


class LiveVega(v.VuetifyTemplate):
    """A Vega-Lite chart whose data changes in place (see the module's docstring).

    ``spec`` (a :class:`Spec`, or a plain dict) is the chart as the server has it now; ``chart`` is the whole
    chart last sent, at revision ``chart["rev"]``; ``revision`` is the revision of the last patch sent.
    """

    template = traitlets.Unicode(TEMPLATE).tag(sync=True)
    spec = traitlets.Any(None)  # not synced: the browser gets `chart` and patches
    chart = traitlets.Dict().tag(sync=True)
    revision = traitlets.Int(0).tag(sync=True)
    # A canvas redraws faster than SVG (the map has thousands of points). A chart must give its legend a
    # domain: a legend with no entries has an infinite extent, which leaves a canvas without a size.
    renderer = traitlets.Unicode("canvas").tag(sync=True)
    cdn = traitlets.Unicode(None, allow_none=True).tag(sync=True)

    @traitlets.default("cdn")
    def _cdn(self) -> str | None:
        import solara.settings

        return None if solara.settings.assets.proxy else solara.settings.assets.cdn

    @traitlets.observe("spec")
    def _spec_changed(self, change: dict[str, Any]) -> None:
        old, new = _plain(change["old"]), _plain(change["new"])
        if new is None or new is old:
            return
        changes = patch(old, new) if old is not None and self.chart else None
        if changes is None:
            self._send_whole(new)
        elif changes:
            self.send({"method": "patch", "args": [{"base": self.revision, "rev": self.revision + 1, **changes}]})
            self.revision += 1

    def _send_whole(self, spec: dict[str, Any]) -> None:
        with self.hold_sync():
            self.revision += 1
            self.chart = {"rev": self.revision, "spec": spec}

    def vue_resync(self, drawn: int | None = None) -> None:
        """The browser's chart missed a patch (it has revision ``drawn``): send the whole chart."""
        del drawn
        if self.spec is not None:
            self._send_whole(_plain(self.spec))


def _plain(spec: Spec | dict | None) -> dict | None:
    return spec.value if isinstance(spec, Spec) else spec
