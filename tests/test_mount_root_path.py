"""A sub-application built with a `root_path` of its own, mounted at another path: said so."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_support import run, write_files

MAIN = """from fastapi import FastAPI

from svc.sub import sub

app = FastAPI()
app.mount("/api", sub)
"""


def _generate(root: Path, sub_arguments: str) -> str:
    write_files(
        root,
        {
            "pyproject.toml": '[project]\nname = "svc"\n',
            "svc/__init__.py": "",
            "svc/sub.py": (
                f"from fastapi import FastAPI\n\nsub = FastAPI({sub_arguments})\n\n\n"
                '@sub.get("/items")\nasync def items() -> list[str]:\n    return []\n'
            ),
            "svc/main.py": MAIN,
        },
    )
    initialised = run("init", "--root", str(root))
    assert initialised.exit_code == 0, initialised.stdout + initialised.stderr
    plan = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(plan.replace('# "sub.py"', '"sub.py"'))
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    assert "log call in items (GET /api/items)" in generated.stdout
    return generated.stdout


def test_a_sub_application_with_another_root_path_is_noted(tmp_path: Path) -> None:
    """The logged path comes from the mount; the line says the app's own root_path differs."""
    out = _generate(tmp_path / "project", 'root_path="/v2"')
    assert (
        "svc/main.py:6: `sub` is built with root_path='/v2' but mounted at '/api': its routes "
        "are logged under the mount path (/api/...)"
    ) in " ".join(out.split())


@pytest.mark.parametrize("arguments", ['root_path="/api"', 'title="sub"'])
def test_a_sub_application_without_another_root_path_is_not_noted(
    tmp_path: Path, arguments: str
) -> None:
    assert "root_path" not in _generate(tmp_path / "project", arguments)
