"""A CI-like install of the tool: the wheel in a new virtual environment outside the repository.

A CI runner starts with nothing: it installs the wheel with ``pip`` (which compiles the installed
modules to bytecode, as ``pip`` does by default) and runs the tool once, with no per-user cache.
This module builds the wheel from the checkout (``pip wheel``, without build isolation: offline,
from the development environment's own hatchling), makes a new virtual environment under the
system's temporary folder, installs the wheel and ``cookiecutter`` into it with the development
environment's package versions as constraints, and makes the whole install read-only. Commands
then run with ``PYTHONDONTWRITEBYTECODE=1`` and an empty ``HOME`` and cache folder, so nothing a
run leaves behind can speed up the next; :meth:`FreshEnv.unchanged` checks that nothing was.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from common import PROJECT_ROOT, PYTHON, VENV_BIN, bench_env, log

# One install per checkout: benchmarks run from two checkouts at once would otherwise rebuild
# each other's install while it is in use.
ROOT = Path(tempfile.gettempdir()) / (
    "telemetry-scaffold-bench-" + hashlib.sha256(str(PROJECT_ROOT).encode()).hexdigest()[:10]
)


@dataclass(frozen=True)
class FreshEnv:
    """The read-only install: its ``bin`` folder and the environment its commands run in."""

    prefix: Path
    files: int
    home: Path

    @property
    def bin(self) -> Path:
        """The ``bin`` folder of the virtual environment."""
        return self.prefix / "bin"

    @property
    def python(self) -> str:
        """Its interpreter."""
        return str(self.bin / "python")

    def env(self) -> dict[str, str]:
        """The environment of a command: no bytecode written, empty home and cache folders."""
        env = bench_env(
            PYTHONDONTWRITEBYTECODE="1",
            HOME=str(self.home),
            XDG_CACHE_HOME=str(self.home / ".cache"),
            PATH=f"{self.bin}{os.pathsep}{os.environ.get('PATH', '')}",
            VIRTUAL_ENV=str(self.prefix),
        )
        env.pop("PYTHONPATH", None)
        return env

    def unchanged(self) -> bool:
        """Whether the install still has exactly the files it had when it was made."""
        return _count_files(self.prefix) == self.files


def _count_files(folder: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(folder))


def _run(argv: list[str]) -> None:
    result = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=900)
    if result.returncode != 0:
        raise RuntimeError(f"`{' '.join(argv)}` failed:\n{result.stderr[-3000:]}")


_made: list[FreshEnv] = []


def get() -> FreshEnv:
    """The fresh install of this run of the benchmarks, made on first use."""
    if not _made:
        _made.append(make())
    return _made[0]


def make() -> FreshEnv:
    """Build the wheel, install it (and cookiecutter) into a new read-only environment."""
    if ROOT.exists():
        subprocess.run(["chmod", "-R", "u+w", str(ROOT)], check=False)
        shutil.rmtree(ROOT)
    wheels, prefix, home = ROOT / "wheel", ROOT / "venv", ROOT / "home"
    home.mkdir(parents=True)
    pip = [str(VENV_BIN / "pip"), "--disable-pip-version-check", "-q"]
    log(f"fresh install: building the wheel and a virtual environment in {ROOT}")
    _run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(PROJECT_ROOT)])
    _run([PYTHON, "-m", "venv", "--without-pip", str(prefix)])
    constraints = ROOT / "constraints.txt"
    frozen = subprocess.run(
        [*pip, "freeze", "--exclude-editable"], capture_output=True, text=True, check=True
    ).stdout
    constraints.write_text(frozen, encoding="utf-8")
    wheel = next(wheels.glob("telemetry_scaffold-*.whl"))
    target = ["--python", str(prefix / "bin" / "python")]
    _run([*pip, *target, "install", "-c", str(constraints), str(wheel), "cookiecutter"])
    # Read-only for every user; root may still write, which PYTHONDONTWRITEBYTECODE and the
    # file count checked afterwards cover.
    _run(["chmod", "-R", "a-w", str(prefix)])
    return FreshEnv(prefix, _count_files(prefix), home)


def version(env: FreshEnv, package: str) -> str:
    """The version of ``package`` in the fresh install."""
    result = subprocess.run(
        [env.python, "-c", f"from importlib import metadata; print(metadata.version({package!r}))"],
        capture_output=True,
        text=True,
        env=env.env(),
        check=False,
    )
    return result.stdout.strip() or "not installed"
