"""Setting a kiosk up: the server found by mDNS on 127.0.0.1 and kept once paired; the admin
screen behind 5 taps and the PIN, keeping the token 0600 in the data dir."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt

from caller_server.domain.hall import SAMPLE_HALL
from kiosk.admin import AdminDialog
from kiosk.config import KioskConfig, data_dir, load_config
from kiosk.discovery import PAIRED_FILE, discover
from kiosk.ui.widgets import plain_text
from kiosk.ui.window import KioskWindow
from tests.kiosk_kit import controller
from tests.serverkit import REPO, ServerProcess, free_port

HALL_ID = f"kiosk-mdns-{os.getpid()}"
"""A hall id no other test advertises, so that parallel test runs cannot answer for us."""


@pytest.fixture
def server(yihao_home: Path, tmp_path: Path) -> Iterator[ServerProcess]:
    hall = tmp_path / "hall.toml"
    hall.write_text(
        SAMPLE_HALL.read_text(encoding="utf-8").replace('id = "sample-hall"', f'id = "{HALL_ID}"'),
        encoding="utf-8",
    )
    url = f"sqlite:///{yihao_home / 'yihao.db'}"
    init = [sys.executable, "-m", "caller_server.cli", "init", "--config", str(hall)]
    subprocess.run(init, cwd=REPO, check=True, capture_output=True)
    proc = ServerProcess(
        yihao_home, url, free_port(), tmp_path / "server.log", ("--mdns", "127.0.0.1"), hall
    )
    proc.start()
    yield proc
    proc.stop()


def pair_with(hall_id: str) -> None:
    data_dir().mkdir(parents=True, exist_ok=True)
    (data_dir() / PAIRED_FILE).write_text(json.dumps({"id": hall_id}), encoding="utf-8")


def test_the_paired_server_is_found_by_mdns(server: ServerProcess) -> None:
    pair_with(HALL_ID)
    found = discover(("127.0.0.1",), timeout=20)
    assert found is not None
    assert (found.id, found.url) == (HALL_ID, f"http://127.0.0.1:{server.port}")
    assert found.hall == "示例市政务服务中心"


def test_a_server_of_another_hall_is_not_used(server: ServerProcess) -> None:
    pair_with("another-hall")
    assert discover(("127.0.0.1",), timeout=4) is None


def test_five_taps_and_the_pin_keep_the_token_private(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    config = KioskConfig(admin_pin="2468")
    window = KioskWindow(controller())
    qtbot.addWidget(window)
    opened: list[AdminDialog] = []
    window.on_admin = lambda: opened.append(AdminDialog(config, window))
    for _ in range(4):
        qtbot.mouseClick(window.hall, Qt.MouseButton.LeftButton)
    assert opened == []
    qtbot.mouseClick(window.hall, Qt.MouseButton.LeftButton)
    [dialog] = opened
    dialog.pin.setText("1111")
    dialog.token.setText("secret-token")
    assert not dialog.submit()
    assert plain_text(dialog.status) == "密码错误" and config.saved_token() is None
    dialog.pin.setText("2468")
    dialog.token.setText("secret-token")
    assert dialog.submit()
    path = data_dir() / "kiosk-token"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert config.saved_token() == "secret-token"
    assert dialog.token.text() == "" and dialog.pin.text() == ""


def test_config_file_and_its_mistakes(tmp_path: Path) -> None:
    good = tmp_path / "kiosk.toml"
    good.write_text('[kiosk]\nserver = "http://h:8600"\ncategories = ["B"]\nlandscape = true\n')
    config = load_config(good)
    assert (config.server, config.categories, config.size) == (
        "http://h:8600",
        ("B",),
        (1920, 1080),
    )
    bad = tmp_path / "bad.toml"
    bad.write_text('[kiosk]\nserver = "x"\ncolour = "red"\n')
    from kiosk.config import KioskConfigError

    with pytest.raises(KioskConfigError, match="colour"):
        load_config(bad)
