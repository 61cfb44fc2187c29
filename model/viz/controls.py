"""The page's controls: a scenario picker, every policy lever, the key market parameters and the seed.

The controls are generated from the scenario schema (one declaration a key, with
its limits, unit and source). Their starting positions are the exact values of
the scenario the page was started with; each slider shows its value with its
unit. A control counts as moved only when the user moves it at least half a
step away from where it started: a slider that snaps an off-grid value (20.3 on
a grid of 0.5) to its grid has not been touched, and on Reset a control that has
not been touched never changes the picked scenario.

The picker offers scenario files by name only: the project's scenarios and the
folder named on the command line. A name that is not offered (a path sent by a
browser, say) is refused with a message; no other file is ever read.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from model.scenario.loading import ScenarioError, flat_values, load_scenario
from model.scenario.schema import Policies, Scenario

# Market and population keys with a control of their own (label, slider maximum).
MARKET_KEYS: dict[str, tuple[str, float]] = {
    "market.separation_rate": ("Separation rate", 0.1),
    "market.bargaining_power": ("Workers' bargaining power", 1.0),
    "market.arrears_rate_informal": ("Wage arrears without a contract", 0.1),
    "channels.agency_utility": ("Base appeal of agencies", 10.0),
    "shocks.spring_festival.enabled": ("Spring Festival exodus", 1.0),
    "shocks.spring_festival.share_leaving": ("Share going home at the festival", 1.0),
    "months": ("Months to run", 240),
}
# Upper ends of sliders for keys that have no upper limit in the schema, as multiples of the default.
UNBOUNDED_SPAN = 3.0
SEED_KEY = "seed"
SCENARIO_KEY = "scenario_file"  # not "scenario": Mesa's Reset passes its own ``scenario``
SLIDER_STEPS = 100
MAX_FINE_STEPS = 2000  # a slider gets a finer step that holds its start value exactly, up to this many steps
BUILT_IN = "(built-in baseline)"  # the picker's name for the scenario of no file
PROJECT_PREFIX = "project: "  # the picker's names of the project's scenarios beside the user's folder


@dataclass(frozen=True)
class PageSetup:
    """What the page was started with: the scenario folders, the launch scenario and the controls' start.

    Attributes:
        launch: the scenario file the page starts with (None: the built-in baseline).
        folder: the user's folder (the launch scenario's, or the project's scenarios without one).
        start: starting position of every control, by key.
        project: the project's scenarios folder, offered beside the user's folder.
    """

    launch: Path | None
    folder: Path
    start: dict[str, Any] = field(default_factory=dict)
    project: Path | None = None

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
        project = default_folder().resolve()
        return cls(launch, Path(folder).resolve(), start, project if project.is_dir() else None)

    def choices(self) -> dict[str, Path | None]:
        """The scenarios the picker offers, by name, and their files (read now: files may come and go)."""
        offered: dict[str, Path | None] = {}
        if self.launch is None:
            offered[BUILT_IN] = None
        elif self.launch.parent == self.folder:
            offered[self.launch.name] = self.launch
        for path in sorted(self.folder.glob("*.yaml")):
            if path.is_file():
                offered.setdefault(path.name, path)
        if self.project is not None and self.project != self.folder:
            for path in sorted(self.project.glob("*.yaml")):
                if path.is_file():
                    offered[f"{PROJECT_PREFIX}{path.name}"] = path
        return offered

    def scenario_files(self) -> list[str]:
        """Names of the scenarios the picker offers: the launch scenario first, the user's folder, the project's."""
        return list(self.choices())

    def path_of(self, name: str) -> Path | None:
        """The file of an offered scenario name (None: the built-in baseline).

        Raises:
            ScenarioError: ``name`` is not one of the offered names (the page never opens a path it is sent).
        """
        if name == BUILT_IN:
            return None
        offered = self.choices()
        if name not in offered:
            raise ScenarioError(f"Scenario {name!r}: not one of the scenarios this page offers (the project's "
                                "scenarios and the folder named on the command line, by name)")
        return offered[name]


def default_folder() -> Path:
    """The project's scenarios: the clone's ``scenarios/``, else those installed with the package (else none)."""
    from model import shipped

    return shipped.folder("scenarios") or Path.cwd() / "scenarios"


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


def field_info(dotted: str) -> tuple[str, str, str]:
    """A key's description, unit and source, as the schema declares them (empty where it says nothing)."""
    try:
        model_cls, name = _field(dotted)
        info = model_cls.model_fields[name]
    except (KeyError, AttributeError):
        return "", "", ""
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    return info.description or "", str(extra.get("unit", "")), str(extra.get("source", ""))


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


