"""The page's controls: a scenario picker, every policy lever, the key market parameters and the seed.

The controls are generated from the scenario schema (one declaration a key, with
its limits), as SolaraViz ``model_params``. Their starting positions are the
values of the scenario the page was started with. On Reset, a control that has
been moved from its starting position overrides the picked scenario; one left
where it started leaves the picked scenario's own value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from model.scenario.loading import ScenarioError, load_scenario
from model.scenario.schema import Policies, Scenario

# Market and population keys with a control of their own (label, slider maximum).
MARKET_KEYS: dict[str, tuple[str, float]] = {
    "market.separation_rate": ("Separation rate (a month)", 0.1),
    "market.bargaining_power": ("Workers' bargaining power", 1.0),
    "market.arrears_rate_informal": ("Wage arrears without a contract (a month)", 0.1),
    "channels.agency_utility": ("Base appeal of agencies (utils)", 10.0),
    "shocks.spring_festival.enabled": ("Spring Festival exodus", 1.0),
    "shocks.spring_festival.share_leaving": ("Share going home at the festival", 1.0),
    "months": ("Months to run", 240),
}
# Upper ends of sliders for keys that have no upper limit in the schema, as multiples of the default.
UNBOUNDED_SPAN = 3.0
SEED_KEY = "seed"
SCENARIO_KEY = "scenario_file"  # not "scenario": Mesa's Reset passes its own ``scenario``
SLIDER_STEPS = 100
BUILT_IN = "(built-in baseline)"  # the picker's name for the scenario of no file


@dataclass(frozen=True)
class PageSetup:
    """What the page was started with: the scenario folder, the launch scenario and the controls' start.

    Attributes:
        launch: the scenario file the page starts with (None: the built-in baseline).
        folder: the folder whose scenario files the picker offers.
        start: starting position of every control, by key.
    """

    launch: Path | None
    folder: Path
    start: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def create(cls, launch: Path | str | None, folder: Path | str | None = None) -> PageSetup:
        """Read the launch scenario (it must validate) and set the controls' starting positions.

        Raises:
            ScenarioError: the launch scenario does not validate.
        """
        launch = Path(launch).resolve() if launch else None
        if folder is None:
            folder = launch.parent if launch else default_folder()
        scenario = load_scenario(launch)
        start = {key: value for key, value in flat_values(scenario).items() if key in control_keys()}
        start[SEED_KEY] = str(scenario.seed)
        start[SCENARIO_KEY] = launch.name if launch else BUILT_IN
        return cls(launch, Path(folder).resolve(), start)

    def scenario_files(self) -> list[str]:
        """Names of the scenario files the picker offers (read now: files may come and go)."""
        names = sorted(p.name for p in self.folder.glob("*.yaml") if p.is_file())
        if self.launch is None:
            names.insert(0, BUILT_IN)
        elif self.launch.parent == self.folder and self.launch.name not in names:
            names.insert(0, self.launch.name)
        return names


def default_folder() -> Path:
    """The project's ``scenarios/`` folder, else ``scenarios/`` under the working folder."""
    here = Path(__file__).resolve().parents[2] / "scenarios"
    return here if here.is_dir() else Path.cwd() / "scenarios"


def flat_values(section: BaseModel, prefix: str = "") -> dict[str, Any]:
    """Every leaf value of a scenario (or a section), by dotted key."""
    out: dict[str, Any] = {}
    for name in type(section).model_fields:
        value = getattr(section, name)
        if isinstance(value, BaseModel):
            out.update(flat_values(value, f"{prefix}{name}."))
        else:
            out[f"{prefix}{name}"] = value
    return out


def _limits(model_cls: type[BaseModel], name: str) -> tuple[float | None, float | None]:
    low = high = None
    for rule in model_cls.model_fields[name].metadata:
        low = getattr(rule, "ge", None) if getattr(rule, "ge", None) is not None else low
        low = getattr(rule, "gt", None) if getattr(rule, "gt", None) is not None else low
        high = getattr(rule, "le", None) if getattr(rule, "le", None) is not None else high
        high = getattr(rule, "lt", None) if getattr(rule, "lt", None) is not None else high
    return low, high


