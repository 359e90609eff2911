"""``yihao`` administration commands against bad input: nothing good is lost, no tracebacks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.serverkit import REPO, SAMPLE_HALL, tmpfs


def yihao(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "caller_server.cli", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=False,
    )


def test_a_refused_init_keeps_the_working_hall(yihao_home: Path, tmp_path: Path) -> None:
    good = SAMPLE_HALL.read_text(encoding="utf-8")
    first = tmp_path / "good.toml"
    first.write_text(good, encoding="utf-8")
    assert yihao("init", "--config", str(first)).returncode == 0
    installed = yihao_home / "hall.toml"
    assert installed.read_text(encoding="utf-8") == good

    bad = tmp_path / "bad.toml"
    bad.write_text(good.replace("daily_cap", "daly_cap", 1), encoding="utf-8")
    refused = yihao("init", "--config", str(bad))
    assert refused.returncode == 2
    assert "daly_cap" in refused.stderr and "Traceback" not in refused.stderr
    assert installed.read_text(encoding="utf-8") == good
    assert not (yihao_home / "hall.toml.bak").exists()

    second = tmp_path / "second.toml"
    second.write_text(good.replace("示范", "样板", 1), encoding="utf-8")
    assert yihao("init", "--config", str(second)).returncode == 0
    assert installed.read_text(encoding="utf-8") == second.read_text(encoding="utf-8")
    assert (yihao_home / "hall.toml.bak").read_text(encoding="utf-8") == good
    assert sorted(p.name for p in yihao_home.iterdir() if p.name.startswith((".", "hall"))) == [
        "hall.secret",
        "hall.toml",
        "hall.toml.bak",
    ]


def _refused_everywhere(db: Path) -> None:
    url = f"sqlite:///{db}"
    for command in (
        ["init", "--db", url],
        ["serve", "--db", url, "--port", "1"],
        ["token", "create", "--role", "kiosk", "--db", url],
        ["export", "--db", url],
    ):
        done = yihao(*command)
        assert done.returncode == 2, command
        assert "Traceback" not in done.stderr, command
        assert f"无法使用数据库 {db}" in done.stderr, done.stderr
        assert "may read and write" in done.stderr


def test_an_unopenable_database_is_one_clear_message(yihao_home: Path, tmp_path: Path) -> None:
    assert yihao("init").returncode == 0
    _refused_everywhere(tmp_path / "no-such-dir" / "yihao.db")


def test_a_read_only_database_is_one_clear_message(yihao_home: Path, tmp_path: Path) -> None:
    # Root ignores file modes, so the database sits on a file system mounted read-only.
    with tmpfs(tmp_path / "disk") as disk:
        db = disk / "yihao.db"
        made = yihao("init", "--db", f"sqlite:///{db}")
        assert made.returncode == 0, made.stderr
        remount = ["mount", "-o", "remount,ro", str(disk)]
        assert subprocess.run(remount, capture_output=True, check=False).returncode == 0
        _refused_everywhere(db)


def test_secret_outside_the_data_dir_and_private_permissions(
    yihao_home: Path, tmp_path: Path
) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    secret = vault / "hall.secret"
    made = yihao("init", "--secret-file", str(secret))
    assert made.returncode == 0, made.stderr
    assert not (yihao_home / "hall.secret").exists()
    assert secret.stat().st_mode & 0o777 == 0o600
    assert yihao_home.stat().st_mode & 0o777 == 0o700
    assert (yihao_home / "yihao.db").stat().st_mode & 0o777 == 0o600

    without = yihao("token", "create", "--role", "kiosk")
    assert without.returncode == 2 and "no hall secret" in without.stderr
    token = yihao("token", "create", "--role", "kiosk", "--secret-file", str(secret))
    assert token.returncode == 0, token.stderr
