"""The answer to a request body the routes' models refuse: FastAPI's 422, always encodable."""

from typing import Any

from fastapi import Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse


def _encodable(text: str) -> str:
    # A lone surrogate (a JSON escape such as "\ud800" decodes to one) cannot be written as
    # UTF-8: it is shown as its escape instead.
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


async def request_validation_error(request: Request, exc: Exception) -> JSONResponse:
    """Answer a refused request with 422 as FastAPI does, falling back to a safe ``detail``.

    FastAPI's own handler quotes the refused value back (``input``, ``ctx``): a ``NaN`` or
    ``Infinity`` (Python's JSON parser accepts them) or a lone surrogate cannot be encoded as
    JSON, and the client got a 500 instead. Then each problem keeps its type, location and
    message only, the location's and message's text made encodable.
    """
    if not isinstance(exc, RequestValidationError):  # registered for it only: narrows the type
        raise exc
    try:
        return await request_validation_exception_handler(request, exc)
    except ValueError:  # UnicodeEncodeError is one too
        pass
    errors = exc.errors()
    detail: list[dict[str, Any]] = [
        {
            "type": error["type"],
            "loc": [
                part if isinstance(part, int) else _encodable(str(part)) for part in error["loc"]
            ],
            "msg": _encodable(str(error["msg"])),
        }
        for error in errors
    ]
    return JSONResponse(status_code=422, content={"detail": detail})
