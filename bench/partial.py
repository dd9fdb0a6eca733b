"""Time the calculator's htmx partial for the default scenario.

Run from the repository root: `.venv/bin/python bench/partial.py [N]`. It migrates a
throw-away SQLite database (the seed catalog comes with the migrations), warms up
(the first request runs the calibration behind the accuracy statement), then times N
htmx POSTs of the default scenario through django.test.Client, charts and GPU
comparison included, and prints the median, p90 and p99 in milliseconds.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUESTS = 200
WARM_UP = 10


def main(requests: int = REQUESTS) -> None:
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as directory:
        os.environ["DATABASE_URL"] = f"sqlite:///{directory}/bench.sqlite3"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.test import Client

        from calculator.forms import DEFAULTS

        call_command("migrate", verbosity=0)
        data = {key: str(value) for key, value in DEFAULTS.items()}
        data.update(price_gpu=data["gpu"], context_model=data["model"])
        client = Client()

        def post() -> float:
            start = time.perf_counter()
            response = client.post("/", data, headers={"HX-Request": "true"})
            elapsed = time.perf_counter() - start
            assert response.status_code == 200 and b'<section id="results"' in response.content
            assert b"current-point" in response.content  # charts rendered
            assert b'id="gpu-comparison"' in response.content
            return elapsed * 1e3

        for _ in range(WARM_UP):
            post()
        times = sorted(post() for _ in range(requests))
        cuts = statistics.quantiles(times, n=100)
        print(
            f"{requests} htmx POSTs of the default scenario (DEBUG={settings.DEBUG}): "
            f"median {statistics.median(times):.1f} ms, p90 {cuts[89]:.1f} ms, "
            f"p99 {cuts[98]:.1f} ms"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else REQUESTS)
