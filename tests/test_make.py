"""What the Makefile relies on: apt-get waits for another process's lock instead of failing (scripts/)."""

from __future__ import annotations

import os
import subprocess

from tests.helpers import ROOT

SCRIPT = ROOT / "scripts" / "apt-get-waiting.sh"


def _run(tmp_path, stub: str) -> subprocess.CompletedProcess:
    """Run the script with a stand-in apt-get first on the PATH (``stub``: its shell body)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "apt-get"
    fake.write_text("#!/bin/sh\n" + stub)
    fake.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "APT_WAIT_SECONDS": "0"}
    return subprocess.run(["sh", str(SCRIPT), "update", "-qq"], env=env, capture_output=True, text=True, check=False,
                          timeout=60, cwd=tmp_path)


def test_apt_get_waits_while_another_process_holds_the_lock(tmp_path):
    count = tmp_path / "calls"
    stub = (f'n=$(cat {count} 2>/dev/null || echo 0); n=$((n + 1)); echo $n > {count}\n'
            'if [ $n -lt 3 ]; then echo "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 1"; '
            'exit 100; fi\necho "updated"\n')
    done = _run(tmp_path, stub)
    assert done.returncode == 0, done.stderr
    assert count.read_text().strip() == "3"  # two refusals, then it went through
    assert "apt is busy" in done.stderr and "updated" in done.stdout


def test_any_other_apt_get_failure_fails_at_once_with_its_message(tmp_path):
    done = _run(tmp_path, 'echo "E: Failed to fetch http://deb.example/ 404"; exit 100\n')
    assert done.returncode == 1
    assert "Failed to fetch" in done.stderr and "apt is busy" not in done.stderr
