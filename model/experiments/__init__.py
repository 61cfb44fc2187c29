"""Experiments over many runs: comparisons of scenarios, sweeps and the like, built on the runner."""
