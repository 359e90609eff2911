"""The kiosk's Qt translation files: complete, current with the code, and the shipped .qm files
are exactly what pyside6-lrelease builds from the .ts sources."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from kiosk import translations
from kiosk.strings import LANGS, MESSAGES, assets_dir, msg, qm_path

I18N = assets_dir() / "i18n"


def messages(ts: Path) -> dict[str, ET.Element]:
    return {m.findtext("source") or "": m for m in ET.parse(ts).iter("message")}


@pytest.mark.parametrize("lang", translations.TARGETS)
def test_every_message_is_translated_and_keeps_its_fields(lang: str) -> None:
    found = messages(translations.ts_file(I18N, lang))
    assert set(found) == set(MESSAGES.values())
    problems = []
    for source, message in found.items():
        node = message.find("translation")
        assert node is not None
        if node.get("type") in ("unfinished", "vanished", "obsolete") or not node.text:
            problems.append(f"{source!r} is not translated")
        elif set(re.findall(r"\{\w+\}", node.text)) != set(re.findall(r"\{\w+\}", source)):
            problems.append(f"{source!r} → {node.text!r} changes the {{fields}}")
    assert not problems, problems


def test_the_ts_sources_are_current_with_the_code(tmp_path: Path) -> None:
    for lang in translations.TARGETS:
        shutil.copy(translations.ts_file(I18N, lang), tmp_path)
    translations.update(tmp_path)
    for lang in translations.TARGETS:
        fresh = translations.ts_file(tmp_path, lang).read_text("utf-8")
        assert fresh == translations.ts_file(I18N, lang).read_text("utf-8"), (
            f"{lang}: the code's texts changed; run `make i18n` and translate the new ones"
        )


def test_the_shipped_qm_files_are_built_from_the_ts_sources(tmp_path: Path) -> None:
    translations.release(I18N, tmp_path)
    for lang in translations.TARGETS:
        built = tmp_path / qm_path(lang).name
        assert built.read_bytes() == qm_path(lang).read_bytes(), f"{lang}: run `make i18n`"


def test_the_kiosk_reads_each_language_from_the_qm_files() -> None:
    assert msg("attract_title", "zh-CN") == "请将身份证放在感应区"
    assert msg("attract_title", "zh-TW") == "請將身分證放在感應區"
    assert msg("attract_title", "en") == "Place your ID card on the reader"
    assert msg("eta", "en", n=12) == "About 12 minutes"
    for lang in LANGS[1:]:
        assert all(msg(key, lang) for key in MESSAGES)


def test_a_kiosk_without_its_translations_says_so_at_start(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "YIHAO_ASSETS": str(tmp_path / "assets"),
        "YIHAO_HOME": str(tmp_path / "home"),
        "QT_QPA_PLATFORM": "offscreen",
    }
    cmd = [sys.executable, "-m", "kiosk", "--sim", "--server", "http://127.0.0.1:9"]
    done = subprocess.run(
        [*cmd, "--token", "x", "--duration", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "界面翻译文件缺失或无法读取" in done.stderr and "run `make i18n`" in done.stderr
