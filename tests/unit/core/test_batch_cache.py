"""Reads a stream batch shares: once per batch inside it, every time outside, again after a
write is forgotten."""

from __future__ import annotations

from collections.abc import Callable

from chalicelib.core.batch_cache import batch_cache, forget, remembered


def _counting() -> tuple[list[int], Callable[[], int]]:
    calls: list[int] = []

    def load() -> int:
        calls.append(1)
        return len(calls)

    return calls, load


def test_given_a_batch_when_a_read_repeats_then_it_is_made_once() -> None:
    calls, load = _counting()

    with batch_cache():
        first, second = remembered("k", load), remembered("k", load)

    assert (first, second, len(calls)) == (1, 1, 1)


def test_given_no_batch_then_every_read_is_made() -> None:
    calls, load = _counting()

    remembered("k", load)
    remembered("k", load)

    assert len(calls) == 2


def test_given_a_forgotten_key_then_the_next_read_is_made_again() -> None:
    calls, load = _counting()

    with batch_cache():
        remembered("k", load)
        forget("k")
        again = remembered("k", load)

    assert (again, len(calls)) == (2, 2)


def test_given_a_batch_ended_then_nothing_is_remembered_for_the_next() -> None:
    calls, load = _counting()

    with batch_cache():
        remembered("k", load)
    with batch_cache():
        remembered("k", load)

    assert len(calls) == 2
