"""A Vega-Lite chart widget that redraws a month by changing its data, not by building the chart again.

solara's own widget (``solara.widgets.VegaLite``, 1.64) waits 100 ms after every change, then builds the
chart from scratch (vega-embed compiles the Vega-Lite spec to Vega, parses it and draws it as SVG). A
live chart changes only its data from month to month, so this widget keeps the chart it built: when a new
spec differs from the last one only in its named ``datasets``, it swaps the data in place
(``view.change(name, changeset)``) and lets Vega redraw; any other change builds the chart again.
Charts name their data for this (``"datasets": {"table": [...]}``, ``"data": {"name": "table"}``).
"""

from __future__ import annotations

import ipyvuetify as v
import traitlets

TEMPLATE = r"""
<template>
    <div><div ref="plotElement"></div></div>
</template>
<script>
module.exports = {
    created() {
        this.vegaLoaded = this.loadVega(); this.shape = null; this.view = null; this.busy = Promise.resolve();
    },
    mounted() { this.draw(); },
    destroyed() { if (this.view) { this.view.finalize(); } },
    watch: { spec() { this.draw(); } },
    methods: {
        shapeOf(spec) {
            const copy = {...spec, datasets: Object.keys(spec.datasets || {}).sort()};
            return JSON.stringify(copy);
        },
        draw() {
            const spec = JSON.parse(JSON.stringify(this.spec));
            this.busy = this.busy.then(() => this.vegaLoaded).then(() => new Promise((resolve) => {
                require(['vega', 'vega-embed'], (vega, vegaEmbed) => {
                    (async () => {
                        const shape = this.shapeOf(spec);
                        if (this.view && shape === this.shape) {
                            for (const [name, values] of Object.entries(spec.datasets || {})) {
                                this.view.change(name, vega.changeset().remove(vega.truthy).insert(values));
                            }
                            await this.view.runAsync();
                        } else {
                            if (this.view) { this.view.finalize(); }
                            const result = await vegaEmbed(this.$refs.plotElement, spec,
                                                           {renderer: this.renderer, actions: false});
                            this.view = result.view;
                            this.shape = shape;
                        }
                    })().catch((err) => console.error(err)).finally(() => {
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


class LiveVega(v.VuetifyTemplate):
    """A Vega-Lite chart whose data changes in place (see the module's docstring)."""

    template = traitlets.Unicode(TEMPLATE).tag(sync=True)
    spec = traitlets.Dict().tag(sync=True)
    # A canvas redraws faster than SVG (the map has thousands of points). A chart must give its legend a
    # domain: a legend with no entries has an infinite extent, which leaves a canvas without a size.
    renderer = traitlets.Unicode("canvas").tag(sync=True)
    cdn = traitlets.Unicode(None, allow_none=True).tag(sync=True)

    @traitlets.default("cdn")
    def _cdn(self) -> str | None:
        import solara.settings

        return None if solara.settings.assets.proxy else solara.settings.assets.cdn
