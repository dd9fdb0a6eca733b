"""Traffic over a day: 24 hourly mean rates, weekday and weekend, and the presets.

A ``DayProfile`` is the mean request rate (requests/s) of each hour of a day, 0 to 23,
in whatever clock the user plans in. A ``WeekProfile`` is a weekday's profile and a
weekend day's (the same one when every day is alike): five of the first and two of the
second make a week, and a month is 730 / 24 days in that proportion.

The presets are shapes (each hour's share of the busiest weekday hour, in percent) scaled
to a weekday's volume or to its peak; where each shape comes from is in ``SHAPES``. A
request log gives a profile of its own (``request_log.py``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from enum import StrEnum

from .constants import SECONDS_PER_HOUR
from .limits import MAX_HOURLY_RATE, MAX_HOURLY_RATES_CHARS
from .specs import EstimatorInputError

HOURS_PER_DAY = 24
WEEKDAYS_PER_WEEK = 5
WEEKEND_DAYS_PER_WEEK = 2
DAYS_PER_WEEK = WEEKDAYS_PER_WEEK + WEEKEND_DAYS_PER_WEEK

# An hour's mean rate can be no higher than the peak the planner accepts (MAX_HOURLY_RATE =
# MAX_PLAN_RATE, in limits.py with MAX_HOURLY_RATES_CHARS): the planner sizes replicas
# for the busiest hour. tests/test_traffic.py checks the two stay equal.
# The hourly rates typed as text: 24 numbers of a dozen characters, and room for spaces.

FIELD = "hourly_rates"


@dataclass(frozen=True)
class DayProfile:
    """The mean request rate of each hour of one day, requests/s (hour 0 first). A day
    without any traffic is refused unless ``allow_idle`` (a quiet weekend)."""

    rates: tuple[float, ...]
    allow_idle: bool = field(default=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        rates = self.rates
        if isinstance(rates, str | bytes) or not hasattr(rates, "__len__"):
            raise EstimatorInputError(FIELD, "Give 24 hourly rates, one for each hour.")
        if len(rates) != HOURS_PER_DAY:
            raise EstimatorInputError(
                FIELD, f"Give 24 hourly rates, one for each hour (0 to 23); got {len(rates)}."
            )
        for hour, rate in enumerate(rates):
            if isinstance(rate, bool) or not isinstance(rate, int | float):
                raise EstimatorInputError(FIELD, f"Hour {hour}: {rate!r} is not a number.")
            if not math.isfinite(rate):
                raise EstimatorInputError(FIELD, f"Hour {hour}: must be a finite number.")
            if rate < 0:
                raise EstimatorInputError(FIELD, f"Hour {hour}: must be 0 or more.")
            if rate > MAX_HOURLY_RATE:
                raise EstimatorInputError(
                    FIELD, f"Hour {hour}: at most {MAX_HOURLY_RATE:,.0f} requests/s."
                )
        if not (any(rates) or self.allow_idle):
            raise EstimatorInputError(FIELD, "At least one hour must have traffic.")
        object.__setattr__(self, "rates", tuple(float(r) for r in rates))

    @classmethod
    def flat(cls, rate: float) -> DayProfile:
        """The same rate all day."""
        return cls((rate,) * HOURS_PER_DAY)

    @classmethod
    def parse(cls, text: str, *, allow_idle: bool = False) -> DayProfile:
        """24 numbers separated by commas (or spaces), as typed in a form or a URL
        (``allow_idle``: all of them may be 0, a quiet weekend)."""
        if len(text) > MAX_HOURLY_RATES_CHARS:
            raise EstimatorInputError(
                FIELD, f"At most {MAX_HOURLY_RATES_CHARS:,} characters: 24 numbers."
            )
        parts = [p for p in re.split(r"[,\s]+", text.strip()) if p]
        values = []
        for hour, part in enumerate(parts):
            try:
                values.append(float(part))
            except ValueError:
                raise EstimatorInputError(
                    FIELD, f"Hour {hour}: {part!r} is not a number."
                ) from None
        return cls(tuple(values), allow_idle)

    @property
    def peak_rate(self) -> float:
        return max(self.rates)

    @property
    def trough_rate(self) -> float:
        return min(self.rates)

    @property
    def peak_hour(self) -> int:
        return self.rates.index(self.peak_rate)

    @property
    def mean_rate(self) -> float:
        """Requests/s averaged over the day."""
        return math.fsum(self.rates) / HOURS_PER_DAY

    @property
    def requests_per_day(self) -> float:
        return math.fsum(self.rates) * SECONDS_PER_HOUR

    def scaled(self, factor: float) -> DayProfile:
        return DayProfile(tuple(r * factor for r in self.rates), self.allow_idle)

    def as_list(self) -> list[float]:
        return list(self.rates)


@dataclass(frozen=True)
class WeekProfile:
    """A weekday's profile and a weekend day's: five and two of them make a week."""

    weekday: DayProfile
    weekend: DayProfile

    def __post_init__(self) -> None:
        if not (any(self.weekday.rates) or any(self.weekend.rates)):
            raise EstimatorInputError(FIELD, "At least one hour must have traffic.")

    @classmethod
    def every_day(cls, day: DayProfile) -> WeekProfile:
        return cls(day, day)

    @property
    def has_weekend(self) -> bool:
        """Whether weekend days differ from weekdays."""
        return self.weekend != self.weekday

    def days(self) -> tuple[tuple[DayProfile, int], ...]:
        """Each kind of day and how many of it a week holds."""
        return ((self.weekday, WEEKDAYS_PER_WEEK), (self.weekend, WEEKEND_DAYS_PER_WEEK))

    @property
    def peak_rate(self) -> float:
        return max(self.weekday.peak_rate, self.weekend.peak_rate)

    @property
    def mean_rate(self) -> float:
        """Requests/s averaged over the week (what a month's tokens are billed on)."""
        return math.fsum(day.mean_rate * n for day, n in self.days()) / DAYS_PER_WEEK

    def as_dict(self) -> dict:
        return {"weekday": self.weekday.as_list(), "weekend": self.weekend.as_list()}


# Presets


class Preset(StrEnum):
    OFFICE_HOURS = "office_hours"
    GLOBAL = "global"
    BATCH_AT_NIGHT = "batch_at_night"


@dataclass(frozen=True)
class Shape:
    """Each hour's rate in percent of the busiest weekday hour, weekday and weekend."""

    label: str
    weekday: tuple[int, ...]
    weekend: tuple[int, ...]
    source: str


# The first two shapes are read off the Azure LLM inference trace 2024 (Stojkovic et al.,
# "DynamoLLM", arXiv:2408.00741): the invocations-per-minute figures of its two services
# in Azure/AzurePublicDataset analysis/AzureLLMInferenceDataset2024.ipynb (commit
# 7b8259a1), digitized from the plotted line and averaged by hour over the weekdays
# (Fri 10 and Mon 13 to Thu 16 May 2024 for code, Mon 13 to Fri 17 for conversation) and
# the weekend days, each hour in percent of the busiest weekday hour.
SHAPES = {
    Preset.OFFICE_HOURS: Shape(
        "Office hours",
        # The code-completion service, shifted from UTC to US Eastern time (UTC-4 in
        # May): quiet at night, up from 8:00, busiest 14:00-16:00, a ninth of that at
        # 3:00; weekends about a third of a weekday's volume.
        weekday=(19, 16, 13, 11, 11, 11, 12, 17, 31, 53, 75, 82)
        + (77, 88, 97, 100, 93, 69, 50, 37, 32, 31, 29, 24),
        weekend=(14, 11, 9, 6, 5, 5, 4, 6, 9, 12, 15, 17)
        + (18, 19, 22, 21, 22, 22, 22, 20, 20, 19, 17, 17),
        source="Azure LLM inference trace 2024, code service (US Eastern time)",
    ),
    Preset.GLOBAL: Shape(
        "Global 24/7",
        # The conversation service, in UTC: users on every continent, the quietest hour
        # half the busiest; weekends a little over half a weekday's volume.
        weekday=(67, 73, 71, 59, 60, 65, 75, 81, 83, 81, 73, 77)
        + (86, 95, 100, 93, 84, 81, 81, 76, 69, 58, 52, 54),
        weekend=(38, 40, 39, 34, 32, 34, 35, 39, 40, 37, 39, 43)
        + (46, 51, 52, 54, 51, 50, 48, 45, 45, 43, 40, 44),
        source="Azure LLM inference trace 2024, conversation service (UTC)",
    ),
    Preset.BATCH_AT_NIGHT: Shape(
        "Batch at night",
        # Assumption: a nightly batch window from 22:00 to 6:00 at full rate, every day,
        # and light interactive use by day at a tenth of it.
        weekday=(100,) * 6 + (10,) * 16 + (100,) * 2,
        weekend=(100,) * 6 + (10,) * 16 + (100,) * 2,
        source="assumption: a batch window 22:00-6:00, light use by day",
    ),
}


def preset(
    name: Preset | str,
    *,
    requests_per_day: float | None = None,
    peak_rate: float | None = None,
) -> WeekProfile:
    """A preset's shape scaled to a weekday's requests or to its busiest hour's rate
    (requests/s); weekends follow the shape."""
    try:
        shape = SHAPES[Preset(name)]
    except ValueError:
        choices = ", ".join(p.value for p in Preset)
        raise EstimatorInputError("traffic_preset", f"One of {choices}.") from None
    if (requests_per_day is None) == (peak_rate is None):
        raise EstimatorInputError("traffic_preset", "Give a daily volume or a peak rate.")
    if requests_per_day is not None:
        _check_positive("requests_per_day", requests_per_day)
        factor = requests_per_day / (math.fsum(shape.weekday) * SECONDS_PER_HOUR)
    else:
        _check_positive("rate", peak_rate)
        factor = peak_rate / max(shape.weekday)
    return WeekProfile(
        DayProfile(tuple(share * factor for share in shape.weekday)),
        DayProfile(tuple(share * factor for share in shape.weekend)),
    )


def _check_positive(field: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise EstimatorInputError(field, "Must be a number.")
    if not (math.isfinite(value) and value > 0):
        raise EstimatorInputError(field, "Must be above 0.")
