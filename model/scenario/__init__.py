"""Scenarios: what a scenario may say, how it is loaded, and its reference documentation.

The vocabulary of keys (:mod:`.fields`), the schema of every key (:mod:`.schema`; its
``policies`` block assembled from the registered policies by :mod:`.policy_sections`),
loading with ``extends`` and ``--set`` (:mod:`.loading`), and the reference generated
from the schema (:mod:`.reference`).

The public names are imported on first use, so that a policy's file can import
:mod:`.fields` while the schema is being assembled from the policies.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from model.scenario.loading import ScenarioError, load_scenario, load_scenario_data
    from model.scenario.schema import Scenario

_LAZY = {"Scenario": "model.scenario.schema", "ScenarioError": "model.scenario.loading",
         "load_scenario": "model.scenario.loading", "load_scenario_data": "model.scenario.loading"}

__all__ = ["Scenario", "ScenarioError", "load_scenario", "load_scenario_data"]


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'model.scenario' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
