"""Every input limit the estimator checks, each related to the others here.

The estimator refuses inputs beyond these with an EstimatorInputError naming the field;
the app's forms accept the same ranges (calculator/limits.py imports these, with the
app's own request limits), so a value the form accepts is never refused here. Limits
are typo guards and bounds on work, not claims about hardware: each says why.
"""

from __future__ import annotations

from .constants import SECONDS_PER_DAY

# GPUs. One server holds 8 (an HGX/DGX board: tensor parallel stays on NVLink); the
# planner's replicas default to one server and go up to eight; the search for "the
# fewest GPUs that fit" goes as far as that largest replica; the calculator takes any
# count up to 16 such replicas (more than any single deployment estimated here: a typo).
GPUS_PER_SERVER = 8
DEFAULT_MAX_GPUS_PER_REPLICA = GPUS_PER_SERVER
MAX_GPUS_PER_REPLICA = 8 * GPUS_PER_SERVER  # 64
MAX_GPUS_SEARCHED = MAX_GPUS_PER_REPLICA
MAX_GPUS = 16 * MAX_GPUS_PER_REPLICA  # 1,024

# Tokens. The longest advertised context (Llama 4 Scout's 10M tokens) bounds a prompt
# and a completion; a sequence holds both at their largest.
MAX_TOKENS = 10_485_760
MAX_SEQ_LEN = 2 * MAX_TOKENS

# Prefix caching (prefix.py): a shared prefix is part of the prompt, so it is at most the
# prompt's tokens (a longer one is refused against the prompt given); a hit rate is a
# share of the prompt.
MAX_SHARED_PREFIX_TOKENS = MAX_TOKENS
MAX_PREFIX_HIT_RATE = 1.0

# Speculative decoding (speculative.py): engines draft a handful of tokens per step
# (vLLM's examples 1-5); each verification scores k + 1 tokens per sequence, so k grows
# the work of a step. 16 is beyond any benefit (a^16 is negligible for a <= 0.9).
MAX_SPECULATIVE_TOKENS = 16

# Sequences in flight. Engines cap far lower (vLLM: 256 by default); more is a typo.
MAX_BATCH = 65_536

# Price per GPU-hour. Typed prices are at most MAX_HOURLY_USD (list prices are under
# 100). The estimator bills the effective price per GPU asked for: whole instances
# rented for fewer GPUs than they hold cost more per GPU asked for, at most the
# instance's GPUs (bounded by MAX_GPUS) times its list price.
MAX_HOURLY_USD = 1_000
MAX_EFFECTIVE_HOURLY_USD = MAX_HOURLY_USD * MAX_GPUS

# The serving simulator (/api/serve, "Under load"). Users beyond the largest batch wait
# in the queue, so MAX_CONCURRENCY > MAX_BATCH still simulates; a simulation of more
# than MAX_REQUESTS takes seconds (the percentiles settle well before).
MAX_SERVE_RATE = 1e6  # requests/s; a typo beyond (rate=inf means "all at once")
# requests/s: one request every 11.6 days. Rarer requests never meet (each is one request
# alone), and the simulated clock (a double) still resolves 4 microseconds at the end of
# the longest run, MAX_REQUESTS / MIN_SERVE_RATE = 2e10 s; at 1e-308 arrivals overflowed.
MIN_SERVE_RATE = 1e-6
MAX_CONCURRENCY = 100_000  # users
MAX_REQUESTS = 20_000

# The planner sizes replicas for a peak it bisects below on the simulator, so its peak
# stays under the simulator's: MAX_PLAN_RATE <= MAX_SERVE_RATE.
MAX_PLAN_RATE = 1e5  # peak requests/s
MAX_REQUESTS_PER_DAY = MAX_PLAN_RATE * SECONDS_PER_DAY
MAX_PEAK_FACTOR = 100.0
# The least peak is the simulator's least rate; the month may average down to a
# hundredth of it (MAX_PEAK_FACTOR), which keeps the cost per 1M tokens a finite number.
MIN_AVERAGE_RATE = MIN_SERVE_RATE / MAX_PEAK_FACTOR
# Latency targets: an hour; anything above is a typo.
MAX_TARGET_S = 3_600.0
# The share of a replica's capacity the planner may use at the peak (headroom): at most
# all of it; below a tenth, replicas are ten times what the traffic needs (a percent
# typed as a fraction, 0.08 for 80%?). Replicas grow as 1 / utilization, arithmetic
# only: no more simulation.
MIN_TARGET_UTILIZATION = 0.1
MAX_TARGET_UTILIZATION = 1.0

# Work per question, measured from its inputs before anything runs (budget.py says how
# the units are counted; bench/budget.py measures the CPU per unit on the 2-core
# machine). A simulation of at most MAX_REQUESTS default-length requests costs 420,000
# units, well within MAX_SIMULATION_WORK (about 2.2 s of CPU at the most per unit); the
# example plan (124 options of 2,300 tokens) costs 124 of MAX_PLANNING_WORK.
MAX_SIMULATION_WORK = 2_000_000
MAX_PLANNING_WORK = 250

# Traffic over a day (traffic.py): an hour's mean rate can be no higher than the peak
# the planner accepts, since the planner sizes replicas for the busiest hour. The rates
# typed as text: 24 numbers of a dozen characters, and room for spaces.
MAX_HOURLY_RATE = MAX_PLAN_RATE
MAX_HOURLY_RATES_CHARS = 1_000

# A request log (request_log.py). A line of a timestamp and two token counts is 20-45
# bytes; 250,000 of them (a month at 0.1 requests/s, three days at 1) read in about a
# second of CPU (bench/traffic.py). A log spanning more than a year is a timestamp out
# of place (or a log to cut). Token counts are at most the largest prompt or completion.
MAX_LOG_LINES = 250_000
MAX_LOG_BYTES = 16 * 2**20  # 16 MiB: 250,000 lines of up to 67 bytes
MAX_LOG_SPAN_DAYS = 366
MAX_LOG_TOKENS = MAX_TOKENS
