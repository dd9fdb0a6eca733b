"""A planned option over a day: the planner's best replica autoscaled through a traffic
profile (issue 21).

The planner (``planner.py``) sizes replicas for the peak; ``autoscale.py`` takes what one
replica serves and simulates the day. This module joins them for one option: the
replica's capacity within the targets (the planner's, found by simulation under the
chosen arrivals), what it completes flat out (``serving.replica_saturation_rate``, and
never less than the capacity found), its weights for the scale-up delay (instance start
plus the weights over a stated read rate, ``autoscale.ScaleUpDelay``), and the price of a
replica-hour (the option's GPUs at the price the plan used).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

from . import autoscale
from .arrivals import Arrivals
from .capacity import replica_load
from .memory import weight_bytes
from .planner import Option, Targets
from .results import TraceStep
from .serving import LengthPairs, replica_saturation_rate
from .specs import ApiOffering, EngineSpec, GpuSpec, ModelSpec, Workload
from .traffic import DayProfile, WeekProfile

# A reserved or committed price when none is given: 40% off on-demand. Assumption: the
# middle of the 1-year commitments clouds list for GPU instances (AWS EC2 Instance
# Savings Plans and GCP's 1-year committed-use discounts run about 30-50% off
# on-demand for GPU families). ``reserved_discount`` overrides it.
DEFAULT_RESERVED_DISCOUNT = 0.4


@dataclass(frozen=True)
class DayInputs:
    """The autoscaling policy as typed (None: the default)."""

    min_replicas: int | None = None
    max_replicas: int | None = None
    scale_up_delay_s: float | None = None
    target_utilization: float | None = None
    reserved_discount: float | None = None
    n_plus_one: bool = False  # the planner's spare replica, kept by the autoscaler too


@dataclass(frozen=True)
class OptionDay:
    option: Option
    delay: autoscale.ScaleUpDelay
    autoscaling: autoscale.Autoscaling
    reserved_discount: float

    def trace(self) -> list[TraceStep]:
        replica = self.autoscaling.replica
        bill = self.autoscaling.bill
        spare = self.autoscaling.policy.spare_replicas
        return [
            *self.delay.trace(),
            TraceStep(
                "autoscaling",
                "Replica-hour",
                "GPUs per replica x price per GPU-hour",
                f"{self.option.gpus_per_replica} x ${self.option.usd_per_gpu_hour:,.4f}",
                bill.usd_per_replica_hour,
                "USD/h",
            ),
            TraceStep(
                "autoscaling",
                "Replicas for the peak",
                "ceil(peak / (target utilization x capacity within the targets))"
                + (" + 1 spare (N+1)" if spare else ""),
                f"ceil({self.autoscaling.profile.peak_rate:,.4g} / "
                f"({self.autoscaling.policy.target_utilization:g} x "
                f"{replica.within_targets:,.4g}))" + (" + 1" if spare else ""),
                bill.fixed_replicas,
                "replicas",
            ),
        ]

    def as_dict(self) -> dict:
        data = self.autoscaling.as_dict()
        bill = self.autoscaling.bill
        data["bill"]["autoscaling_saves_fraction"] = bill.autoscaling_saves_fraction
        data["bill"]["reserved_discount"] = self.reserved_discount
        data["replica"] = {
            "option": self.option.label,
            "capacity_within_targets": self.autoscaling.replica.within_targets,
            "saturation": self.autoscaling.replica.saturation,
            "weights_bytes": self.delay.weights_bytes,
            "scale_up_delay_s": self.delay.seconds,
        }
        data["profile"] = self.autoscaling.profile.as_dict()
        data["trace"] = [asdict(step) for step in self.trace()]
        return data


def option_day(
    model: ModelSpec,
    gpu: GpuSpec,
    engine: EngineSpec,
    option: Option,
    targets: Targets,
    arrivals: Arrivals,
    profile: WeekProfile | DayProfile,
    inputs: DayInputs,
    *,
    prompt_tokens: int,
    completion_tokens: int,
    apis: tuple[ApiOffering, ...] = (),
    owned: bool = False,
    length_pairs: LengthPairs = (),
) -> OptionDay:
    """The option (one that meets the targets, with a price) autoscaled over the
    profile, and its month each way. ``owned``: the price is owned hardware's, paid
    busy or idle, so the autoscaled month costs the fixed fleet's and nothing is
    reserved (``owned.py``). ``length_pairs``: lengths drawn from a log, as planned."""
    workload = Workload(
        num_gpus=option.gpus_per_replica,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        weights_dtype=option.weights,
        parallelism=option.parallelism,
    )
    # Remembered: the planner's own load.
    load = replica_load(model, gpu, engine, workload, targets, arrivals, length_pairs)
    capacity = option.max_rate_per_replica
    saturation = max(replica_saturation_rate(load.replica, workload), capacity)
    replica = autoscale.ReplicaCapacity(capacity, saturation, targets.percentile)
    weights = sum(weight_bytes(load.replica.ctx.params, option.weights, model))
    delay = autoscale.ScaleUpDelay(weights, typed_s=inputs.scale_up_delay_s)
    policy = autoscale.Policy(
        scale_up_delay_s=delay.seconds,
        min_replicas=1 if inputs.min_replicas is None else inputs.min_replicas,
        max_replicas=(
            autoscale.MAX_REPLICAS if inputs.max_replicas is None else inputs.max_replicas
        ),
        target_utilization=(
            autoscale.DEFAULT_TARGET_UTILIZATION
            if inputs.target_utilization is None
            else inputs.target_utilization
        ),
        spare_replicas=1 if inputs.n_plus_one else 0,
    )
    per_replica_hour = option.usd_per_gpu_hour * option.gpus_per_replica
    discount = (
        DEFAULT_RESERVED_DISCOUNT if inputs.reserved_discount is None else inputs.reserved_discount
    )
    result = autoscale.autoscale(
        profile,
        replica,
        policy,
        usd_per_replica_hour=per_replica_hour,
        reserved_usd_per_replica_hour=autoscale.reserved_price(per_replica_hour, discount),
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        apis=apis,
    )
    if owned:
        bill = replace(
            result.bill,
            autoscaled_usd_per_month=result.bill.fixed_usd_per_month,
            reserved_usd_per_replica_hour=None,
            reserved_replicas=None,
            reserved_plus_burst_usd_per_month=None,
        )
        note = "Owned hardware costs the same busy or idle: the autoscaled month is the fixed one."
        result = replace(result, bill=bill, warnings=(*result.warnings, note))
    return OptionDay(option, delay, result, discount)
