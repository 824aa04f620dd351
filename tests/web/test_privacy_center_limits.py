"""How often the privacy center's forms may be used: the sliding window, then the served
limits per email address and per IP address."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pledge.web.rate_limit import Limit, SlidingWindow
from tests.web.center import CENTER, Center, file_request, serving_center


class Clock:
    """Time that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_window_allows_so_many_then_refuses_until_the_oldest_try_ages_out() -> None:
    clock = Clock()
    window = SlidingWindow(Limit(3, 60), clock=clock)
    for _ in range(3):
        assert window.allow("a") is True
        clock.now += 10
    assert window.allow("a") is False  # at 1030: tries at 1000, 1010 and 1020
    assert window.allow("b") is True  # keys are counted apart
    assert window.retry_after("a") == 30
    clock.now += 29
    assert window.allow("a") is False  # a refused try is not counted, nor does it free one
    clock.now += 1  # 1060: the try of 1000 ages out, and only that one
    assert window.retry_after("a") == 0
    assert window.allow("a") is True
    assert window.allow("a") is False
    assert window.retry_after("a") == 10


def test_the_window_forgets_the_least_recent_keys_beyond_its_size() -> None:
    window = SlidingWindow(Limit(1, 60), clock=Clock(), max_keys=2)
    assert window.allow("a") and window.allow("b")
    assert window.allow("a") is False  # "a" is now the most recent
    assert window.allow("c") is True  # "b" is forgotten to make room
    assert window.allow("a") is False
    assert window.allow("b") is True


@pytest.fixture
def center(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Center]:
    with serving_center(tmp_path, monkeypatch) as served:
        yield served


def test_one_address_may_file_five_requests_an_hour_and_one_ip_twenty(center: Center) -> None:
    with center.client() as client:
        answers = [file_request(client, email="busy@example.org", type="erasure") for _ in range(6)]
        assert [a.status_code for a in answers] == [303] * 5 + [429]
        refused = answers[-1]
        assert "Too many tries" in refused.text and "60 minutes" in refused.text
        assert 3500 <= int(refused.headers["retry-after"]) <= 3600
        # The same IP address with other addresses: 20 tries in all (the refused one counts).
        more = [
            file_request(client, email=f"other{n}@example.org", type="erasure").status_code
            for n in range(15)
        ]
        assert more == [303] * 14 + [429]
        # Refused before the form is read: even a page of the form cannot be sent.
        page = client.get(CENTER, params={"jurisdiction": "uk", "type": "erasure"})
        assert page.status_code == 200  # reading pages is not limited
