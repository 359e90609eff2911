"""`yihao demo` drives real kiosk processes: their virtual printers' tickets land in a folder."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from PIL import Image

from tests.serverkit import REPO


def test_demo_kiosks_print_every_issued_ticket_as_png() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "caller_server.cli", "demo", "--duration", "6"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    issued = int(re.search(r"tickets issued\s+(\d+)", done.stdout).group(1))  # type: ignore[union-attr]
    printed = re.search(r"tickets printed\s+(\d+) \(PNG in (.+)\)", done.stdout)
    assert printed, done.stdout
    folder = Path(printed.group(2))
    try:
        pngs = sorted(folder.glob("demo-kiosk-*/*.png"))
        assert issued > 3 and int(printed.group(1)) == len(pngs) == issued
        kiosks = {png.parent.name for png in pngs}
        assert kiosks == {"demo-kiosk-1", "demo-kiosk-2"}
        numbers = {png.stem.split("-", 1)[1] for png in pngs}
        assert len(numbers) == len(pngs)  # no number printed twice
        with Image.open(pngs[0]) as image:
            assert image.width >= 384 and image.height > image.width
        for png in pngs:  # the ESC/POS job next to each preview carries the same number
            assert png.stem.split("-", 1)[1].encode() in png.with_suffix(".bin").read_bytes()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
