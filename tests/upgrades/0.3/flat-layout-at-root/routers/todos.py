from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

from analytics.event_logger import event_logger

router = APIRouter(prefix="/todos", tags=["todos"])


class Todo(BaseModel):
    title: str
    done: bool = False


TODOS: dict[int, Todo] = {1: Todo(title="write the plan")}


@router.get("")
def list_todos() -> list[Todo]:
    event_logger.log(
        "todo_viewed",
        {
            "route": "/todos",
            "method": "GET",
            "handler": "list_todos",
            "block_type": "todos",
        },
    )
    return list(TODOS.values())


@router.get("/{todo_id}")
def get_todo(todo_id: int) -> Todo:
    event_logger.log(
        "todo_viewed",
        {
            "route": "/todos/{todo_id}",
            "method": "GET",
            "handler": "get_todo",
            "block_type": "todos",
            "todo_id": todo_id,
        },
    )
    if todo_id not in TODOS:
        raise HTTPException(status_code=404, detail="no such todo")
    return TODOS[todo_id]


@router.post("", status_code=201)
def add_todo(todo: Todo) -> dict[str, int]:
    event_logger.log(
        "todo_viewed",
        {
            "route": "/todos",
            "method": "POST",
            "handler": "add_todo",
            "block_type": "todos",
        },
    )
    todo_id = max(TODOS, default=0) + 1
    TODOS[todo_id] = todo
    return {"id": todo_id}
