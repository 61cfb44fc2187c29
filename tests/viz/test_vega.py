"""The live chart widget sends a month's new rows, not the chart again (model/viz/vega.py)."""

from __future__ import annotations

import copy

from model.viz.vega import LiveVega, Spec, patch


def _chart(rows: list[dict], title: str = "wages", **datasets) -> dict:
    return {"title": title, "data": {"name": "table"}, "mark": "line", "datasets": {"table": rows, **datasets}}


ROWS = [{"month": m, "value": float(m)} for m in range(1, 4)]


def test_patch_appends_new_rows_replaces_changed_ones_and_skips_the_rest():
    cells = [{"x": 1}]
    old = _chart(ROWS, cells=cells)
    assert patch(old, _chart([*copy.deepcopy(ROWS), {"month": 4, "value": 4.0}], cells=cells)) == {
        "append": {"table": [{"month": 4, "value": 4.0}]}}
    assert patch(old, _chart(ROWS[1:], cells=[{"x": 1}])) == {"replace": {"table": ROWS[1:]}}
    assert patch(old, _chart(copy.deepcopy(ROWS), cells=[{"x": 1}])) == {}
    assert patch(old, _chart(ROWS, title="hours", cells=cells)) is None  # more than data: built again
    assert patch(old, _chart(ROWS)) is None


class _Sent(LiveVega):
    def send(self, content, buffers=None):
        self.__dict__.setdefault("sent", []).append(content)


def test_widget_sends_the_whole_chart_once_then_patches_and_the_whole_chart_on_request():
    widget = _Sent(spec=Spec(_chart(ROWS)))
    assert widget.chart == {"rev": 1, "spec": _chart(ROWS)} and widget.revision == 1
    assert widget.spec["datasets"]["table"] == ROWS  # reads like the dict it holds
    widget.spec = Spec(_chart([*ROWS, {"month": 4, "value": 4.0}]))
    assert widget.sent == [{"method": "patch", "args": [{"base": 1, "rev": 2,
                                                          "append": {"table": [{"month": 4, "value": 4.0}]}}]}]
    assert widget.revision == 2 and widget.chart["rev"] == 1  # the browser's chart is 1 plus patch 2
    same = widget.spec.value
    widget.spec = Spec(same)  # the same dict again (a render without a step): nothing sent
    widget.spec = Spec(copy.deepcopy(same))  # equal rows: nothing sent either
    assert len(widget.sent) == 1 and widget.revision == 2
    widget.spec = Spec(_chart(ROWS, title="hours"))
    assert widget.chart == {"rev": 3, "spec": _chart(ROWS, title="hours")} and len(widget.sent) == 1
    widget.vue_resync(1)  # a view that missed a patch gets the whole chart as it is now
    assert widget.chart == {"rev": 4, "spec": _chart(ROWS, title="hours")} and widget.revision == 4


def test_patch_sends_rows_with_ids_that_changed_and_all_rows_when_most_did():
    """The map's dots carry their row as ``id``: a month sends the dots gone, moved or recoloured, not all."""
    dots = [{"id": k, "x": float(k), "state": "searching"} for k in range(10)]
    now = copy.deepcopy(dots)
    now[3]["state"] = "formal job"  # changed
    del now[7]  # gone
    now.append({"id": 12, "x": 12.0, "state": "away"})  # new
    assert patch(_chart(ROWS, dots=dots), _chart(ROWS, dots=now)) == {"update": {"dots": {
        "remove": [3, 7], "insert": [{"id": 3, "x": 3.0, "state": "formal job"}, {"id": 12, "x": 12.0, "state": "away"}]}}}
    moved = [{**row, "x": row["x"] + 1} for row in dots]  # every dot changed: all rows, as before
    assert patch(_chart(ROWS, dots=dots), _chart(ROWS, dots=moved)) == {"replace": {"dots": moved}}
    twice = [*dots, dots[0]]  # ids not unique: not keyed
    assert patch(_chart(ROWS, dots=twice), _chart(ROWS, dots=now)) == {"replace": {"dots": now}}
