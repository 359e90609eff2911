"""Build the kiosk's Qt translation files: ``python -m kiosk.translations`` (``make i18n``).

``pyside6-lupdate`` collects every zh-CN source marked in ``kiosk/`` into the Qt Linguist
sources ``assets/i18n/kiosk_<lang>.ts`` (keeping the translations already there);
``pyside6-lrelease`` compiles each to the ``.qm`` the kiosk loads. Both tools ship in the
PySide6 wheel. The ``.qm`` files are committed so that a fresh clone and the wheel have them;
a test rebuilds them from the ``.ts`` and fails when they differ.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from kiosk.strings import DEFAULT_LANG, LANGS, assets_dir

TARGETS = tuple(lang for lang in LANGS if lang != DEFAULT_LANG)
CODE = Path(__file__).resolve().parent


def tool(name: str) -> str:
    """``pyside6-<name>`` next to this Python, else on PATH."""
    local = Path(sys.executable).with_name(f"pyside6-{name}")
    found = str(local) if local.exists() else shutil.which(f"pyside6-{name}")
    if found is None:
        raise FileNotFoundError(f"pyside6-{name} not found: install the 'kiosk' extra (PySide6)")
    return found


def ts_file(folder: Path, lang: str) -> Path:
    return folder / f"kiosk_{lang.replace('-', '_')}.ts"


def update(folder: Path) -> None:
    """Refresh every ``.ts`` in ``folder`` from the sources in the code."""
    sources = sorted(str(p) for p in CODE.rglob("*.py"))
    for lang in TARGETS:
        cmd = [tool("lupdate"), *sources, "-locations", "none", "-no-obsolete"]
        cmd += ["-source-language", "zh_CN", "-target-language", lang.replace("-", "_")]
        subprocess.run([*cmd, "-ts", str(ts_file(folder, lang))], check=True, capture_output=True)


def release(folder: Path, out: Path) -> None:
    """Compile each ``.ts`` in ``folder`` to a ``.qm`` in ``out``."""
    for lang in TARGETS:
        qm = out / ts_file(folder, lang).with_suffix(".qm").name
        cmd = [tool("lrelease"), str(ts_file(folder, lang)), "-qm", str(qm)]
        subprocess.run(cmd, check=True, capture_output=True)


def main() -> None:
    folder = assets_dir() / "i18n"
    update(folder)
    release(folder, folder)
    print(f"updated {', '.join(TARGETS)} in {folder}")


if __name__ == "__main__":
    main()
