"""Experiments: sweeps, sensitivity studies and scenario comparisons built on the simulation's public face."""
