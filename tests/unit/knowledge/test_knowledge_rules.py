"""Pure decisions of the knowledge area: who sees and edits what, status moves, confidence of a
match, gap clusters, snippets and drafts from tickets."""

from __future__ import annotations

import pytest

from chalicelib.core import Principal, Role
from chalicelib.knowledge import rules


def _who(*roles: str, user: str = "u1") -> Principal:
    # The desk's customer_contact role joins core's roles with the desk; until then by name.
    known = {r.value for r in Role}
    return Principal("acme", user, frozenset(Role(r) if r in known else r for r in roles))


@pytest.mark.parametrize(
    ("roles", "status", "sees"),
    [
        (("admin",), "draft", True),
        (("service_agent",), "draft", True),
        (("service_agent",), "archived", True),
        (("viewer",), "published", True),
        (("viewer",), "draft", False),
        (("sales_rep",), "published", True),
        (("sales_rep",), "archived", False),
        (("sales_manager",), "published", True),
        (("finance",), "published", False),
        (("legal",), "published", False),
        (("marketing",), "published", False),
        (("customer_contact",), "published", True),  # self-service
        (("customer_contact",), "draft", False),
    ],
)
def test_given_a_role_and_a_status_then_whether_the_article_shows(
    roles: tuple[str, ...], status: str, sees: bool
) -> None:
    assert rules.can_see(_who(*roles), status) is sees


@pytest.mark.parametrize(
    ("roles", "user", "reviewers", "publishes"),
    [
        (("admin",), "ada", [], True),
        (("service_agent",), "sam", [], False),
        (("service_agent",), "sam", ["sam"], True),
        (("viewer",), "sam", ["sam"], False),  # a reviewer must be a writer too
        (("sales_rep",), "rob", ["rob"], False),
    ],
)
def test_given_a_caller_and_the_reviewers_then_whether_they_publish(
    roles: tuple[str, ...], user: str, reviewers: list[str], publishes: bool
) -> None:
    assert rules.is_publisher(_who(*roles, user=user), reviewers) is publishes


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        ("draft", "published", True),
        ("archived", "published", True),
        ("published", "archived", True),
        ("draft", "archived", True),
        ("published", "published", False),
        ("archived", "draft", False),
        ("published", "draft", False),
    ],
)
def test_given_a_status_then_the_moves_it_allows(current: str, target: str, allowed: bool) -> None:
    assert rules.may_move(current, target) is allowed


@pytest.mark.parametrize(
    ("scores", "coverage", "matched", "confident"),
    [
        ([], 1.0, 3, False),
        ([4.0], 1.0, 2, True),
        ([4.0], 1.0, 1, False),  # one shared word is never enough
        ([4.0], 0.49, 3, False),  # holds under half the question (idf-weighted)
        ([10.0, 7.8], 0.9, 3, False),  # not clearly ahead (1.28x)
        ([10.0, 7.6], 0.9, 3, True),  # 1.32x
        ([0.5, 0.1, 0.1], 0.5, 2, True),  # raw scores are small in a small base: no floor
        ([0.0], 1.0, 2, False),
    ],
)
def test_given_ranked_scores_then_whether_the_best_is_confident(
    scores: list[float], coverage: float, matched: int, confident: bool
) -> None:
    assert rules.confident(scores, coverage, matched) is confident


@pytest.mark.parametrize(
    ("terms", "expected"),
    [
        (["打印机", "打印", "无法", "打印"], ["打印", "打印机", "无法"]),
        (["export", "custom", "excel", "export"], ["custom", "excel", "export"]),
        (["aaaaa", "bbbb", "ccc", "dd", "e"], ["aaaaa", "bbbb", "ccc", "dd"]),
        ([], []),
    ],
)
def test_given_question_terms_then_the_gap_key_terms(terms: list[str], expected: list[str]) -> None:
    assert rules.gap_terms(terms) == expected


def test_given_the_same_terms_in_another_order_then_the_same_gap_cluster() -> None:
    one = rules.gap_key(rules.gap_terms(["excel", "export", "custom"]))
    other = rules.gap_key(rules.gap_terms(["custom", "export", "excel", "excel"]))

    assert one == other


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Short\nanswer.", "Short answer."),
        ("word " * 50, ("word " * 32).strip() + "…"),
        ("长" * 200, "长" * 160 + "…"),
    ],
)
def test_given_a_body_then_its_snippet(body: str, expected: str) -> None:
    assert rules.snippet(body) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh", "问题：\n打印机坏了\n\n解答：\n重启"),
        ("en", "Question:\nPrinter broken\n\nAnswer:\nRestart it"),
    ],
)
def test_given_a_resolved_ticket_then_the_draft_body(language: str, expected: str) -> None:
    question, answer = (
        ("打印机坏了", "重启") if language == "zh" else ("Printer broken", "Restart it")
    )

    assert rules.ticket_article_body(f" {question} ", answer, language) == expected
