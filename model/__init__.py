"""domwork: an agent-based model of migrant domestic workers in a Guangzhou-like city.

>>> from model import DomesticWorkModel, load_scenario
>>> m = DomesticWorkModel(load_scenario(overrides={"months": 12}))
"""

from model.agents import Agency, Household, Worker
from model.model import DomesticWorkModel
from model.scenario import ScenarioError, load_scenario
from model.schema import Scenario

__version__ = "0.1.0"

__all__ = [
    "Agency",
    "DomesticWorkModel",
    "Household",
    "Scenario",
    "ScenarioError",
    "Worker",
    "__version__",
    "load_scenario",
]