@dataclass(frozen=True)
class Control:
    """One control of the page: a switch or a slider over a scenario key.

    Attributes:
        key: the dotted scenario key.
        label: words for it.
        unit: its unit (from the schema), shown beside the value.
        kind: ``switch``, ``int`` or ``float``.
        start: the launch scenario's exact value.
        low, high, step: the slider's range and step (None for a switch).
    """

    key: str
    label: str
    unit: str
    kind: str
    start: Any
    low: float | None = None
    high: float | None = None
    step: float | None = None

    def moved(self, value: Any) -> bool:
        """Whether ``value`` is a move of the control away from its start (at least half a step)."""
        if self.kind == "switch":
            return bool(value) != bool(self.start)
        return abs(float(value) - float(self.start)) >= (self.step or 0) / 2 and value != self.start

    def text(self, value: Any) -> str:
        """The value and its unit, as the page shows it: ``20.3 yuan/hour``, ``on``."""
        if self.kind == "switch":
            return "on" if value else "off"
        number = f"{value:,}" if self.kind == "int" else f"{float(value):,.10g}"
        unit = self.unit if self.unit not in ("", "switch") else ""
        return f"{number} {unit}".strip()

    def as_param(self) -> dict[str, Any]:
        """The control as a SolaraViz user input (``model_params`` entry)."""
        if self.kind == "switch":
            return {"type": "Checkbox", "value": self.start, "label": self.label}
        kind = "SliderInt" if self.kind == "int" else "SliderFloat"
        return {"type": kind, "value": self.start, "label": self.label, "min": self.low, "max": self.high,
                "step": self.step}


def _decimals(value: float) -> int:
    text = f"{value:.10f}".rstrip("0")
    return len(text.split(".")[1]) if "." in text else 0


def control(dotted: str, value: Any, months: int) -> Control:
    """The control of a key, its range from the schema, a step that holds its start value where it can."""
    model_cls, name = _field(dotted)
    label = _label(dotted)
    _, unit, _ = field_info(dotted)
    if isinstance(value, bool):
        return Control(dotted, label, unit, "switch", value)
    low, high = _limits(model_cls, name)
    if name == "start_month":
        return Control(dotted, label, unit, "int", value, 1, max(months, value), 1)
    if dotted in MARKET_KEYS:
        high = MARKET_KEYS[dotted][1] if high is None else min(high, MARKET_KEYS[dotted][1])
    low = 0 if low is None else low
    if high is None:
        high = max(value, 1) * UNBOUNDED_SPAN
    high = max(high, value)
    if isinstance(value, int):
        span = int(high - low)
        step = 1 if span <= MAX_FINE_STEPS else max(1, span // SLIDER_STEPS)
        return Control(dotted, label, unit, "int", value, int(low), int(high), step)
    return Control(dotted, label, unit, "float", value, float(low), float(high), _step_holding(value, low, high))


def _on_grid(value: float, low: float, step: float) -> bool:
    k = (value - low) / step
    return abs(k - round(k)) < 1e-6


def _step_holding(value: float, low: float, high: float) -> float:
    """The coarsest 1-2-5 step, at most a hundredth of the range, whose grid holds ``value`` exactly.

    2,110 yuan gets a step of 10 (not 50), 20.3 one of 0.1, 0.0026 one of 0.0001; a value that no
    step of at most ``MAX_FINE_STEPS`` positions holds keeps the plain step (the control's tolerance
    of half a step then keeps it untouched).
    """
    step = _round_step((high - low) / SLIDER_STEPS)
    finest = 10.0 ** -_decimals(value)
    candidate = step
    while candidate >= finest * (1 - 1e-9) and (high - low) / candidate <= MAX_FINE_STEPS:
        if _on_grid(value, low, candidate):
            return candidate
        candidate = _round_step(candidate * (1 - 1e-9))
    return step


def _round_step(step: float) -> float:
    """A step of 1, 2 or 5 times a power of ten, at most ``step``."""
    if step <= 0:
        return 0.01
    power = 10.0 ** math.floor(math.log10(step))
    for mult in (5, 2, 1):
        if mult * power <= step:
            return mult * power
    return power


def controls(setup: PageSetup) -> dict[str, Control]:
    """Every lever and market parameter's control, by key, starting at the launch scenario's values."""
    months = int(setup.start.get("months", 120))
    return {key: control(key, setup.start[key], months) for key in control_keys()}


def model_params(setup: PageSetup) -> dict[str, Any]:
    """SolaraViz ``model_params``: the picker, the seed, every lever and market parameter, and the set-up.

    The page draws its own controls (:func:`model.viz.city.ControlsPanel`, value and unit shown) and hands
    SolaraViz only fixed values; this full form serves scripts that use SolaraViz's own inputs.
    """
    params: dict[str, Any] = {
        SCENARIO_KEY: {"type": "Select", "value": setup.start[SCENARIO_KEY], "label": "Scenario",
                       "values": setup.scenario_files()},
        SEED_KEY: {"type": "InputText", "value": setup.start[SEED_KEY], "label": "Seed (a whole number)"},
    }
    for key, item in controls(setup).items():
        params[key] = item.as_param()
    params["setup"] = setup  # fixed: passed as it is to every new model
    return params


def moved(setup: PageSetup, settings: dict[str, Any]) -> dict[str, Any]:
    """The controls moved from their starting positions, as scenario overrides.

    A slider within half a step of its start has not moved (a slider may snap the
    scenario's exact value to its grid).

    Raises:
        ScenarioError: the seed box does not hold a whole number.
    """
    known = controls(setup)
    overrides = {key: value for key, value in settings.items()
                 if key in known and key not in (SEED_KEY, SCENARIO_KEY) and known[key].moved(value)}
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
