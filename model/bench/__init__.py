"""Benchmarks: the city at several scales beside a plain Mesa model (``domwork bench``), and sweeps."""
