"""`yihao demo`: the whole simulated hall runs headless and ends with its summary."""

from __future__ import annotations

import re
import signal
import subprocess
import sys

from tests.serverkit import REPO


def _demo(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "caller_server.cli", "demo", *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _issued(output: str) -> int:
    match = re.search(r"tickets issued\s+(\d+)", output)
    assert match, output
    return int(match.group(1))


def test_demo_with_duration_prints_a_summary() -> None:
    proc = _demo("--duration", "6")
    output, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, output
    assert "一号 demo — 示例市政务服务中心" in output
    assert "summary (replayed from the audit log)" in output
    assert _issued(output) > 3
    called = re.search(r"called / done\s+(\d+) / (\d+)", output)
    assert called and int(called.group(1)) > 0
    assert re.search(r"\[\s+5s\] 取号", output), output  # the live view, every 5 s off a tty
    # The output devices: paired through mDNS + PIN, calls pushed, acknowledged, timed.
    paired = re.search(r"devices\s+(\d+)/(\d+) paired by mDNS \+ PIN", output)
    assert paired and paired.group(1) == paired.group(2) and int(paired.group(1)) > 0, output
    pushed = re.search(r"pushed to devices\s+(\d+) calls in (\d+) messages", output)
    assert pushed and int(pushed.group(1)) > 0, output
    assert re.search(r"call → device ack\s+p50 \d+ ms / p99 \d+ ms", output), output


def test_demo_stops_cleanly_on_sigterm() -> None:
    proc = _demo()
    assert proc.stdout is not None
    first = proc.stdout.readline()
    assert first.startswith("一号 demo")
    for line in proc.stdout:  # wait for the first live line: the hall is running
        if "取号" in line:
            break
    proc.send_signal(signal.SIGTERM)
    rest, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, rest
    assert _issued(rest) > 0
