"""When requests arrive: Poisson or bursty (gamma) gaps, at one rate or over a day.

``Arrivals`` is the spec the simulator takes: a process and the coefficient of variation
(CV: standard deviation over mean) of the gaps between requests. Poisson arrivals have
exponential gaps, CV 1. Gamma gaps with shape k = 1 / CV^2 and mean 1 / rate keep the
mean rate and spread the gaps by the CV: above 1, requests come in bursts with quiet
spells between; below 1, more evenly than Poisson. vLLM's benchmark draws its bursty
arrivals so (``benchmark_serving.py --burstiness``, gamma with shape = burstiness = 1 /
CV^2, vllm-project/vllm#10105), as BurstGPT models its traces' (Wang et al. 2024,
arXiv:2401.17644: Azure OpenAI GPT traces over 121 days fit gamma inter-arrival times,
far burstier than Poisson).

Why it matters: at the same mean rate, gamma arrivals with CV 3 raise p99 TTFT 4-5x and
mean TTFT 3-4x over Poisson on one H100 (inference-sim/inference-sim#818, at 22-93% of
the replica's capacity); production tiers measured there had CVs of 2.9 and 7.0
(inference-sim/inference-sim#1364). Chat traffic is typically CV 2-4 (issue 21).

Over a day the rate follows a ``DayProfile``: arrivals are drawn by time rescaling (a
process of unit mean rate in "operational time", mapped through the inverse of the
cumulative rate), which for Poisson is exactly the non-homogeneous Poisson process and
for gamma keeps the CV within each hour. The same seed gives the same arrivals; at rate
r the gaps are the unit-rate draws divided by r (common random numbers: two rates
differ by the rate, not by luck).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from enum import StrEnum

from .constants import SECONDS_PER_HOUR
from .specs import EstimatorInputError
from .traffic import HOURS_PER_DAY, DayProfile

DEFAULT_ARRIVAL_CV = 1.0  # Poisson: the simulator's arrivals until now, and vLLM's default
# Chat traffic's typical range (issue 21; inference-sim/inference-sim#818 tests 3).
TYPICAL_ARRIVAL_CV = (2.0, 4.0)
# Accepted range. Above 10 a handful of gaps hold nearly all the time (shape 0.01): a
# simulation of a few thousand requests no longer shows the mean rate; the burstiest
# production tier on record is 7.0 (inference-sim/inference-sim#1364). Below 0.1 the
# gaps are within 1% of even spacing.
MIN_ARRIVAL_CV = 0.1
MAX_ARRIVAL_CV = 10.0
# Arrivals one call may draw (a day at 11.6 requests/s): the simulator runs far fewer,
# and a day of more is a queue model's job, not a draw's.
MAX_ARRIVALS = 1_000_000


class Process(StrEnum):
    POISSON = "poisson"
    GAMMA = "gamma"


@dataclass(frozen=True)
class Arrivals:
    """How requests arrive: ``Arrivals()`` is Poisson; ``Arrivals("gamma", 3.0)`` bursty."""

    process: Process = Process.POISSON
    cv: float = DEFAULT_ARRIVAL_CV

    def __post_init__(self) -> None:
        try:
            process = Process(self.process)
        except ValueError:
            choices = ", ".join(p.value for p in Process)
            raise EstimatorInputError("arrivals", f"One of {choices}.") from None
        cv = self.cv
        if isinstance(cv, bool) or not isinstance(cv, int | float) or not math.isfinite(cv):
            raise EstimatorInputError("arrival_cv", "Must be a number.")
        if process is Process.POISSON and cv != 1:
            raise EstimatorInputError(
                "arrival_cv", "Poisson arrivals have a CV of 1: choose gamma for another."
            )
        if not MIN_ARRIVAL_CV <= cv <= MAX_ARRIVAL_CV:
            raise EstimatorInputError(
                "arrival_cv", f"Must be from {MIN_ARRIVAL_CV:g} to {MAX_ARRIVAL_CV:g}."
            )
        object.__setattr__(self, "process", process)
        object.__setattr__(self, "cv", float(cv))

    @classmethod
    def gamma(cls, cv: float) -> Arrivals:
        return cls(Process.GAMMA, cv)

    @property
    def shape(self) -> float:
        """The gamma shape k = 1 / CV^2 (1 for Poisson: the exponential)."""
        return 1 / self.cv**2

    def gap(self, rate: float, rng: random.Random) -> float:
        """One gap (seconds) before the next request at ``rate`` requests/s."""
        if self.process is Process.POISSON:
            return rng.expovariate(rate)  # the draw the simulator has always made
        k = self.shape
        return rng.gammavariate(k, 1 / (k * rate))

    def times(self, rate: float, count: int, seed: int = 0) -> list[float]:
        """The arrival times (seconds) of ``count`` requests at a constant rate."""
        _check_rate(rate)
        _check_count(count)
        rng = random.Random(seed)
        t, out = 0.0, []
        for _ in range(count):
            t += self.gap(rate, rng)
            out.append(t)
        return out

    def over_day(self, profile: DayProfile, seed: int = 0) -> list[float]:
        """The arrival times (seconds from midnight) of one day whose rate follows the
        profile, hour by hour (time rescaling: see the module docstring)."""
        expected = profile.requests_per_day
        if expected > MAX_ARRIVALS:
            raise EstimatorInputError(
                "hourly_rates",
                f"A day of {expected:,.0f} requests: at most {MAX_ARRIVALS:,} are drawn.",
            )
        # Cumulative rate (expected arrivals) at the start of each hour.
        cumulative = [0.0]
        for rate in profile.rates:
            cumulative.append(cumulative[-1] + rate * SECONDS_PER_HOUR)
        rng = random.Random(seed)
        times, u, hour = [], 0.0, 0
        while True:
            u += self.gap(1.0, rng)
            while hour < HOURS_PER_DAY and (u > cumulative[hour + 1] or not profile.rates[hour]):
                hour += 1
            if hour == HOURS_PER_DAY:
                return times
            rate = profile.rates[hour]
            times.append(hour * SECONDS_PER_HOUR + (u - cumulative[hour]) / rate)

    def as_dict(self) -> dict:
        return {"arrivals": self.process.value, "arrival_cv": self.cv}


def _check_rate(rate: float) -> None:
    if isinstance(rate, bool) or not isinstance(rate, int | float):
        raise EstimatorInputError("rate", "Must be a number.")
    if not (math.isfinite(rate) and rate > 0):
        raise EstimatorInputError("rate", "Must be above 0 and finite.")


def _check_count(count: int) -> None:
    if isinstance(count, bool) or not isinstance(count, int):
        raise EstimatorInputError("requests", "Must be a whole number.")
    if not 0 <= count <= MAX_ARRIVALS:
        raise EstimatorInputError("requests", f"Must be from 0 to {MAX_ARRIVALS:,}.")
