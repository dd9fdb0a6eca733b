"""Time the calculator's keystroke (the htmx partial) and the fragments it loads.

Run from the repository root: `.venv/bin/python bench/partial.py [N]`. It migrates a
throw-away SQLite database (the seed catalog comes with the migrations), warms up
(the first request runs the calibration behind the accuracy statement), then times N
htmx POSTs of the default scenario through django.test.Client (the keystroke: headline,
memory, performance, cost and warnings), and N GETs of each fragment the keystroke's
answer loads on its own (charts, GPU comparison, API table, and "show the math"), and
prints the median (wall clock, and CPU time), p90 and p99 in milliseconds and the size
of each answer.
"""

from __future__ import annotations

import re
import statistics
import sys
import time
from html import unescape
from urllib.parse import urlencode

from seeded import seeded_database

REQUESTS = 200
FORM = "application/x-www-form-urlencoded"
WARM_UP = 10
FRAGMENTS = {  # the lazy section's id -> what its answer must contain
    "apis": b'id="api-comparison"',
    "batch-charts": b"current-point",
    "compare-gpus": b'id="gpu-comparison"',
    "show-the-math": b"math-steps",
}


def _timed(call, requests: int) -> tuple[list[float], list[float], int]:
    """Wall-clock and CPU milliseconds of each call, and the size of the last answer.
    CPU time is the steadier figure on a machine shared with other work."""
    for _ in range(WARM_UP):
        call()
    times, cpu, size = [], [], 0
    for _ in range(requests):
        start, start_cpu = time.perf_counter(), time.process_time()
        size = len(call())
        cpu.append((time.process_time() - start_cpu) * 1e3)
        times.append((time.perf_counter() - start) * 1e3)
    return sorted(times), sorted(cpu), size


def _line(name: str, times: list[float], cpu: list[float], size: int) -> str:
    cuts = statistics.quantiles(times, n=100)
    return (
        f"{name:<20} median {statistics.median(times):6.2f} ms (CPU "
        f"{statistics.median(cpu):5.2f} ms), p90 {cuts[89]:6.2f} ms, "
        f"p99 {cuts[98]:6.2f} ms, {size / 1024:5.1f} KB"
    )


def main(requests: int = REQUESTS) -> None:
    with seeded_database():
        from django.conf import settings
        from django.test import Client

        from calculator.answers.estimate import DEFAULTS

        data = {key: str(value) for key, value in DEFAULTS.items()}
        data.update(price_gpu=data["gpu"], context_model=data["model"])
        body = urlencode(data)
        client = Client()

        def keystroke() -> bytes:
            # Form-encoded, as htmx posts it.
            response = client.post("/", body, content_type=FORM, headers={"HX-Request": "true"})
            assert response.status_code == 200 and b'<section id="results"' in response.content
            assert b'id="key-figures"' in response.content
            return response.content

        page = keystroke().decode()
        print(f"{requests} requests each, default scenario, DEBUG={settings.DEBUG}:")
        print(_line("keystroke (POST)", *_timed(keystroke, requests)))
        for section, marker in FRAGMENTS.items():
            url = unescape(re.search(rf'id="{section}"\s+hx-get="([^"]+)"', page).group(1))

            def fragment(url=url, marker=marker) -> bytes:
                response = client.get(url, headers={"HX-Request": "true"})
                assert response.status_code == 200 and marker in response.content
                return response.content

            print(_line(f"{section} (GET)", *_timed(fragment, requests)))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else REQUESTS)
