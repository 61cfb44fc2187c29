"""Evidence a reader can rerun: the validation suite (``domwork validate``).

Each check in :mod:`model.validation.checks` runs the model through its public face
(scenarios, :func:`model.run.runner.run_replicates`, the model's tables) and compares
what it measures with what theory proves or data record, with a stated tolerance.
:mod:`model.validation.report` writes ``report.md`` and the figures it cites.
"""
