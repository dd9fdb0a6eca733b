"""Autoscaling over a day: replicas minute by minute, the share of requests that meet the
targets, and what a month costs fixed, autoscaled, reserved plus burst, or on an API.

A pure function over capacities: it takes what one replica serves (``ReplicaCapacity``:
the requests/s within the latency targets, as the planner finds by simulation, and flat
out) and never runs the simulator itself. The day is simulated in one-minute steps:

- demand: each hour's mean rate at the middle of the hour, linearly in between (across
  midnight too: a day repeats), so a day holds the profile's requests and its busiest
  hour peaks at the profile's peak; a step between two hours becomes a one-hour ramp;
- the autoscaler (as a Kubernetes HPA on a utilization target, and Hugging Face
  Inference Endpoints' 80% rule): each minute it wants ceil(rate / (target utilization
  x capacity)) replicas, within [min, max]; it adds them at once, and they serve after
  the scale-up delay (instance start + model load), billed from the moment they are
  asked for; it removes replicas only down to the most it wanted over the scale-down
  delay (the HPA's stabilization window), those still starting first;
- the queue (a fluid model): requests beyond what the ready replicas complete flat out
  wait in a backlog, served first come first served; a request that finds a backlog
  misses the targets, one that finds none meets them with the steady-state share
  ``attainment(rate per replica)``;
- the day is run twice and the second reported, so the night's fleet and queue carry
  into the morning.

``attainment`` is a callable. The default, ``queueing_attainment``, is an M/M/1-shaped
approximation pinned at the planner's own simulation: the share missing the targets
falls off as exp(-(saturation - load) x slack), which gives the target percentile's
share exactly at the capacity within the targets and none at saturation. The simulator
could answer instead (a callback running it at each load, memoised): the approximation
is used because a day asks for up to 2,880 loads, the simulator takes tens of
milliseconds a run, and the one point it pins is the one the planner simulated.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from .constants import (
    BYTES_PER_GB,
    DEFAULT_TARGET_UTILIZATION,
    HOURS_PER_MONTH,
    SECONDS_PER_DAY,
    SECONDS_PER_HOUR,
)
from .cost import api_bills
from .limits import MAX_TARGET_UTILIZATION, MIN_TARGET_UTILIZATION
from .results import ApiMonthly, TraceStep
from .specs import ApiOffering, EstimatorInputError
from .traffic import (
    DAYS_PER_WEEK,
    HOURS_PER_DAY,
    WEEKDAYS_PER_WEEK,
    WEEKEND_DAYS_PER_WEEK,
    DayProfile,
    WeekProfile,
)

STEP_S = 60  # the autoscaler looks and acts once a minute
STEPS_PER_DAY = SECONDS_PER_DAY // STEP_S
STEPS_PER_HOUR = int(SECONDS_PER_HOUR) // STEP_S
WARM_UP_DAYS = 1
DAYS_PER_MONTH = HOURS_PER_MONTH / HOURS_PER_DAY

# The share of a replica's capacity within the targets the autoscaler loads it to: the
# planner's headroom (constants.DEFAULT_TARGET_UTILIZATION, 80%), so a flat day costs
# what the plan does. Hugging Face Inference Endpoints also add a replica when the
# replicas' average GPU utilization reaches 80% (huggingface/hf-endpoints-documentation#33).
# Replicas are removed only down to the most wanted over the last five minutes: the
# Kubernetes HPA's default scale-down stabilization window (300 s), and Hugging Face
# Inference Endpoints' 300 s after a scale-down (hf-endpoints-documentation#103).
DEFAULT_SCALE_DOWN_DELAY_S = 300.0
# A new replica's instance: a VM "generally takes 1 to 5 minutes" to create (Hugging
# Face Inference Endpoints FAQ, hf-endpoints-documentation#33); the middle of that.
# Slow cases take 10-12 minutes with a large container image (awslabs/data-on-eks#574).
INSTANCE_START_S = 180.0
# Reading the weights: vLLM's default safetensors loader read Llama 3 8B (16.1 GB of
# bf16 weights) from an AWS gp3 SSD in 47.99 s, 0.335 GB/s (NVIDIA technical blog,
# "Reducing Cold Start Latency for LLM Inference with NVIDIA Run:ai Model Streamer",
# 2025; the streamer reached 14.34 s). A stated rate, not a measurement of yours:
# ``scale_up_delay_s`` overrides the estimate.
WEIGHTS_READ_BYTES_PER_S = 16.06e9 / 47.99

# Limits. Replicas: a thousand 8-GPU servers, more than one deployment planned here (and
# it bounds the reserved-baseline search). Delays: six hours to start is a typo; a
# scale-down window longer than a day never scales down.
MAX_REPLICAS = 10_000
MAX_SCALE_UP_DELAY_S = 6 * SECONDS_PER_HOUR
MAX_SCALE_DOWN_DELAY_S = SECONDS_PER_DAY
MAX_WEIGHTS_BYTES = 1e13  # 10 TB: the largest open models are under 2 TB in 16-bit
MAX_RESERVED_DISCOUNT = 0.99

# Latency percentiles as the planner names them, and the share of requests each covers.
PERCENTILE_SHARES = {"p50": 0.50, "p90": 0.90, "p95": 0.95, "p99": 0.99}

# An hour's attainment below the percentile's share by more than rounding misses the SLO.
SHARE_TOLERANCE = 1e-9
# Share of requests meeting the targets at a load per replica (requests/s).
Attainment = Callable[[float], float]


def replicas_for(rate: float, capacity: float, utilization: float) -> int:
    """Replicas that keep each at ``utilization`` of ``capacity`` (requests/s) or less:
    the one sizing rule, for the fixed fleet and the autoscaler alike (at utilization 1,
    the planner's peak / capacity, rounded up)."""
    if rate <= 0:
        return 0
    # A hair below: 1.6 / (1 x 0.8) is 2.0000000000000004 in floating point.
    return math.ceil(rate / (capacity * utilization) * (1 - 1e-12))


# Inputs


@dataclass(frozen=True)
class ReplicaCapacity:
    """What one replica serves."""

    within_targets: float  # requests/s within the latency targets (the planner's capacity)
    saturation: float  # requests/s completed flat out (at least within_targets)
    percentile: str = "p95"  # the targets' percentile

    def __post_init__(self) -> None:
        for field, value in (("capacity", self.within_targets), ("saturation", self.saturation)):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise EstimatorInputError(field, "Must be a number.")
            if not (math.isfinite(value) and value > 0):
                raise EstimatorInputError(field, "Must be above 0 and finite.")
        if self.saturation < self.within_targets:
            raise EstimatorInputError(
                "saturation", "A replica completes at least what it serves within the targets."
            )
        if self.percentile not in PERCENTILE_SHARES:
            raise EstimatorInputError("percentile", f"One of {', '.join(PERCENTILE_SHARES)}.")

    @property
    def share(self) -> float:
        """The share of requests the targets hold for (0.95 for p95)."""
        return PERCENTILE_SHARES[self.percentile]


@dataclass(frozen=True)
class Policy:
    """How the fleet scales. The scale-up delay has no default: it is the model's
    (``ScaleUpDelay(weights).seconds``) or the user's."""

    scale_up_delay_s: float
    min_replicas: int = 1
    max_replicas: int = MAX_REPLICAS
    target_utilization: float = DEFAULT_TARGET_UTILIZATION
    scale_down_delay_s: float = DEFAULT_SCALE_DOWN_DELAY_S
    # N+1 (the planner's ``Headroom.n_plus_one``): one replica on top of what each hour
    # with traffic needs, so the targets hold with one down; never past max_replicas.
    spare_replicas: int = 0

    def __post_init__(self) -> None:
        if self.spare_replicas not in (0, 1) or isinstance(self.spare_replicas, bool):
            raise EstimatorInputError("n_plus_one", "One spare replica or none.")
        for field, value, low in (
            ("min_replicas", self.min_replicas, 0),
            ("max_replicas", self.max_replicas, 1),
        ):
            if isinstance(value, bool) or not isinstance(value, int):
                raise EstimatorInputError(field, "Must be a whole number.")
            if not low <= value <= MAX_REPLICAS:
                raise EstimatorInputError(field, f"Must be from {low} to {MAX_REPLICAS:,}.")
        if self.min_replicas > self.max_replicas:
            raise EstimatorInputError("min_replicas", "Must be at most the maximum.")
        _check_number(
            "target_utilization",
            self.target_utilization,
            MIN_TARGET_UTILIZATION,
            MAX_TARGET_UTILIZATION,
        )
        _check_number("scale_up_delay_s", self.scale_up_delay_s, 0.0, MAX_SCALE_UP_DELAY_S)
        _check_number("scale_down_delay_s", self.scale_down_delay_s, 0.0, MAX_SCALE_DOWN_DELAY_S)

    def as_dict(self) -> dict:
        return {
            "min_replicas": self.min_replicas,
            "max_replicas": self.max_replicas,
            "target_utilization": self.target_utilization,
            "scale_up_delay_s": self.scale_up_delay_s,
            "scale_down_delay_s": self.scale_down_delay_s,
            "spare_replicas": self.spare_replicas,
        }

    def wanted(self, rate: float, capacity: float) -> int:
        """Replicas for ``rate`` (requests/s): the sizing rule, the spare on top when
        any replica is needed, within the fewest and the most allowed."""
        needed = replicas_for(rate, capacity, self.target_utilization)
        if needed:
            needed += self.spare_replicas
        return min(max(needed, self.min_replicas), self.max_replicas)


def _check_number(field: str, value, low: float, high: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise EstimatorInputError(field, "Must be a number.")
    if not low <= value <= high:
        if math.isinf(high):
            raise EstimatorInputError(field, f"Must be {_shown(low)} or more.")
        raise EstimatorInputError(field, f"Must be from {_shown(low)} to {_shown(high)}.")


# The scale-up delay


@dataclass(frozen=True)
class ScaleUpDelay:
    """How long a new replica takes to serve: its instance's start and its model load
    (the weights over a stated read rate), unless typed."""

    weights_bytes: float  # one replica's weights, all its GPUs
    instance_start_s: float = INSTANCE_START_S
    read_bytes_per_s: float = WEIGHTS_READ_BYTES_PER_S
    typed_s: float | None = None

    def __post_init__(self) -> None:
        _check_number("weights_bytes", self.weights_bytes, 0.0, MAX_WEIGHTS_BYTES)
        if self.typed_s is not None:
            _check_number("scale_up_delay_s", self.typed_s, 0.0, MAX_SCALE_UP_DELAY_S)

    @property
    def load_s(self) -> float:
        return self.weights_bytes / self.read_bytes_per_s

    @property
    def seconds(self) -> float:
        if self.typed_s is not None:
            return self.typed_s
        return min(self.instance_start_s + self.load_s, MAX_SCALE_UP_DELAY_S)

    def trace(self) -> list[TraceStep]:
        if self.typed_s is not None:
            shown = f"{self.typed_s:,g} s"
            return [TraceStep("autoscaling", "Scale-up delay", "typed", shown, self.typed_s, "s")]
        gb = BYTES_PER_GB
        return [
            TraceStep(
                "autoscaling",
                "Model load",
                "weights / read rate",
                f"{self.weights_bytes / gb:,.1f} GB / {self.read_bytes_per_s / gb:,.3f} GB/s",
                self.load_s,
                "s",
            ),
            TraceStep(
                "autoscaling",
                "Scale-up delay",
                "instance start + model load",
                f"{self.instance_start_s:,.0f} s + {self.load_s:,.0f} s",
                self.seconds,
                "s",
            ),
        ]


# Attainment


def queueing_attainment(replica: ReplicaCapacity) -> Attainment:
    """The share of requests meeting the targets at a steady load per replica: M/M/1's
    sojourn tail, P(late) = exp(-(saturation - load) x slack), with the slack set so the
    share is the percentile's exactly at the capacity within the targets. None meet at
    saturation or beyond (the queue grows without end)."""
    capacity, saturation, share = replica.within_targets, replica.saturation, replica.share
    late_at_capacity = 1 - share

    def attainment(load: float) -> float:
        if load >= saturation:
            return 0.0
        if saturation <= capacity:
            return share
        return 1 - late_at_capacity ** ((saturation - load) / (saturation - capacity))

    return attainment


# A day


@dataclass(frozen=True)
class HourPlan:
    hour: int
    rate: float  # the profile's mean requests/s for this hour
    requests: float  # arriving in the simulated hour (the ramp between hours moves some)
    replicas: float  # mean replicas billed (serving or starting)
    replicas_max: int
    ready_min: int  # fewest replicas serving at any minute of the hour
    slo_attainment: float | None  # share of the hour's requests meeting the targets
    queued_max: float  # most requests waiting beyond what the replicas complete

    def as_dict(self) -> dict:
        return {
            "hour": self.hour,
            "rate": self.rate,
            "requests": self.requests,
            "replicas": self.replicas,
            "replicas_max": self.replicas_max,
            "ready_min": self.ready_min,
            "slo_attainment": self.slo_attainment,
            "queued_max": self.queued_max,
        }


@dataclass(frozen=True)
class DayPlan:
    hours: tuple[HourPlan, ...]
    replica_hours: float
    requests: float
    slo_attainment: float | None  # over the day's requests
    billed: tuple[int, ...]  # replicas billed each minute

    def as_dict(self) -> dict:
        return {
            "hours": [h.as_dict() for h in self.hours],
            "replica_hours": self.replica_hours,
            "requests": self.requests,
            "slo_attainment": self.slo_attainment,
        }


def demand(profile: DayProfile) -> list[float]:
    """Requests/s in each minute of the day: hourly means at the middle of each hour,
    linear in between, around midnight too."""
    rates = profile.rates
    out = []
    for step in range(STEPS_PER_DAY):
        hours = (step + 0.5) * STEP_S / SECONDS_PER_HOUR - 0.5
        low = math.floor(hours)
        frac = hours - low
        before, after = rates[low % HOURS_PER_DAY], rates[(low + 1) % HOURS_PER_DAY]
        out.append(before * (1 - frac) + after * frac)
    return out


def simulate_day(
    profile: DayProfile,
    replica: ReplicaCapacity,
    policy: Policy,
    attainment: Attainment | None = None,
) -> DayPlan:
    """The fleet and the queue minute by minute over a day (see the module docstring)."""
    attainment = attainment or queueing_attainment(replica)
    rates = demand(profile)
    capacity, saturation = replica.within_targets, replica.saturation
    up_steps = math.ceil(policy.scale_up_delay_s / STEP_S)
    window: deque[int] = deque(maxlen=math.ceil(policy.scale_down_delay_s / STEP_S) + 1)

    def wanted(rate: float) -> int:
        return policy.wanted(rate, capacity)

    ready = wanted(rates[0])
    pending: deque[list[int]] = deque()  # [step it serves from, replicas], oldest first
    backlog = 0.0
    billed_steps: list[int] = []
    met_steps: list[float] = []
    ready_steps: list[int] = []
    queued_steps: list[float] = []
    for day in range(WARM_UP_DAYS + 1):
        for k, rate in enumerate(rates):
            step = day * STEPS_PER_DAY + k
            while pending and pending[0][0] <= step:
                ready += pending.popleft()[1]
            starting = sum(n for _, n in pending)
            want = wanted(rate)
            window.append(want)
            if want > ready + starting:
                if up_steps == 0:
                    ready += want - ready - starting
                else:
                    pending.append([step + up_steps, want - ready - starting])
            else:
                extra = ready + starting - max(window)
                while extra > 0 and pending:
                    cancelled = min(extra, pending[-1][1])
                    pending[-1][1] -= cancelled
                    extra -= cancelled
                    if not pending[-1][1]:
                        pending.pop()
                ready -= max(extra, 0)
            starting = sum(n for _, n in pending)
            met, backlog = _serve(rate, ready, backlog, saturation, attainment)
            if day == WARM_UP_DAYS:
                billed_steps.append(ready + starting)
                met_steps.append(met)
                ready_steps.append(ready)
                queued_steps.append(backlog)
    return _day_plan(profile, rates, billed_steps, met_steps, ready_steps, queued_steps)


def _serve(
    rate: float, ready: int, backlog: float, saturation: float, attainment: Attainment
) -> tuple[float, float]:
    """One minute of the fluid queue: the requests that meet the targets, and the
    backlog after it."""
    if ready == 0:
        return 0.0, backlog + rate * STEP_S
    throughput = ready * saturation
    if rate >= throughput:
        return 0.0, backlog + (rate - throughput) * STEP_S
    share = min(max(attainment(rate / ready), 0.0), 1.0)
    if backlog <= 0:
        return rate * STEP_S * share, 0.0
    drained_after = backlog / (throughput - rate)
    if drained_after >= STEP_S:
        return 0.0, backlog - (throughput - rate) * STEP_S
    return rate * (STEP_S - drained_after) * share, 0.0


def _day_plan(profile, rates, billed, met, ready, queued) -> DayPlan:
    hours = []
    for hour in range(HOURS_PER_DAY):
        span = slice(hour * STEPS_PER_HOUR, (hour + 1) * STEPS_PER_HOUR)
        arriving = math.fsum(rates[span]) * STEP_S
        hours.append(
            HourPlan(
                hour=hour,
                rate=profile.rates[hour],
                requests=arriving,
                replicas=math.fsum(billed[span]) / STEPS_PER_HOUR,
                replicas_max=max(billed[span]),
                ready_min=min(ready[span]),
                slo_attainment=_share(math.fsum(met[span]), arriving),
                queued_max=max(queued[span]),
            )
        )
    requests = math.fsum(rates) * STEP_S
    return DayPlan(
        hours=tuple(hours),
        replica_hours=math.fsum(billed) * STEP_S / SECONDS_PER_HOUR,
        requests=requests,
        slo_attainment=_share(math.fsum(met), requests),
        billed=tuple(billed),
    )


def _share(met: float, arriving: float) -> float | None:
    """The share of requests that met the targets (None: none arrived), rounding kept
    from taking it past 1."""
    return min(met / arriving, 1.0) if arriving > 0 else None


# The month


@dataclass(frozen=True)
class Bill:
    usd_per_replica_hour: float
    fixed_replicas: int  # sized for the peak at the target utilization
    fixed_usd_per_month: float
    autoscaled_usd_per_month: float
    replica_hours_per_day: float  # averaged over the week's days
    reserved_usd_per_replica_hour: float | None
    reserved_replicas: int | None  # the baseline that makes reserved plus burst cheapest
    reserved_plus_burst_usd_per_month: float | None
    requests_per_month: float
    api_comparison: tuple[ApiMonthly, ...]  # cheapest first

    @property
    def autoscaling_saves_usd_per_month(self) -> float:
        return self.fixed_usd_per_month - self.autoscaled_usd_per_month

    @property
    def autoscaling_saves_fraction(self) -> float:
        fixed = self.fixed_usd_per_month
        return self.autoscaling_saves_usd_per_month / fixed if fixed else 0.0

    def as_dict(self) -> dict:
        return {
            "usd_per_replica_hour": self.usd_per_replica_hour,
            "fixed_replicas": self.fixed_replicas,
            "fixed_usd_per_month": self.fixed_usd_per_month,
            "autoscaled_usd_per_month": self.autoscaled_usd_per_month,
            "autoscaling_saves_usd_per_month": self.autoscaling_saves_usd_per_month,
            "replica_hours_per_day": self.replica_hours_per_day,
            "reserved_usd_per_replica_hour": self.reserved_usd_per_replica_hour,
            "reserved_replicas": self.reserved_replicas,
            "reserved_plus_burst_usd_per_month": self.reserved_plus_burst_usd_per_month,
            "requests_per_month": self.requests_per_month,
            "api_comparison": [a.as_dict() for a in self.api_comparison],
        }


@dataclass(frozen=True)
class Autoscaling:
    profile: WeekProfile
    replica: ReplicaCapacity
    policy: Policy
    weekday: DayPlan
    weekend: DayPlan  # the weekday's plan when the profile's days are alike
    bill: Bill
    warnings: tuple[str, ...]

    def as_dict(self) -> dict:
        return {
            "schedule": [h.as_dict() for h in self.weekday.hours],
            "schedule_weekend": (
                [h.as_dict() for h in self.weekend.hours] if self.profile.has_weekend else None
            ),
            "slo_attainment": {
                "weekday": self.weekday.slo_attainment,
                "weekend": self.weekend.slo_attainment,
            },
            "bill": self.bill.as_dict(),
            "policy": self.policy.as_dict(),
            "warnings": list(self.warnings),
        }


def reserved_price(on_demand_usd: float, discount: float) -> float:
    """A reserved or committed price as a discount off on-demand (0.4: 40% off)."""
    _check_number("reserved_discount", discount, 0.0, MAX_RESERVED_DISCOUNT)
    return on_demand_usd * (1 - discount)


def autoscale(
    profile: WeekProfile | DayProfile,
    replica: ReplicaCapacity,
    policy: Policy,
    *,
    usd_per_replica_hour: float,
    reserved_usd_per_replica_hour: float | None = None,
    attainment: Attainment | None = None,
    prompt_tokens: int = 0,
    completion_tokens: int = 0,
    apis: tuple[ApiOffering, ...] = (),
) -> Autoscaling:
    """The day simulated for each kind of day, and the month's bill each way."""
    if isinstance(profile, DayProfile):
        profile = WeekProfile.every_day(profile)
    _check_number("usd_per_replica_hour", usd_per_replica_hour, 0.0, math.inf)
    if reserved_usd_per_replica_hour is not None:
        _check_number("reserved_usd_per_hour", reserved_usd_per_replica_hour, 0.0, math.inf)
    weekday = simulate_day(profile.weekday, replica, policy, attainment)
    weekend = (
        simulate_day(profile.weekend, replica, policy, attainment)
        if profile.has_weekend
        else weekday
    )
    month_days = [
        (weekday, WEEKDAYS_PER_WEEK / DAYS_PER_WEEK * DAYS_PER_MONTH),
        (weekend, WEEKEND_DAYS_PER_WEEK / DAYS_PER_WEEK * DAYS_PER_MONTH),
    ]
    # The planner's fleet for the peak (with its N+1 spare), which max_replicas, a
    # bound on the autoscaler, leaves alone.
    fixed = max(
        replicas_for(profile.peak_rate, replica.within_targets, policy.target_utilization)
        + policy.spare_replicas,
        policy.min_replicas,
        1,
    )
    replica_hours_month = math.fsum(plan.replica_hours * d for plan, d in month_days)
    reserved = None
    if reserved_usd_per_replica_hour is not None:
        reserved = _cheapest_baseline(
            month_days, usd_per_replica_hour, reserved_usd_per_replica_hour
        )
    requests_per_month = math.fsum(plan.requests * d for plan, d in month_days)
    bill = Bill(
        usd_per_replica_hour=usd_per_replica_hour,
        fixed_replicas=fixed,
        fixed_usd_per_month=fixed * usd_per_replica_hour * HOURS_PER_MONTH,
        autoscaled_usd_per_month=replica_hours_month * usd_per_replica_hour,
        replica_hours_per_day=replica_hours_month / DAYS_PER_MONTH,
        reserved_usd_per_replica_hour=reserved_usd_per_replica_hour,
        reserved_replicas=None if reserved is None else reserved[0],
        reserved_plus_burst_usd_per_month=None if reserved is None else reserved[1],
        requests_per_month=requests_per_month,
        api_comparison=api_bills(apis, requests_per_month, prompt_tokens, completion_tokens),
    )
    return Autoscaling(
        profile=profile,
        replica=replica,
        policy=policy,
        weekday=weekday,
        weekend=weekend,
        bill=bill,
        warnings=tuple(_warnings(profile, replica, policy, weekday, weekend)),
    )


def _cheapest_baseline(
    month_days: list[tuple[DayPlan, float]], on_demand: float, reserved: float
) -> tuple[int, float]:
    """The reserved baseline (replicas paid all month) that makes the month cheapest,
    the autoscaled replicas above it paid on demand; and that month's cost."""
    hours_at: dict[int, float] = {}  # replicas billed -> hours a month at that count
    for plan, days in month_days:
        for n in plan.billed:
            hours_at[n] = hours_at.get(n, 0.0) + days * STEP_S / SECONDS_PER_HOUR
    top = max(hours_at)
    best_level, best_cost = top, math.inf
    above_hours = 0.0  # replica-hours above the level
    mass_above = 0.0  # hours at which more replicas than the level are billed
    for level in range(top, -1, -1):
        cost = level * reserved * HOURS_PER_MONTH + above_hours * on_demand
        if cost <= best_cost:
            best_level, best_cost = level, cost
        mass_above += hours_at.get(level, 0.0)
        above_hours += mass_above
    return best_level, best_cost


def _warnings(profile, replica, policy, weekday, weekend) -> list[str]:
    out = []
    needed = replicas_for(profile.peak_rate, replica.within_targets, policy.target_utilization)
    if needed > policy.max_replicas:
        out.append(
            f"The peak needs {needed:,} replicas at {policy.target_utilization:.0%} "
            f"utilization; at most {policy.max_replicas:,} are allowed, so requests queue."
        )
    elif policy.spare_replicas and needed + policy.spare_replicas > policy.max_replicas:
        out.append(
            f"The peak needs {needed:,} replicas and a spare (N+1); at most "
            f"{policy.max_replicas:,} are allowed, so at the peak there is no spare."
        )
    if policy.min_replicas == 0 and policy.scale_up_delay_s > 0:
        out.append(
            "Scaled to zero, the first requests after a quiet spell wait for a replica to "
            f"start ({policy.scale_up_delay_s:,.0f} s)."
        )
    worst = min(
        (h for plan in (weekday, weekend) for h in plan.hours if h.slo_attainment is not None),
        key=lambda h: h.slo_attainment,
        default=None,
    )
    if worst is not None and worst.slo_attainment < replica.share - SHARE_TOLERANCE:
        out.append(
            f"At hour {worst.hour} only {worst.slo_attainment:.0%} of requests meet the "
            f"targets ({replica.percentile} asks {replica.share:.0%}): replicas start too "
            "late for the ramp, or too few are allowed."
        )
    return out


def _shown(limit: float) -> str:
    """A limit as the message shows it: 10,000,000 and 0.99, not 1e+07."""
    return f"{limit:,.0f}" if float(limit).is_integer() else f"{limit:,g}"
