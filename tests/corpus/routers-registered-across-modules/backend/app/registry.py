from fastapi import APIRouter

ROUTERS: list[APIRouter] = []


def register(router: APIRouter) -> APIRouter:
    ROUTERS.append(router)
    return router
