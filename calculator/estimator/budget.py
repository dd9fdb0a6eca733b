"""A work budget per request for the serving simulator and the capacity planner.

The forms accept each input up to its own limit, but some products of inputs are
expensive: 20,000 simulated requests of 10M-token prompts would take about 50 minutes
of CPU, a plan over every GPU, precision and replica size up to 64 GPUs 98 s. The work
a question costs is measured here from its inputs alone, before anything runs, and a
question over the budget is refused with the input to lower and its limit.

Units (pure arithmetic on the inputs; the CPU per unit is measured by
``bench/budget.py`` on the 2-core machine, and the limits are set from it):

- a simulated request costs ``request_work``: one for the request itself, its prompt's
  chunks (an iteration each), and, if the KV cache runs short, a recompute of its prompt
  and output so far for every KV block of its output (vLLM's recompute preemption). The
  last term is the pessimistic one that keeps thrashing runs (long prompts and outputs
  on a full cache: 209,000 preemptions for 200 requests of 100k + 20k tokens) within
  the budget.
- a plan costs ``planning_work``: its options (GPU x precision x GPUs per replica) times
  the prompt-and-output chunks of one request. Each option's rate search runs a bounded
  number of bounded simulations (planner.SEARCH_MAX_REQUESTS), so the options and the
  request length are what grow.

The "planner" engineer is writing sharper measures in serving/planner
(``simulation_work``, ``planning_work``); when they merge, these functions should
call them and the limits be retuned from ``bench/budget.py``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from .limits import MAX_PLANNING_WORK, MAX_SIMULATION_WORK
from .planner import DEFAULT_MAX_GPUS_PER_REPLICA, native_weights, replica_layouts
from .serving import BLOCK_TOKENS
from .specs import Dtype, EstimatorInputError, GpuSpec, ModelSpec, Parallelism

# Simulation work units a request may cost (MAX_SIMULATION_WORK, in limits.py): at the
# ~1.1 us of CPU per unit measured for the most expensive (thrashing) runs, 2,000,000
# units is about 2.2 s, under the 3 s aim. Today's defaults (1,000 requests of 2,000 +
# 300 tokens) cost 21,000 units; the most requests the API takes (20,000) of that length
# 420,000. bench/budget.py measures.
# Planning work units (options x chunks per request). The example plan (every priced GPU,
# its 16- and 8-bit precisions, 1 to 8 GPUs per replica: 124 options of 2,300 tokens)
# costs 124 and its 16k-token-prompt variant 248; the 931 options 931. Today's
# planner spends 3 to 50 ms of CPU per option (the most on small models, whose rate
# searches simulate the most requests), so the widest plan accepted can still take
# several seconds: retune this when the fast planner (issue 19) merges (bench/budget.py).


class WorkBudgetError(EstimatorInputError):
    """A question whose work is over the budget; ``field`` is the input to lower."""


def chunks(tokens: int, token_budget: int) -> int:
    """Iterations a prompt of ``tokens`` takes at ``token_budget`` tokens each."""
    return max(1, math.ceil(tokens / max(1, token_budget)))


def request_work(prompt: int, completion: int, token_budget: int) -> int:
    """Work units of one simulated request (see the module's docstring)."""
    recompute = chunks(prompt + completion, token_budget)
    return 1 + chunks(prompt, token_budget) + math.ceil(completion / BLOCK_TOKENS) * recompute


def simulation_work(requests: int, prompt: int, completion: int, token_budget: int) -> int:
    return requests * request_work(prompt, completion, token_budget)


def check_simulation(requests: int, prompt: int, completion: int, token_budget: int) -> None:
    """Refuse simulating ``requests`` requests (all runs together) over
    MAX_SIMULATION_WORK, naming the input to lower: the requests if fewer would do, else
    the lengths."""
    per_request = request_work(prompt, completion, token_budget)
    work = requests * per_request
    if work <= MAX_SIMULATION_WORK:
        return
    most = MAX_SIMULATION_WORK // per_request
    if most >= 1 and requests > 1:
        raise WorkBudgetError(
            "requests",
            f"Too much to simulate: {requests:,} requests of {prompt:,} + {completion:,} "
            f"tokens is {work:,} work units, over the limit of {MAX_SIMULATION_WORK:,}. "
            f"Simulate at most {most:,} requests of this length, or shorten them.",
        )
    field = "prompt" if prompt >= completion else "completion"
    raise WorkBudgetError(
        field,
        f"Too much to simulate: requests of {prompt:,} + {completion:,} tokens cost "
        f"{work:,} work units, over the limit of {MAX_SIMULATION_WORK:,}. "
        f"Lower the {field} tokens.",
    )


def plan_options(
    model: ModelSpec,
    gpus: Iterable[GpuSpec],
    weights: list[Dtype] | None,
    max_gpus_per_replica: int,
    parallelism: Parallelism = Parallelism.TENSOR,
) -> int:
    """How many options (GPU x precision x GPUs per replica and parallelism)
    planner.plan will weigh."""
    sizes = len(replica_layouts(model, max_gpus_per_replica, parallelism))
    return sum(len(weights or native_weights(gpu)) for gpu in gpus) * sizes


def planning_work(options: int, prompt: int, completion: int, token_budget: int) -> int:
    return options * chunks(prompt + completion, token_budget)


def check_planning(
    options: int,
    prompt: int,
    completion: int,
    token_budget: int,
    *,
    max_gpus_per_replica: int,
) -> None:
    """Refuse a plan over MAX_PLANNING_WORK, naming the input to lower."""
    work = planning_work(options, prompt, completion, token_budget)
    if work <= MAX_PLANNING_WORK:
        return
    per_option = chunks(prompt + completion, token_budget)
    most = MAX_PLANNING_WORK // per_option
    if most < 1:
        raise WorkBudgetError(
            "prompt",
            f"Too much to plan: requests of {prompt:,} + {completion:,} tokens cost "
            f"{per_option:,} work units per option, over the limit of "
            f"{MAX_PLANNING_WORK:,}. Lower the prompt tokens.",
        )
    field = (
        "max_gpus_per_replica" if max_gpus_per_replica > DEFAULT_MAX_GPUS_PER_REPLICA else "gpus"
    )
    lower = {
        "max_gpus_per_replica": f"allow fewer GPUs per replica (at most "
        f"{DEFAULT_MAX_GPUS_PER_REPLICA} keeps tensor parallel on one server)",
        "gpus": "name fewer GPUs (gpus) or precisions (weights)",
    }[field]
    raise WorkBudgetError(
        field,
        f"Too much to plan: {options:,} options (GPU x precision x GPUs per replica) of "
        f"{prompt:,} + {completion:,} tokens is {work:,} work units, over the limit of "
        f"{MAX_PLANNING_WORK:,} ({most:,} options of this length). To plan it, {lower}.",
    )