def _field(dotted: str) -> tuple[type[BaseModel], str]:
    """The section class and field name of a dotted key."""
    model_cls: type[BaseModel] = Scenario
    *parents, name = dotted.split(".")
    for part in parents:
        model_cls = model_cls.model_fields[part].annotation
    return model_cls, name


def policy_keys() -> list[str]:
    """Dotted keys of every policy lever's settings, in the schema's order."""
    keys = []
    for policy, info in Policies.model_fields.items():
        keys.extend(f"policies.{policy}.{name}" for name in info.annotation.model_fields)
    return keys


def control_keys() -> list[str]:
    """Every key with a control on the page, policies first."""
    return [*policy_keys(), *MARKET_KEYS]


def _label(dotted: str) -> str:
    if dotted in MARKET_KEYS:
        return MARKET_KEYS[dotted][0]
    _, policy, name = dotted.split(".")
    policy_name = policy.replace("_", " ").capitalize()
    if name == "enabled":
        return f"{policy_name}: in force"
    return f"{policy_name}: {name.replace('_', ' ')}"


def _control(dotted: str, value: Any, months: int) -> dict[str, Any]:
    """One SolaraViz user input for a key, its range from the schema."""
    model_cls, name = _field(dotted)
    label = _label(dotted)
    if isinstance(value, bool):
        return {"type": "Checkbox", "value": value, "label": label}
    low, high = _limits(model_cls, name)
    if name == "start_month":
        return {"type": "SliderInt", "value": value, "label": label, "min": 1, "max": max(months, value), "step": 1}
    if dotted in MARKET_KEYS:
        high = MARKET_KEYS[dotted][1] if high is None else min(high, MARKET_KEYS[dotted][1])
    low = 0 if low is None else low
    if high is None:
        high = max(value, 1) * UNBOUNDED_SPAN
    high = max(high, value)
    if isinstance(value, int):
        return {"type": "SliderInt", "value": value, "label": label, "min": int(low), "max": int(high),
                "step": max(1, int(high - low) // SLIDER_STEPS)}
    step = _round_step((high - low) / SLIDER_STEPS)
    return {"type": "SliderFloat", "value": value, "label": label, "min": float(low), "max": float(high),
            "step": step}


def _round_step(step: float) -> float:
    """A step of 1, 2 or 5 times a power of ten, at most ``step``."""
    if step <= 0:
        return 0.01
    power = 10.0 ** math.floor(math.log10(step))
    for mult in (5, 2, 1):
        if mult * power <= step:
            return mult * power
    return power


def model_params(setup: PageSetup) -> dict[str, Any]:
    """SolaraViz ``model_params``: the picker, the seed, every lever and market parameter, and the set-up."""
    months = int(setup.start.get("months", 120))
    params: dict[str, Any] = {
        SCENARIO_KEY: {"type": "Select", "value": setup.start[SCENARIO_KEY], "label": "Scenario",
                       "values": setup.scenario_files()},
        SEED_KEY: {"type": "InputText", "value": setup.start[SEED_KEY], "label": "Seed (a whole number)"},
    }
    for key in control_keys():
        params[key] = _control(key, setup.start[key], months)
    params["setup"] = setup  # fixed: passed as it is to every new model
    return params


def moved(setup: PageSetup, settings: dict[str, Any]) -> dict[str, Any]:
    """The controls moved from their starting positions, as scenario overrides.

    Raises:
        ScenarioError: the seed box does not hold a whole number.
    """
    overrides = {key: value for key, value in settings.items()
                 if key in setup.start and key not in (SEED_KEY, SCENARIO_KEY) and value != setup.start[key]}
    seed = settings.get(SEED_KEY)
    if seed is not None and str(seed).strip() != setup.start[SEED_KEY]:
        text = str(seed).strip()
        try:
            overrides[SEED_KEY] = int(text)
        except ValueError:
            raise ScenarioError(f"Seed: {text!r} is not a whole number") from None
    # Sliders give floats for float keys and ints for int keys; a float key moved to a whole value comes as an int.
    for key, value in overrides.items():
        if key != SEED_KEY and isinstance(setup.start.get(key), float) and isinstance(value, int):
            overrides[key] = float(value)
    return overrides
