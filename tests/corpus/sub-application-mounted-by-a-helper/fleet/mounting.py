"""Attaching a versioned API to the app that serves it."""

from fastapi import FastAPI


def attach(base, prefix: str, sub: FastAPI) -> None:
    sub.title = f"{base.title} {prefix}"
    base.mount(prefix, sub)
