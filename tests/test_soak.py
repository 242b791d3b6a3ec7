"""bench --soak: its percentiles and its bounds (the soak itself is run by hand, see README)."""

from types import SimpleNamespace

import pytest

from etl import soak
from etl.errors import UsageError


def test_percentiles_are_inclusive_quantiles():
    xs = [float(i) for i in range(1, 101)]  # 1..100
    assert soak._pct(xs, 50) == 50.5
    assert soak._pct(xs, 95) == 95.05
    assert soak._pct([2.5], 95) == 2.5
    assert soak._pct([], 50) is None


@pytest.mark.parametrize("sessions,seconds,events,message", [
    (0, 120, 1, "--sessions 0: give 1 to 50"),
    (51, 120, 1, "--sessions 51: give 1 to 50"),
    (20, 1, 1, "--seconds 1: give 5 to 900"),
    (20, 1000, 1, "--seconds 1000: give 5 to 900"),
    (20, 120, 0, "--events 0: give a positive number of rows"),
])
def test_the_soak_is_bounded(sessions, seconds, events, message):
    args = SimpleNamespace(sessions=sessions, seconds=seconds, events=events, json=False)
    with pytest.raises(UsageError) as exc:
        soak.cmd_soak(args)
    assert str(exc.value) == message


def test_render_says_when_the_load_missed_the_window():
    r = {"sessions": 2, "seconds": 20.0, "mode": "playwright contexts in one chromium",
         "cpus": 2, "events": 100_000, "pages_viewed": 10, "errors": 0, "error_samples": [],
         "p50_page_s": 4.837, "p95_page_s": 6.445, "max_page_s": 6.508,
         "load": {"started_at": 5, "seconds": 20.3, "status": ["loaded"]},
         "published_during_soak": False}
    assert soak.render(r).splitlines() == [
        "soak: 2 browser sessions for 20 s (playwright contexts in one chromium, 2 CPUs) "
        "while a 100,000-row load publishes",
        "  pages viewed 10, errors 0",
        "  page time p50 4.837 s, p95 6.445 s, max 6.508 s",
        "  load: started at 5 s, took 20.3 s, status loaded (NOT published inside the soak "
        "window: lengthen --seconds)"]
