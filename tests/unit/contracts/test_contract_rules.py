"""Pure decisions of the contracts area, as tables: payment plans, how payments settle
instalments, when an instalment is overdue, when a renewal is due, who may do what."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from chalicelib.contracts import rules
from chalicelib.contracts.models import InstalmentStatus, PaymentStatus
from chalicelib.core import Principal, Role

D = Decimal
JAN, FEB, MAR = date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31)
PLAN = rules.planned([(JAN, D("300")), (FEB, D("300")), (MAR, D("400"))])


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.mark.parametrize(
    ("instalments", "value", "problems"),
    [
        ([(JAN, D("500")), (FEB, D("500"))], D("1000"), []),
        ([(JAN, D("1000.00"))], D("1000"), []),
        ([(JAN, D("500")), (FEB, D("400"))], D("1000"), ["sum to 900.00, not the contract"]),
        ([(JAN, D("0")), (FEB, D("1000"))], D("1000"), ["instalments[0].amount must be above 0"]),
        ([(FEB, D("500")), (JAN, D("500"))], D("1000"), ["instalments[1].due_on must be after"]),
        ([(JAN, D("500")), (JAN, D("500"))], D("1000"), ["instalments[1].due_on must be after"]),
        ([], D("1000"), ["at least one instalment"]),
    ],
)
def test_given_a_plan_then_its_problems_are_named(
    instalments: list[tuple[date, Decimal]], value: Decimal, problems: list[str]
) -> None:
    found = rules.plan_problems(instalments, value)

    assert len(found) == len(problems)
    for text, expected in zip(found, problems, strict=True):
        assert expected in text


@pytest.mark.parametrize(
    ("paid", "now", "statuses"),
    [
        ("0", at(JAN), ["due", "due", "due"]),
        ("0", at(date(2027, 2, 1), 0), ["overdue", "due", "due"]),
        ("100", at(JAN), ["partly_paid", "due", "due"]),
        ("300", at(date(2027, 2, 15)), ["paid", "due", "due"]),
        ("450", at(date(2027, 3, 1)), ["paid", "overdue", "due"]),
        ("1000", at(date(2027, 6, 1)), ["paid", "paid", "paid"]),
    ],
)
def test_given_payments_then_they_settle_instalments_oldest_first(
    paid: str, now: datetime, statuses: list[str]
) -> None:
    assert [s.status.value for s in rules.settle(PLAN, D(paid), now)] == statuses


@pytest.mark.parametrize(
    ("plan", "paid", "now", "status"),
    [
        ([], "0", at(JAN), PaymentStatus.NO_PLAN),
        (PLAN, "0", at(JAN), PaymentStatus.ON_TRACK),
        (PLAN, "299.99", at(date(2027, 2, 1)), PaymentStatus.OVERDUE),
        (PLAN, "1000", at(date(2027, 2, 1)), PaymentStatus.PAID),
        ([], "1000", at(JAN), PaymentStatus.PAID),
    ],
)
def test_given_a_plan_and_payments_then_the_payment_status(
    plan: list[rules.PlannedInstalment], paid: str, now: datetime, status: PaymentStatus
) -> None:
    assert rules.payment_status(plan, D(paid), D("1000"), now) == status


@pytest.mark.parametrize(
    ("status", "number", "due", "amount", "paid", "now", "decision"),
    [
        ("signed", 1, JAN, "300", "0", at(date(2027, 2, 1), 0), "overdue"),
        ("signed", 1, JAN, "300", "299.99", at(date(2027, 2, 1), 0), "overdue"),
        ("signed", 1, JAN, "300", "300", at(date(2027, 2, 1), 0), "paid"),
        ("signed", 1, JAN, "300", "0", at(JAN, 23), "not_due"),
        ("signed", 1, date(2027, 1, 15), "300", "0", at(date(2027, 2, 1)), "plan_changed"),
        ("signed", 2, FEB, "250", "0", at(date(2027, 3, 1)), "plan_changed"),
        ("signed", 4, MAR, "400", "0", at(date(2027, 4, 1)), "plan_changed"),
        ("void", 1, JAN, "300", "0", at(date(2027, 2, 1)), "not_signed"),
    ],
)
def test_given_an_overdue_timer_firing_then_the_decision(
    status: str, number: int, due: date, amount: str, paid: str, now: datetime, decision: str
) -> None:
    found = rules.overdue_decision(PLAN, D(paid), status, number, due, D(amount), now)

    assert found == decision


@pytest.mark.parametrize(
    ("amount", "outstanding", "problem"),
    [
        ("100", "1000", None),
        ("1000", "1000", None),
        ("1000.01", "1000", "over-payment is refused"),
        ("0", "1000", "above 0"),
        ("1", "0", "over-payment is refused"),
    ],
)
def test_given_a_payment_then_over_payment_is_refused(
    amount: str, outstanding: str, problem: str | None
) -> None:
    found = rules.payment_problem(D(amount), D(outstanding))

    assert (found is None) if problem is None else (problem in str(found))


END = date(2027, 12, 31)


@pytest.mark.parametrize(
    ("status", "term_end", "renewed_for", "now", "decision"),
    [
        ("signed", END, None, datetime(2027, 12, 1, tzinfo=UTC), "renew"),
        ("signed", END, None, datetime(2027, 11, 30, 12, tzinfo=UTC), "not_due"),
        ("signed", date(2028, 6, 30), None, datetime(2027, 12, 1, tzinfo=UTC), "term_moved"),
        ("signed", END, END.isoformat(), datetime(2027, 12, 1, tzinfo=UTC), "already_renewed"),
        ("void", END, None, datetime(2027, 12, 1, tzinfo=UTC), "not_signed"),
    ],
)
def test_given_a_renewal_timer_firing_then_the_decision(
    status: str, term_end: date, renewed_for: str | None, now: datetime, decision: str
) -> None:
    assert rules.renewal_decision(status, term_end, END, renewed_for, now) == decision


def test_given_an_end_date_then_renewal_is_due_thirty_days_before() -> None:
    assert rules.renewal_at(END) == datetime(2027, 12, 1, tzinfo=UTC)


def test_given_a_moved_instalment_then_its_timer_has_another_name() -> None:
    moved = rules.planned([(date(2027, 2, 1), D("300"))])[0]

    assert rules.overdue_timer_name("acme", "C1", PLAN[0]) != rules.overdue_timer_name(
        "acme", "C1", moved
    )
    assert len(rules.overdue_timer_name("acme", "C" * 40, PLAN[0])) <= 80


def who(*roles: Role, user: str = "bob", team: str | None = "east") -> Principal:
    return Principal("acme", user, frozenset(roles), team)


@pytest.mark.parametrize(
    ("principal", "readable"),
    [
        (who(Role.SALES_REP, user="rob"), True),  # the owner
        (who(Role.SALES_REP), False),  # another rep
        (who(Role.SALES_MANAGER), True),  # the owner's team's manager
        (who(Role.SALES_MANAGER, team="west"), False),
        (who(Role.ADMIN), True),
        (who(Role.LEGAL), True),
        (who(Role.FINANCE), True),
        (who(Role.MARKETING), False),
        (who(Role.SERVICE_AGENT), False),
        (who(Role.VIEWER), False),
    ],
)
def test_given_a_caller_then_whether_a_contract_exists_for_them(
    principal: Principal, readable: bool
) -> None:
    assert rules.can_read(principal, "rob", "east") is readable


@pytest.mark.parametrize(
    ("principal", "status", "editable"),
    [
        (who(Role.LEGAL), "draft", True),
        (who(Role.LEGAL), "pending_approval", False),
        (who(Role.FINANCE), "draft", False),
        (who(Role.SALES_REP, user="rob"), "approved", True),
        (who(Role.SALES_REP, user="rob"), "signed", True),  # end date / renewal terms only
        (who(Role.SALES_REP, user="rob"), "void", False),
        (who(Role.SALES_REP), "draft", False),
    ],
)
def test_given_a_caller_and_status_then_whether_they_may_edit(
    principal: Principal, status: str, editable: bool
) -> None:
    assert rules.can_edit(principal, "rob", "east", status) is editable


@pytest.mark.parametrize(
    ("status", "changed", "after"),
    [
        ("approved", ["value"], "draft"),
        ("pending_approval", ["term_end"], "draft"),
        ("rejected", ["title"], "draft"),
        ("approved", [], "approved"),
        ("draft", ["value"], "draft"),
    ],
)
def test_given_an_edit_then_a_material_change_voids_the_approval(
    status: str, changed: list[str], after: str
) -> None:
    assert rules.status_after_edit(status, changed) == after


def test_given_the_same_value_again_then_nothing_changed() -> None:
    current = {"value": D("1000"), "term_end": "2027-12-31", "title": "A"}
    patch = {"value": D("1000.00"), "term_end": date(2027, 12, 31), "title": "B"}

    assert rules.changed_fields(current, patch) == ["title"]


def test_given_base_amount_then_the_approval_facts_use_it() -> None:
    facts = rules.approval_facts(
        {"value": D("100000"), "currency": "USD", "base_value": D("720000"), "base_currency": "CNY"}
    )

    assert facts["amount"] == D("720000.00")
    assert facts["currency"] == "CNY"


def test_given_candidates_then_the_same_contract_gets_the_same_reviewer() -> None:
    first = rules.pick_reviewer(["lea", "lou"], "C1")

    assert first == rules.pick_reviewer(["lou", "lea"], "C1")
    assert rules.pick_reviewer([], "C1") is None
    assert InstalmentStatus.PAID == "paid"
