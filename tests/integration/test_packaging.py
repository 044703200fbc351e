"""The built wheel works on its own: console script, and Cypher read from the package."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_installs_into_a_fresh_venv_and_ships_cypher(tmp_path: Path) -> None:
    """Install the wheel; `okrsync --help` and reading a .cypher file work outside the repo."""
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("okrsync-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "--no-deps", str(wheel)],
        check=True,
        capture_output=True,
    )
    # Dependencies come from this test run's environment, the package itself from the wheel.
    site = Path(
        subprocess.run(
            [str(py), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    (site / "deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    help_ = subprocess.run(
        [str(venv / "bin" / "okrsync"), "--help"], cwd=tmp_path, capture_output=True, text=True
    )
    assert help_.returncode == 0, help_.stderr
    assert "sync" in help_.stdout and "simulate" in help_.stdout
    probe = (
        "import okrsync, okrsync.graph.statements as g; print(okrsync.__file__);"
        "print(g.statement('nodes/merge_Objective').splitlines()[3]);"
        "print(len(g.split_statements(g.cypher('history/schema'))))"
    )
    out = subprocess.run(
        [str(py), "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out[0].startswith(str(venv))
    assert out[1] == "FOREACH (k IN keys(row.times) | SET n[k] = datetime(row.times[k]))"
    assert out[2] == "8"  # the history's constraints and indexes


def test_building_the_package_prints_no_setuptools_warning(tmp_path: Path) -> None:
    """`make venv` stays quiet: every shipped folder is declared, the license is an SPDX string."""
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    output = built.stdout + built.stderr
    assert "absent from the `packages` configuration" not in output
    assert "`project.license` as a TOML table is deprecated" not in output
    assert "Warning" not in output
