from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

router = APIRouter(prefix="/todos", tags=["todos"])


class Todo(BaseModel):
    title: str
    done: bool = False


TODOS: dict[int, Todo] = {1: Todo(title="write the plan")}


@router.get("")
def list_todos() -> list[Todo]:
    return list(TODOS.values())


@router.get("/{todo_id}")
def get_todo(todo_id: int) -> Todo:
    if todo_id not in TODOS:
        raise HTTPException(status_code=404, detail="no such todo")
    return TODOS[todo_id]


@router.post("", status_code=201)
def add_todo(todo: Todo) -> dict[str, int]:
    todo_id = max(TODOS, default=0) + 1
    TODOS[todo_id] = todo
    return {"id": todo_id}
