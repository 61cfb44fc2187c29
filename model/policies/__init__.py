"""Policies: each a small object in a file of its own, declaring its parameters, its levers and ``apply``.

Every module of this package that defines a :class:`Policy` subclass is found and
registered at import, in the modules' alphabetical order; the schema's ``policies``
block, the month's :class:`~model.core.levers.Levers` and the live app's controls are
assembled from the registered policies. A new policy is one new file here (plus its
scenario and docs). :func:`registered` and :func:`unregister` let a test or a plug-in
add a policy defined elsewhere.

Each month :meth:`PolicySet.apply` resets the levers to rest, then lets each policy
in force move its own; the mechanisms read the levers, never a policy's parameters.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from model.core.levers import Lever, Levers
from model.policies.base import Policy
from model.scenario.fields import PolicyParams

if TYPE_CHECKING:
    from model.core.world import World

_REGISTRY: dict[str, type[Policy]] = {}
_LISTENERS: list[Callable[[], None]] = []


def register(policy: type[Policy]) -> type[Policy]:
    """Add a policy: its key and its levers' names must be new, its ``Params`` a :class:`PolicyParams`."""
    if not policy.key or not policy.key.isidentifier():
        raise ValueError(f"{policy.__name__}: key {policy.key!r} must be a Python identifier (policies.<key>.*)")
    if policy.key in _REGISTRY:
        raise ValueError(f"{policy.__name__}: a policy with key {policy.key!r} is registered already")
    if not (isinstance(policy.Params, type) and issubclass(policy.Params, PolicyParams)):
        raise TypeError(f"{policy.__name__}.Params must subclass PolicyParams")
    taken = {lever.name: other.key for other in _REGISTRY.values() for lever in other.levers}
    for lever in policy.levers:
        if lever.name in taken:
            raise ValueError(f"{policy.__name__}: lever {lever.name!r} is declared by {taken[lever.name]!r} already")
    _REGISTRY[policy.key] = policy
    _changed()
    return policy


def unregister(key: str) -> None:
    """Remove the policy registered under ``key``."""
    del _REGISTRY[key]
    _changed()


@contextmanager
def registered_while(policy: type[Policy]) -> Iterator[type[Policy]]:
    """Register ``policy`` for the duration of a ``with`` block (tests)."""
    register(policy)
    try:
        yield policy
    finally:
        unregister(policy.key)


def registered() -> tuple[type[Policy], ...]:
    """The registered policies, in the order they registered."""
    return tuple(_REGISTRY.values())


def declared_levers() -> tuple[Lever, ...]:
    """Every lever the registered policies declare."""
    return tuple(lever for policy in _REGISTRY.values() for lever in policy.levers)


def on_change(listener: Callable[[], None]) -> None:
    """Call ``listener`` whenever a policy is registered or unregistered (the schema follows this way)."""
    _LISTENERS.append(listener)


def _changed() -> None:
    for listener in _LISTENERS:
        listener()


def _discover() -> None:
    """Register the policies defined in this package's modules."""
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name == "base":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Policy) and cls is not Policy and cls.__module__ == module.__name__:
                register(cls)


class PolicySet:
    """The policies of a scenario, applied each month in the order they registered."""

    def __init__(self, world: World) -> None:
        self.levers = declared_levers()
        self.policies = [cls(getattr(world.params.policies, cls.key)) for cls in registered()]

    def at_rest(self) -> Levers:
        """Every lever at rest: no policy in force."""
        return Levers(self.levers)

    def apply(self, world: World) -> None:
        """Reset the levers to rest, then let each policy in force move them."""
        world.levers = self.at_rest()
        for policy in self.policies:
            if policy.in_force(world.month):
                policy.apply(world)

    def in_force(self, month: int) -> list[str]:
        """Keys of the policies in force in ``month``."""
        return [p.key for p in self.policies if p.in_force(month)]


_discover()

__all__ = ["Lever", "Levers", "Policy", "PolicyParams", "PolicySet", "declared_levers", "on_change", "register",
           "registered", "registered_while", "unregister"]
