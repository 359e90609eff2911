"""Schemathesis against a real ``yihao serve``: every check, with kiosk, clerk and admin tokens.

Bounded (a few dozen examples per operation) so the run stays short; zero failures expected:
no 5xx, every answer documented in ``/openapi.json``, no undocumented content type, and
nothing accepted without the token the operation declares.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from caller_server.services import auth
from tests.serverkit import (
    ServerProcess,
    dispose_engines,
    free_port,
    initialised,
)

CONFIG = Path(__file__).with_name("schemathesis.toml")


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[ServerProcess, dict[str, str]]]:
    home = tmp_path_factory.mktemp("fuzz-home")
    url = f"sqlite:///{home / 'yihao.db'}"
    ctx = initialised(home, url)
    tokens = {
        "kiosk": auth.create_token(ctx, "kiosk", None, "fuzz kiosk"),
        "clerk": auth.create_token(ctx, "clerk", 1, "fuzz clerk"),
        "admin": auth.create_token(ctx, "admin", None, "fuzz admin"),
    }
    dispose_engines()
    server = ServerProcess(home, url, free_port(), home / "server.log", grace=5)
    server.start()
    try:
        yield server, tokens
    finally:
        server.stop()
    assert "Traceback" not in (home / "server.log").read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("role", ["kiosk", "clerk", "admin"])
def test_schemathesis_finds_nothing(
    served: tuple[ServerProcess, dict[str, str]], role: str, tmp_path: Path
) -> None:
    server, tokens = served
    cli = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    if cli is None:
        pytest.skip("schemathesis is not installed: pip install -e '.[dev]'")
    done = subprocess.run(
        [
            cli,
            "--config-file",
            str(CONFIG),
            "run",
            f"{server.url}/openapi.json",
            "--checks",
            "all",
            "--max-examples",
            "25",
            "--seed",
            "20261201",
            "--no-color",
            "-H",
            f"Authorization: Bearer {tokens[role]}",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,  # schemathesis keeps a cache directory where it runs
        timeout=600,
        check=False,
    )
    report = done.stdout[-6000:] + done.stderr[-2000:]
    assert done.returncode == 0, report
    tested = re.search(r"Tested: (\d+)", done.stdout)
    cases = re.search(r"(\d+) generated, (\d+) passed", done.stdout)
    assert tested and int(tested[1]) >= 20, report
    assert cases and int(cases[1]) > 500 and cases[1] == cases[2], report
