"""The vocabulary of scenario keys: a key with its unit, description, source and limits; a strict section.

Policies declare their parameters with it (``model/policies/``), the schema its
sections (:mod:`model.scenario.schema`); this module imports neither.
"""

from __future__ import annotations

import sys
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model


def param(default: Any, unit: str, doc: str, source: str = "assumption", **limits: Any) -> Any:
    """A scenario key with its unit, description and source."""
    return Field(
        default=default,
        description=doc,
        json_schema_extra={"unit": unit, "source": source},
        **limits,
    )


class Section(BaseModel):
    """A block of scenario keys: unknown keys are errors, nothing is coerced."""

    model_config = ConfigDict(extra="forbid", strict=True, validate_assignment=True)


def by_type(
    nanny: float,
    cleaner: float,
    carer: float,
    maternity: float,
    unit: str,
    doc: str,
    source: str = "assumption",
    **limits: Any,
) -> Any:
    """A per-job-type parameter block with the given defaults."""
    fields = {
        "live_in_nanny": param(nanny, unit, f"{doc} (live-in nanny)", source, **limits),
        "live_out_cleaner": param(cleaner, unit, f"{doc} (live-out/hourly cleaner)", source, **limits),
        "elder_carer": param(carer, unit, f"{doc} (elder carer)", source, **limits),
        "maternity_nurse": param(maternity, unit, f"{doc} (maternity nurse, yuesao)", source, **limits),
    }
    return fields


def _per_type_model(name: str, fields: dict[str, Any], module: str) -> type[Section]:
    definitions = {key: (float, field) for key, field in fields.items()}
    return create_model(name, __base__=Section, __doc__="One value a job type.", __module__=module, **definitions)


def type_field(name: str, doc: str, *args: Any, **kwargs: Any) -> Any:
    """A field holding a per-job-type block, with its own model class.

    The class belongs to the calling module, which must bind it to ``name`` (as
    ``typing.NamedTuple``'s functional form does): scenarios are pickled to worker
    processes, and pickle finds a class by its module and name.
    """
    fields = by_type(*args, doc=doc, **kwargs)
    cls = _per_type_model(name, fields, sys._getframe(1).f_globals["__name__"])
    return cls, Field(default_factory=cls, description=doc)


def by_arrangement(live_in: float, live_out: float, hourly: float, unit: str, doc: str,
                   source: str = "assumption", **limits: Any) -> dict[str, Any]:
    """A per-arrangement parameter block with the given defaults."""
    return {
        "live_in": param(live_in, unit, f"{doc} (live-in)", source, **limits),
        "live_out": param(live_out, unit, f"{doc} (live-out full-time)", source, **limits),
        "hourly": param(hourly, unit, f"{doc} (hourly or day work)", source, **limits),
    }


def arrangement_field(name: str, doc: str, *args: Any, **kwargs: Any) -> Any:
    """A field holding a per-arrangement block, with its own model class (bound to ``name`` by the caller)."""
    fields = by_arrangement(*args, doc=doc, **kwargs)
    definitions = {key: (float, field) for key, field in fields.items()}
    cls = create_model(name, __base__=Section, __doc__="One value a work arrangement.",
                       __module__=sys._getframe(1).f_globals["__name__"], **definitions)
    return cls, Field(default_factory=cls, description=doc)


class PolicyParams(Section):
    """A policy's parameters: off by default, in force from ``start_month`` on."""

    enabled: bool = param(False, "switch", "whether the policy is in force")
    start_month: int = param(1, "month", "first month the policy is in force", ge=1)
