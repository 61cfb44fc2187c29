"""`domwork viz` as a user runs it: it prints the address, serves the page, and stopping it stops its server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request

from model.viz import server


def test_viz_prints_its_address_serves_and_stops_when_interrupted(tmp_path):
    """One line on the terminal, the address; nothing else, not even solara's warning about iframe cookies."""
    port = server.free_port()
    scenario = tmp_path / "small.yaml"
    scenario.write_text("name: small\nworkers: {count: 300}\nhouseholds: {count: 400}\nagencies: {count: 4}\n")
    errors = (tmp_path / "stderr.txt").open("w")
    process = subprocess.Popen([sys.executable, "-m", "model.cli", "viz", str(scenario), "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=errors, text=True, start_new_session=True)
    try:
        line = process.stdout.readline()  # the only line, printed once the server answers
        address = f"http://127.0.0.1:{port}/"
        assert line.startswith("domwork viz: ") and f"at {address}" in line and "small.yaml" in line, (
            line + (tmp_path / "stderr.txt").read_text())
        with urllib.request.urlopen(address, timeout=10) as response:
            assert response.status == 200
        os.killpg(process.pid, signal.SIGTERM)  # what Ctrl+C does (SIGINT is ignored in background jobs)
        assert process.wait(timeout=30) == 0
        deadline = time.perf_counter() + 10
        while time.perf_counter() < deadline:  # the port is free again: the server is gone
            try:
                server.check_port("127.0.0.1", port)
                break
            except ValueError:
                time.sleep(0.2)
        else:
            raise AssertionError("the server still listens after Ctrl+C")
        errors.flush()
        assert (tmp_path / "stderr.txt").read_text() == "", "the terminal gets only the address"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        process.stdout.close()
        errors.close()
