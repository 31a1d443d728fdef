"""The knowledge answers' pure decisions: which new tickets are answered at once from an article,
which count as unanswered questions, the answer's text, and confirming once."""

from __future__ import annotations

import pytest

from chalicelib.desk import answers
from chalicelib.desk.answers import Match

STRONG = Match("a1", "Reset the gateway password", 7.2, True, "en")
WEAK = Match("a2", "Gateway lights", 2.1, False, "en")
ZH = Match("a3", "如何开发票", 6.0, True, "zh")
AUTO = frozenset({"question"})


@pytest.mark.parametrize(
    ("ticket_type", "language", "status", "responded", "found", "answer", "unanswered"),
    [
        # type not answered automatically: suggestions kept, nobody told
        ("complaint", "en", "new", False, [STRONG], None, False),
        ("fault", "en", "new", False, [], None, False),
        # not confident: for the agents only; a question counts as unanswered
        ("question", "en", "new", False, [WEAK, STRONG], None, True),
        ("question", "en", "new", False, [], None, True),
        # confident, right type and language, untouched: the answer at once
        ("question", "en", "new", False, [STRONG, WEAK], STRONG, False),
        ("question", "en", "open", False, [STRONG], STRONG, False),
        ("question", "zh", "new", False, [ZH], ZH, False),
        # the best article is in another language than the ticket
        ("question", "zh", "new", False, [STRONG], None, False),
        # an agent already on it
        ("question", "en", "open", True, [STRONG], None, False),
        ("question", "en", "resolved", False, [STRONG], None, False),
    ],
)
def test_given_a_new_ticket_then_the_decision_answers_only_a_confident_auto_type_match(
    ticket_type: str,
    language: str,
    status: str,
    responded: bool,
    found: list[Match],
    answer: Match | None,
    unanswered: bool,
) -> None:
    decision = answers.decide(ticket_type, language, status, responded, AUTO, found)

    assert decision.answer == answer
    assert decision.unanswered is unanswered
    assert decision.keep == tuple(found[: answers.KEEP])


def test_given_a_type_the_tenant_answers_automatically_then_it_counts_as_a_question() -> None:
    decision = answers.decide("request", "en", "new", False, {"question", "request"}, [WEAK])

    assert decision.answer is None
    assert decision.unanswered is True


def test_given_more_than_three_suggestions_then_the_best_three_are_kept() -> None:
    found = [Match(f"a{n}", "t", 10.0 - n, False, "en") for n in range(5)]

    kept = answers.decide("question", "en", "new", False, AUTO, found).keep

    assert [m.article_id for m in kept] == ["a0", "a1", "a2"]


@pytest.mark.parametrize(
    ("language", "asks"),
    [("en", "Did this answer your question?"), ("zh", "这个回答解决了您的问题吗")],
)
def test_given_an_article_then_the_answer_asks_in_the_tickets_language(
    language: str, asks: str
) -> None:
    text = answers.answer_text("Title", "x" * 5000, language)

    assert text.startswith("Title\n\n")
    assert asks in text
    assert len(text) < answers.ANSWER_CHARS + 200


@pytest.mark.parametrize(
    ("state", "ok"),
    [
        (None, False),
        (answers.SUGGESTED, False),
        (answers.ANSWERING, False),
        (answers.AWAITING, True),
        (answers.CONFIRMED, False),
        (answers.DECLINED, False),
    ],
)
def test_given_an_answer_state_then_only_an_awaiting_answer_is_confirmable(
    state: str | None, ok: bool
) -> None:
    assert answers.confirmable(state) is ok


@pytest.mark.parametrize(
    ("status", "ok"), [("resolved", True), ("closed", True), ("open", False), ("new", False)]
)
def test_given_a_ticket_status_then_only_finished_tickets_become_drafts(
    status: str, ok: bool
) -> None:
    assert answers.may_draft_from(status) is ok
