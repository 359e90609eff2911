"""``python -m drivers.idcard`` with the simulator, and the missing-library messages."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from drivers.idcard.cli import main

JSON_KEYS = [
    "name", "sex", "nation", "birth", "address", "appended_address", "id_number",
    "authority", "valid_from", "valid_to", "card_type", "source",
]  # fmt: skip


def test_read_sim_prints_masked_fields(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["read", "--sim"]) == 0
    out = capsys.readouterr().out
    assert "张*国" in out and "410105********0034" in out and "长期" in out
    assert "张建国" not in out and "410105195803150034" not in out


def test_read_sim_shows_the_appended_address_masked(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["read", "--sim", "--citizen", "mainland-hui-ssc"]) == 0
    out = capsys.readouterr().out
    assert "追加住址" in out and "北京市朝阳区****" in out and "望京" not in out


def test_read_sim_json_and_unmask(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["read", "--sim", "--citizen", "hmt-residence-J", "--json"]) == 0
    masked = json.loads(capsys.readouterr().out)
    assert list(masked) == JSON_KEYS
    assert (masked["name"], masked["card_type"], masked["nation"]) == ("陈*华", "J", None)
    assert main(["read", "--sim", "--citizen", "hmt-residence-J", "--json", "--unmask"]) == 0
    plain = json.loads(capsys.readouterr().out)
    assert (plain["name"], plain["id_number"]) == ("陈志华", "810000199005050018")
    assert plain["valid_to"] == "2026-01-15" and plain["source"] == "card"


@pytest.mark.parametrize(
    ("fault", "code", "words"), [("checksum", 1, "校验"), ("unauthorized", 3, "授权")]
)
def test_read_sim_fault_exit_codes(
    fault: str, code: int, words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["read", "--sim", "--fault", fault, "--timeout", "1"]) == code
    captured = capsys.readouterr()
    assert captured.out == ""
    assert words in captured.err


def test_read_sim_with_an_empty_field_times_out(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["read", "--sim", "--fault", "pulled", "--timeout", "0.5"]) == 1
    assert "place it again" in capsys.readouterr().err


def test_unknown_citizen_and_fault(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["read", "--sim", "--citizen", "nobody"]) == 1
    assert "nobody" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:
        main(["read", "--sim", "--fault", "gremlins"])
    assert usage.value.code == 2
    assert "gremlins" in capsys.readouterr().err


def test_watch_sim_prints_events(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["watch", "--sim", "--json", "--duration", "1.0", "--poll", "0.05"]) == 0
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert events[0] == {"event": "reader-ready"}
    assert events[1]["event"] == "card-present"
    assert events[1]["card"]["name"] == "张*国"


@pytest.mark.parametrize(
    ("module", "arguments", "extra"),
    [
        ("smartcard", ["read", "--pcsc"], "pcsc"),
        ("serial", ["read", "--serial", "/dev/null"], "kiosk"),
    ],
)
def test_missing_hardware_library_names_the_extra(
    module: str, arguments: list[str], extra: str
) -> None:
    code = (
        f"import sys; sys.modules[{module!r}] = None; "
        f"from drivers.idcard.cli import main; sys.exit(main({arguments!r}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 3
    assert f"pip install 'yihao[{extra}]'" in result.stderr
    assert "Traceback" not in result.stderr


def test_module_entry_point_reads_the_bundled_citizens() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "drivers.idcard", "read", "--sim", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["id_number"] == "410105********0034"
