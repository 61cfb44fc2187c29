"""Scenarios: what a scenario may say, how it is loaded, and its reference documentation.

The schema of every key (:mod:`.schema`), loading with ``extends`` and ``--set``
(:mod:`.loading`), and the reference generated from the schema (:mod:`.reference`).
"""

from model.scenario.loading import ScenarioError, load_scenario, load_scenario_data
from model.scenario.schema import Scenario

__all__ = ["Scenario", "ScenarioError", "load_scenario", "load_scenario_data"]
