"""The schema's ``policies`` block, assembled from the registered policies and kept in step with them.

Each policy declares its parameters in its own file (``Params`` of a class in
``model/policies/``); the block holds one section a policy, keyed by the policy's
``key``. A policy registered later (a test's, a user's plug-in) joins the block
and the schema at once, and leaves it when unregistered.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, create_model
from pydantic.fields import FieldInfo

from model import policies
from model.scenario.fields import Section


def build() -> type[Section]:
    """The ``Policies`` section of the registered policies; it follows later registrations."""
    # Bound as ``schema.Policies``, where pickle looks for it.
    section = create_model("Policies", __base__=Section, __doc__="The policy levers: one block a registered policy.",
                           __module__="model.scenario.schema",
                           **{policy.key: _definition(policy) for policy in policies.registered()})
    policies.on_change(lambda: _follow(section))
    return section


def _definition(policy: type[policies.Policy]) -> tuple[type, Any]:
    return policy.Params, Field(default_factory=policy.Params, description=policy.Params.__doc__)


def _follow(section: type[Section]) -> None:
    """Make ``section`` (and the schema that holds it) have exactly the registered policies' blocks.

    Pydantic builds a model's validator once, from its fields; adding a field later
    means editing ``__pydantic_fields__`` and rebuilding the model and every model
    that holds it (``model_rebuild(force=True)``). Checked against pydantic 2.14;
    ``tests/policies/test_declaration.py`` registers a policy and validates its keys.
    """
    from model.scenario.schema import Scenario

    fields = section.__pydantic_fields__
    wanted = {policy.key: policy for policy in policies.registered()}
    for key in [key for key in fields if key not in wanted]:
        del fields[key]
        section.__annotations__.pop(key, None)
    for key, policy in wanted.items():
        if key not in fields:
            annotation, field = _definition(policy)
            fields[key] = FieldInfo.from_annotated_attribute(annotation, field)
            section.__annotations__[key] = annotation
    section.model_rebuild(force=True)
    Scenario.model_rebuild(force=True)
