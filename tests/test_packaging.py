"""What `pip install .` gives: the package with its catalogs, and the two commands."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from tests.support import ROOT


def test_wheel_ships_catalogs_and_console_scripts(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path), str(ROOT)],
        check=True,
        timeout=120,
    )  # fmt: skip
    [wheel] = tmp_path.glob("papo-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(n for n in names if n.endswith("entry_points.txt"))
        scripts = archive.read(entry_points).decode()
    assert "papo/locale/pt_BR/LC_MESSAGES/papo.mo" in names
    assert "papo/py.typed" in names
    assert "papo-server = papo.server.__main__:main" in scripts
    assert "papo = papo.client.__main__:main" in scripts
    assert not any(n.startswith("tests/") for n in names)


def test_the_makefile_targets_that_regenerate_shipped_data_run() -> None:
    """`make catalogs` once named a module that did not exist; both targets must run and
    leave the shipped files as they are (other tests check those are current)."""
    shipped = [
        *sorted((ROOT / "src/papo/locale").rglob("*.mo")),
        ROOT / "src/papo/protocol/confusables_data.py",
    ]
    before = [path.read_bytes() for path in shipped]
    for target in ("catalogs", "lookalikes"):
        result = subprocess.run(
            ["make", "-s", target, f"PY={sys.executable}", "STAMP=pyproject.toml"],
            cwd=ROOT, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
    assert [path.read_bytes() for path in shipped] == before
