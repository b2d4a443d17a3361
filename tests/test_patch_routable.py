"""classy-fastapi routers: methods of a ``Routable`` subclass marked with plain decorators.

``@get("/x")`` (imported from ``classy_fastapi``) marks a method; each instance of the class
builds its own ``APIRouter`` (its ``.router``) from the constructor's arguments, and the app
includes that. The log call names the path a client requests: the include prefixes, then the
prefix the instance gives its router, then the decorator's path. The end-to-end case (requests
answered, removal) is ``tests/corpus/classy-routable-routers``; these cover the other ways an
instance reaches ``include_router``.
"""

from __future__ import annotations

from pathlib import Path

from tests.cli_support import make_project, run

USERS_PY = '''"""Users."""

from classy_fastapi import Routable, delete, get


class UserRoutes(Routable):
    @get("/{user_id}")
    async def read_user(self, user_id: int) -> dict[str, int]:
        return {"id": user_id}

    @delete("/{user_id}")
    async def drop_user(self, user_id: int) -> None:
        return None
'''

PLAN = 'instrument = { "api/users.py" = "ai_block_used" }'


def _project(tmp_path: Path, main: str, users: str = USERS_PY) -> Path:
    root = make_project(tmp_path / "project", PLAN)
    (root / "backend/app/api/users.py").write_text(users)
    (root / "backend/app/main.py").write_text(main)
    return root


def test_an_instance_built_in_another_module_is_served_under_its_prefixes(tmp_path: Path) -> None:
    """`users = UserRoutes(prefix="/users")` in one module, `users.router` included in main."""
    (tmp_path / "project").mkdir()
    root = _project(
        tmp_path,
        "from fastapi import FastAPI\n\nfrom app.api.wiring import users\n\n"
        'app = FastAPI()\napp.include_router(users.router, prefix="/v1")\n',
    )
    (root / "backend/app/api/wiring.py").write_text(
        'from app.api.users import UserRoutes\n\nusers = UserRoutes(prefix="/users")\n'
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    text = (root / "backend/app/api/users.py").read_text()
    assert '"route": "/v1/users/{user_id}"' in text
    assert "log call in UserRoutes.drop_user (DELETE /v1/users/{user_id})" in result.stdout
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert (root / "backend/app/api/users.py").read_text() == USERS_PY


def test_an_instance_prefix_known_at_run_time_is_said_to_be_left_out(tmp_path: Path) -> None:
    """`UserRoutes(prefix=os.environ["USERS"]).router`: logged under the include prefix only."""
    root = _project(
        tmp_path,
        "import os\n\nfrom fastapi import FastAPI\n\nfrom app.api.users import UserRoutes\n\n"
        "app = FastAPI()\n"
        'app.include_router(UserRoutes(prefix=os.environ["USERS"]).router, prefix="/v1")\n',
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert '"route": "/v1/{user_id}"' in (root / "backend/app/api/users.py").read_text()
    said = [line for line in result.stdout.splitlines() if "gives its router" in line]
    assert len(said) == 1, result.stdout
    assert "app/main.py:8" in said[0], said


def test_a_constructor_of_its_own_gives_the_prefix_of_its_super_call(tmp_path: Path) -> None:
    """`def __init__(self, db): super().__init__(prefix="/users")`: the prefix is that one."""
    users = USERS_PY.replace(
        "class UserRoutes(Routable):\n",
        "class UserRoutes(Routable):\n"
        "    def __init__(self, db: object) -> None:\n"
        '        super().__init__(prefix="/users", tags=["users"])\n'
        "        self.db = db\n\n",
    )
    root = _project(
        tmp_path,
        "from fastapi import FastAPI\n\nfrom app.api.users import UserRoutes\n\n"
        "app = FastAPI()\napp.include_router(UserRoutes(object()).router)\n",
        users,
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert '"route": "/users/{user_id}"' in (root / "backend/app/api/users.py").read_text()


def test_init_suggests_a_module_of_routable_classes(tmp_path: Path) -> None:
    """Its handlers are route handlers: `init` lists the module among those to instrument."""
    root = _project(
        tmp_path,
        "from fastapi import FastAPI\n\nfrom app.api.users import UserRoutes\n\n"
        "app = FastAPI()\napp.include_router(UserRoutes().router)\n",
    )
    (root / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    result = run("init", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert '"api/users.py" = "ai_block_used"' in (root / "pyproject.toml").read_text()
