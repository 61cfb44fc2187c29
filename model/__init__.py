"""domwork: an agent-based model of migrant domestic workers in a Guangzhou-like city.

>>> from model import DomesticWorkModel, load_scenario
>>> m = DomesticWorkModel(load_scenario(overrides={"months": 12}))

The public names are imported on first use (PEP 562), so that ``domwork --help``,
``domwork schema`` or loading a scenario do not pay for importing Mesa (about a
second) until a model is built.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from model.core.agents import Agency, Household, Worker
    from model.model import DomesticWorkModel
    from model.scenario.loading import ScenarioError, load_scenario
    from model.scenario.schema import Scenario

__version__ = "0.1.0"

# Public name -> the module that defines it.
_LAZY = {
    "Agency": "model.core.agents",
    "DomesticWorkModel": "model.model",
    "Household": "model.core.agents",
    "Scenario": "model.scenario.schema",
    "ScenarioError": "model.scenario.loading",
    "Worker": "model.core.agents",
    "load_scenario": "model.scenario.loading",
}

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


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use, then keep the name here."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'model' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The module's names, the lazy public ones included."""
    return sorted({*globals(), *__all__})
