"""Time reading a request log and simulating an autoscaled week.

Run from the repository root: `.venv/bin/python bench/traffic.py [N]`. It builds a log
of 100,000 requests in memory (ISO 8601 timestamps with microseconds and an offset, as
Azure's traces write them, with prompt and completion tokens; a Poisson stream at 0.15
requests/s, 7.7 days, so weekdays and weekends are read apart), reads it into an hourly
profile and its lengths N times, then autoscales the office-hours preset (weekday and
weekend, one-minute steps, a five-minute scale-up delay) N times, and prints the best
and median CPU time of each.
Last, the whole upload as `POST /api/plan` answers it (the planner's form with the log
as a file, the planner's answer: the log read, the example's model planned on every
priced GPU with the log's lengths, the best option autoscaled through the log's week),
on a throw-away seeded SQLite database, each run with no capacity remembered.
The targets: reading well under a second; a week's autoscaling under 50 ms; the whole
upload planned in under 3 s of CPU (issue 21).
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from seeded import seeded_database  # noqa: E402

from calculator.estimator import autoscale  # noqa: E402
from calculator.estimator.request_log import read_request_log  # noqa: E402
from calculator.estimator.traffic import Preset, preset  # noqa: E402

RUNS = 5
REQUESTS = 100_000
READ_BUDGET_S = 1.0
AUTOSCALE_BUDGET_MS = 50
PLAN_BUDGET_S = 3.0


def request_log(requests: int = REQUESTS) -> bytes:
    rng = random.Random(0)
    moment = datetime(2024, 5, 6, tzinfo=UTC)
    lines = ["TIMESTAMP,ContextTokens,GeneratedTokens"]
    for _ in range(requests):
        moment += timedelta(seconds=rng.expovariate(0.15))
        lines.append(f"{moment.isoformat(sep=' ')},{rng.randint(10, 4000)},{rng.randint(1, 800)}")
    return "\n".join(lines).encode()


def cpu_times(call, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.process_time()
        call()
        times.append(time.process_time() - start)
    return times


def main(runs: int = RUNS) -> None:
    data = request_log()
    log = read_request_log(data)
    reads = cpu_times(lambda: read_request_log(data), runs)
    print(
        f"read {log.requests:,} requests ({len(data) / 2**20:.1f} MiB, "
        f"{log.hours_covered:,} hours, weekly={log.weekly}): best {min(reads):.3f} s, "
        f"median {statistics.median(reads):.3f} s of CPU (target < {READ_BUDGET_S} s)"
    )
    week = preset(Preset.OFFICE_HOURS, peak_rate=20.0)
    replica = autoscale.ReplicaCapacity(within_targets=2.0, saturation=3.0)
    policy = autoscale.Policy(scale_up_delay_s=300)

    def scale():
        return autoscale.autoscale(
            week, replica, policy, usd_per_replica_hour=20.0, reserved_usd_per_replica_hour=12.0
        )

    result = scale()
    times = [t * 1e3 for t in cpu_times(scale, runs)]
    bill = result.bill
    print(
        f"autoscale an office-hours week: best {min(times):.1f} ms, median "
        f"{statistics.median(times):.1f} ms of CPU (target < {AUTOSCALE_BUDGET_MS} ms); "
        f"fixed ${bill.fixed_usd_per_month:,.0f}, autoscaled "
        f"${bill.autoscaled_usd_per_month:,.0f}, reserved + burst "
        f"${bill.reserved_plus_burst_usd_per_month:,.0f} a month"
    )

    plan_upload(data, runs)


def plan_upload(data: bytes, runs: int) -> None:
    with seeded_database():
        from django.core.files.uploadedfile import SimpleUploadedFile

        from calculator.answers import capacity as capacity_answer
        from calculator.estimator import capacity
        from calculator.plan_forms import PlanLogForm

        inputs = {
            key: value
            for key, value in capacity_answer.DEFAULTS.items()
            if key not in ("rate", "prompt", "completion")
        }

        def plan():
            capacity.forget_loads()
            upload = SimpleUploadedFile("requests.csv", data, content_type="text/csv")
            return capacity_answer.answer(PlanLogForm(inputs, {"request_log": upload}))

        planned = plan()
        times = cpu_times(plan, runs)
        bill = planned.day["bill"]
        print(
            f"plan the 100,000-line upload ({inputs['model']}, every priced GPU): best "
            f"{min(times):.2f} s, median {statistics.median(times):.2f} s of CPU (target < "
            f"{PLAN_BUDGET_S} s); {planned.result.best.label}, autoscaled "
            f"${bill['autoscaled_usd_per_month']:,.0f} against fixed "
            f"${bill['fixed_usd_per_month']:,.0f} a month"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else RUNS)
