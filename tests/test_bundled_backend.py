"""The bundled textbook backend answers its endpoints (before and after the tool patches it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.backend_support import imported_app

BACKEND_DIR = Path(__file__).resolve().parent.parent / "backend"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with imported_app(BACKEND_DIR) as main, TestClient(main.app) as test_client:
        yield test_client


def test_ask_question_answers_about_the_chapter(client: TestClient) -> None:
    response = client.post(
        "/api/ai/ask-question", json={"question": "What is a robot?", "chapter_id": "kinematics"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["chapter_id"] == "kinematics"
    assert "kinematics" in body["answer"]
    assert body["sources"] == ["/api/chapters/kinematics"]


def test_explain_like_10_names_the_concept(client: TestClient) -> None:
    response = client.post(
        "/api/ai/explain-like-10", json={"concept": "torque", "chapter_id": "kinematics"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["concept"] == "torque"
    assert "torque" in body["explanation"]


@pytest.mark.parametrize(("requested", "expected"), [(None, 3), (1, 1), (10, 10)])
def test_quiz_has_the_requested_number_of_questions(
    client: TestClient, requested: int | None, expected: int
) -> None:
    payload: dict[str, object] = {"chapter_id": "control-basics"}
    if requested is not None:
        payload["num_questions"] = requested
    response = client.post("/api/ai/quiz", json=payload)
    assert response.status_code == 200
    body = response.json()
    assert body["chapter_id"] == "control-basics"
    assert len(body["questions"]) == expected
    for question in body["questions"]:
        assert len(question["options"]) == 4
        assert 0 <= question["answer_index"] < 4


def test_quiz_is_deterministic(client: TestClient) -> None:
    payload = {"chapter_id": "kinematics", "num_questions": 4}
    first = client.post("/api/ai/quiz", json=payload)
    second = client.post("/api/ai/quiz", json=payload)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()


def test_diagram_is_mermaid_with_a_safe_label(client: TestClient) -> None:
    response = client.post(
        "/api/ai/diagram", json={"concept": 'the "PID" loop', "chapter_id": "control-basics"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["format"] == "mermaid"
    assert body["concept"] == 'the "PID" loop'
    assert body["source"].startswith("flowchart LR\n")
    assert 'concept["the #quot;PID#quot; loop"]' in body["source"]


@pytest.mark.parametrize(
    ("path", "payload"),
    [
        ("/api/ai/ask-question", {"chapter_id": "kinematics"}),
        ("/api/ai/ask-question", {"question": "", "chapter_id": "kinematics"}),
        ("/api/ai/explain-like-10", {"concept": "torque"}),
        ("/api/ai/quiz", {"chapter_id": "kinematics", "num_questions": 0}),
        ("/api/ai/quiz", {"chapter_id": "kinematics", "num_questions": 11}),
        ("/api/ai/quiz", {"chapter_id": "kinematics", "num_questions": "many"}),
        ("/api/ai/diagram", {"concept": "x" * 201, "chapter_id": "kinematics"}),
        ("/api/ai/diagram", []),
    ],
)
def test_bad_bodies_are_rejected(client: TestClient, path: str, payload: object) -> None:
    response = client.post(path, json=payload)
    assert response.status_code == 422
    assert response.json()["detail"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/ai/ask-question", b'{"question": NaN, "chapter_id": "kinematics"}'),
        ("/api/ai/quiz", b'{"chapter_id": "kinematics", "num_questions": Infinity}'),
        ("/api/ai/ask-question", b'{"question": "\\ud800", "chapter_id": "kinematics"}'),
        ("/api/ai/explain-like-10", b'{"concept": "torque", "chapter_id": "\\udfff"}'),
    ],
    ids=["nan", "infinity", "lone-surrogate", "lone-surrogate-id"],
)
def test_a_refused_value_json_cannot_hold_is_a_422_not_a_500(
    client: TestClient, path: str, body: bytes
) -> None:
    # FastAPI's own handler quotes the refused value back: NaN and lone surrogates cannot be
    # encoded, and the answer was a 500 (Internal Server Error).
    response = client.post(path, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    problem = response.json()["detail"][0]
    assert problem["loc"][0] == "body"
    assert problem["msg"]


def test_a_refused_value_json_can_hold_is_quoted_as_fastapi_quotes_it(
    client: TestClient,
) -> None:
    response = client.post("/api/ai/quiz", json={"chapter_id": "kinematics", "num_questions": 11})
    assert response.status_code == 422
    assert response.json()["detail"][0]["input"] == 11


def test_get_chapter_returns_the_chapter(client: TestClient) -> None:
    response = client.get("/api/chapters/intro-to-robotics")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == "intro-to-robotics"
    assert body["title"] == "Introduction to Robotics"
    assert body["sections"] == ["What is a robot?", "Sensors", "Actuators"]


def test_unknown_chapter_is_404(client: TestClient) -> None:
    response = client.get("/api/chapters/no-such-chapter")
    assert response.status_code == 404
    assert response.json() == {"detail": "Chapter 'no-such-chapter' not found"}


def test_openapi_lists_every_route_with_its_docstring(client: TestClient) -> None:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/ai/ask-question",
        "/api/ai/explain-like-10",
        "/api/ai/quiz",
        "/api/ai/diagram",
    ):
        assert paths[path]["post"]["description"]
    assert paths["/api/chapters/{chapter_id}"]["get"]["description"]
