"""Every limit on what a request may ask, in one place (docs/api.md tabulates them).

The limits the estimator checks itself are defined in calculator/estimator/limits.py
(it imports nothing from the app) and re-exported here, so the forms, the views and the
templates (as ``limits``, see context_processors.py) read every limit from this module.
The app's own are below, each related to the estimator's where they meet.
"""

from __future__ import annotations

from calculator.estimator.arrivals import MAX_ARRIVAL_CV, MIN_ARRIVAL_CV
from calculator.estimator.autoscale import (
    MAX_REPLICAS,
    MAX_RESERVED_DISCOUNT,
    MAX_SCALE_UP_DELAY_S,
)
from calculator.estimator.limits import (
    DEFAULT_MAX_GPUS_PER_REPLICA,
    GPUS_PER_SERVER,
    MAX_BATCH,
    MAX_CONCURRENCY,
    MAX_EFFECTIVE_HOURLY_USD,
    MAX_GPUS,
    MAX_GPUS_PER_REPLICA,
    MAX_GPUS_SEARCHED,
    MAX_HOURLY_RATE,
    MAX_HOURLY_RATES_CHARS,
    MAX_HOURLY_USD,
    MAX_LOG_BYTES,
    MAX_LOG_LINES,
    MAX_LOG_SPAN_DAYS,
    MAX_LOG_TOKENS,
    MAX_PEAK_FACTOR,
    MAX_PLAN_RATE,
    MAX_PLANNING_WORK,
    MAX_PREFIX_HIT_RATE,
    MAX_REQUESTS,
    MAX_REQUESTS_PER_DAY,
    MAX_SEQ_LEN,
    MAX_SERVE_RATE,
    MAX_SHARED_PREFIX_TOKENS,
    MAX_SIMULATION_WORK,
    MAX_SPECULATIVE_TOKENS,
    MAX_TARGET_S,
    MAX_TARGET_UTILIZATION,
    MAX_TOKENS,
    MIN_SERVE_RATE,
    MIN_TARGET_UTILIZATION,
)
from calculator.estimator.owned import (
    MAX_AMORTIZATION_YEARS,
    MAX_GPUS_PER_SERVER,
    MAX_HOSTING_USD_PER_MONTH,
    MAX_POWER_KW,
    MAX_PUE,
    MAX_PURCHASE_USD,
    MAX_USD_PER_KWH,
    MIN_PUE,
)

# A pasted config.json: released ones are a few KB. A POSTed JSON body holds one and
# the other inputs, so it may be twice as long (a character can take two bytes).
MAX_CONFIG_CHARS = 100_000
MAX_BODY_BYTES = 2 * MAX_CONFIG_CHARS
# JSON nesting (a body, a pasted config), counted before parsing: released configs nest
# 3 levels; 5,000 levels used to end in a RecursionError (calculator/jsonbody.py).
MAX_JSON_DEPTH = 20

# Latency targets in the forms' unit (ms): the estimator's MAX_TARGET_S.
MAX_TARGET_MS = int(MAX_TARGET_S * 1_000)

# The planner's comma lists: every catalog slug (at most 64 characters each) and a few
# dozen of them; every precision name.
MAX_GPU_LIST_CHARS = 2_000
MAX_WEIGHT_LIST_CHARS = 200

# Saved scenarios: notes of a few paragraphs (longer text belongs in a document);
# compare columns that fit a wide screen, and ids in one request (more than anyone
# ticks on a list page: a flood, or a URL gone wrong).
NOTES_MAX_LENGTH = 5_000

# A plan POSTed with a request log (multipart): the log's MAX_LOG_BYTES and room for
# the other parameters and the multipart framing; a larger body is refused unread.
MAX_PLAN_BODY_BYTES = MAX_LOG_BYTES + 64 * 1024
MAX_COMPARED = 8
MAX_COMPARE_IDS = 50

__all__ = [
    "DEFAULT_MAX_GPUS_PER_REPLICA",
    "GPUS_PER_SERVER",
    "MAX_BATCH",
    "MAX_BODY_BYTES",
    "MAX_COMPARED",
    "MAX_COMPARE_IDS",
    "MAX_CONCURRENCY",
    "MAX_CONFIG_CHARS",
    "MAX_EFFECTIVE_HOURLY_USD",
    "MAX_GPUS",
    "MAX_GPUS_PER_REPLICA",
    "MAX_GPUS_SEARCHED",
    "MAX_GPU_LIST_CHARS",
    "MAX_HOURLY_RATE",
    "MAX_HOURLY_RATES_CHARS",
    "MAX_HOURLY_USD",
    "MAX_JSON_DEPTH",
    "MAX_LOG_BYTES",
    "MAX_LOG_LINES",
    "MAX_LOG_SPAN_DAYS",
    "MAX_LOG_TOKENS",
    "MAX_PEAK_FACTOR",
    "MAX_PLANNING_WORK",
    "MAX_PLAN_RATE",
    "MAX_PREFIX_HIT_RATE",
    "MAX_REQUESTS",
    "MAX_REQUESTS_PER_DAY",
    "MAX_SEQ_LEN",
    "MAX_SERVE_RATE",
    "MAX_SHARED_PREFIX_TOKENS",
    "MAX_SIMULATION_WORK",
    "MAX_SPECULATIVE_TOKENS",
    "MAX_TARGET_MS",
    "MAX_TOKENS",
    "MIN_SERVE_RATE",
    "MAX_TARGET_S",
    "MAX_TARGET_UTILIZATION",
    "MIN_TARGET_UTILIZATION",
    "MAX_WEIGHT_LIST_CHARS",
    "NOTES_MAX_LENGTH",
    "MAX_PLAN_BODY_BYTES",
    "MAX_ARRIVAL_CV",
    "MIN_ARRIVAL_CV",
    "MAX_RESERVED_DISCOUNT",
    "MAX_REPLICAS",
    "MAX_SCALE_UP_DELAY_S",
    "MAX_AMORTIZATION_YEARS",
    "MAX_GPUS_PER_SERVER",
    "MAX_HOSTING_USD_PER_MONTH",
    "MAX_POWER_KW",
    "MAX_PUE",
    "MAX_PURCHASE_USD",
    "MAX_USD_PER_KWH",
    "MIN_PUE",
]
