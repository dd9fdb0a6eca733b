"""Owned hardware as a price per GPU-hour, and when buying beats renting.

A server bought for ``purchase_usd`` and written off over ``years`` costs, every hour of
those years, its share of the purchase, the electricity it draws at load (the facility's
PUE over the IT power), and its share of the hosting fee, divided among its GPUs:

    usd_per_gpu_hour = (purchase_usd / (years x 8,760)
                        + power_kw x pue x usd_per_kwh
                        + hosting_usd_per_month x 12 / 8,760) / gpus_per_server

It is paid whether the GPUs are busy or not: the hours are all the hours of the years
(no idle discount on power, an assumption on the safe side), and an owned fleet costs
the same autoscaled or not. No interest, resale value or staff: a plain straight-line
write-off (assumption).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from .constants import HOURS_PER_MONTH, HOURS_PER_YEAR, SECONDS_PER_HOUR
from .results import ApiComparison, ApiMonthly, TraceStep
from .specs import EstimatorInputError

MONTHS_PER_YEAR = 12
# Power usage effectiveness (facility power over IT power) when none is given: the
# industry average of Uptime Institute's 2023 survey, 1.58 (1.55-1.59 since 2020;
# Uptime Intelligence Update 221, "Large data centers are mostly more efficient",
# 2023-11-23). New large halls reach 1.1-1.3.
DEFAULT_PUE = 1.58

# Limits: typo guards, each above anything real.
# A server: an 8-GPU HGX B200 lists in the hundreds of thousands of dollars; a GB200
# NVL72 rack (72 GPUs, about 120 kW) a few million, counted as one "server" here.
MAX_PURCHASE_USD = 10_000_000
MAX_GPUS_PER_SERVER = 72
MAX_POWER_KW = 200.0
# Hardware is written off over 3-6 years; ten is past any GPU's service life.
MAX_AMORTIZATION_YEARS = 10.0
MIN_PUE = 1.0  # by definition: the IT load itself
MAX_PUE = 3.0  # the worst facilities surveyed are near 2.5
MAX_USD_PER_KWH = 2.0  # retail electricity is $0.05-0.50 per kWh
MAX_HOSTING_USD_PER_MONTH = 100_000.0  # colocation of a whole high-density rack


@dataclass(frozen=True)
class OwnedHardware:
    """One server as bought and run (every figure per server)."""

    purchase_usd: float
    gpus_per_server: int
    years: float
    power_kw: float  # at load
    pue: float = DEFAULT_PUE
    usd_per_kwh: float = 0.0
    hosting_usd_per_month: float = 0.0

    def __post_init__(self) -> None:
        count = self.gpus_per_server
        if isinstance(count, bool) or not isinstance(count, int):
            raise EstimatorInputError("gpus_per_server", "Must be a whole number.")
        if not 1 <= count <= MAX_GPUS_PER_SERVER:
            raise EstimatorInputError(
                "gpus_per_server", f"Must be from 1 to {MAX_GPUS_PER_SERVER}."
            )
        _check("purchase_usd", self.purchase_usd, 0, MAX_PURCHASE_USD, low_open=True)
        _check("years", self.years, 0, MAX_AMORTIZATION_YEARS, low_open=True)
        _check("power_kw", self.power_kw, 0, MAX_POWER_KW)
        _check("pue", self.pue, MIN_PUE, MAX_PUE)
        _check("usd_per_kwh", self.usd_per_kwh, 0, MAX_USD_PER_KWH)
        _check("hosting_usd_per_month", self.hosting_usd_per_month, 0, MAX_HOSTING_USD_PER_MONTH)

    @classmethod
    def bought_per_gpu(cls, purchase_usd_per_gpu: float, gpus_per_server: int, **rest):
        """The same server, its price given per GPU."""
        _check("purchase_usd", purchase_usd_per_gpu, 0, MAX_PURCHASE_USD, low_open=True)
        if isinstance(gpus_per_server, int) and not isinstance(gpus_per_server, bool):
            purchase = purchase_usd_per_gpu * gpus_per_server
        else:
            purchase = purchase_usd_per_gpu  # __post_init__ refuses the count
        return cls(purchase, gpus_per_server, **rest)


def _check(field: str, value, low: float, high: float, *, low_open: bool = False) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise EstimatorInputError(field, "Must be a number.")
    if (value <= low if low_open else value < low) or value > high:
        lower = f"above {_shown(low)}" if low_open else f"at least {_shown(low)}"
        upper = "" if math.isinf(high) else f" and at most {_shown(high)}"
        raise EstimatorInputError(field, f"Must be {lower}{upper}.")


@dataclass(frozen=True)
class OwnedPrice:
    """What an owned server costs per hour, part by part, and per GPU-hour."""

    hardware: OwnedHardware
    amortization_usd_per_hour: float  # per server
    power_usd_per_hour: float
    hosting_usd_per_hour: float

    @property
    def usd_per_server_hour(self) -> float:
        return self.amortization_usd_per_hour + self.power_usd_per_hour + self.hosting_usd_per_hour

    @property
    def usd_per_gpu_hour(self) -> float:
        return self.usd_per_server_hour / self.hardware.gpus_per_server

    @property
    def running_usd_per_month(self) -> float:
        """Power and hosting of one server for a month: what owning costs on top of the
        purchase."""
        return (self.power_usd_per_hour + self.hosting_usd_per_hour) * HOURS_PER_MONTH

    def trace(self) -> list[TraceStep]:
        """ "Show the math": the formula in the module docstring, with its numbers."""
        hw = self.hardware
        return [
            TraceStep(
                "cost",
                "Purchase, per server-hour",
                f"purchase / (years x {HOURS_PER_YEAR:,} hours)",
                f"${hw.purchase_usd:,.0f} / ({hw.years:g} x {HOURS_PER_YEAR:,})",
                self.amortization_usd_per_hour,
                "USD/h",
            ),
            TraceStep(
                "cost",
                "Power, per server-hour",
                "power at load x PUE x price per kWh",
                f"{hw.power_kw:g} kW x {hw.pue:g} x ${hw.usd_per_kwh:g}",
                self.power_usd_per_hour,
                "USD/h",
            ),
            TraceStep(
                "cost",
                "Hosting, per server-hour",
                f"hosting per month x {MONTHS_PER_YEAR} / {HOURS_PER_YEAR:,}",
                f"${hw.hosting_usd_per_month:,.0f} x {MONTHS_PER_YEAR} / {HOURS_PER_YEAR:,}",
                self.hosting_usd_per_hour,
                "USD/h",
            ),
            TraceStep(
                "cost",
                "Owned price per GPU-hour",
                "(purchase + power + hosting per server-hour) / GPUs per server",
                f"(${self.amortization_usd_per_hour:,.4f} + ${self.power_usd_per_hour:,.4f} "
                f"+ ${self.hosting_usd_per_hour:,.4f}) / {hw.gpus_per_server}",
                self.usd_per_gpu_hour,
                "USD/h",
            ),
        ]

    def as_dict(self) -> dict:
        return {
            **asdict(self.hardware),  # the server as given, field for field
            "amortization_usd_per_hour": self.amortization_usd_per_hour,
            "power_usd_per_hour": self.power_usd_per_hour,
            "hosting_usd_per_hour": self.hosting_usd_per_hour,
            "usd_per_server_hour": self.usd_per_server_hour,
            "usd_per_gpu_hour": self.usd_per_gpu_hour,
        }


def owned_price(hardware: OwnedHardware) -> OwnedPrice:
    """The owned price per GPU-hour, by the formula in the module docstring."""
    return OwnedPrice(
        hardware=hardware,
        amortization_usd_per_hour=hardware.purchase_usd / (hardware.years * HOURS_PER_YEAR),
        power_usd_per_hour=hardware.power_kw * hardware.pue * hardware.usd_per_kwh,
        hosting_usd_per_hour=hardware.hosting_usd_per_month * MONTHS_PER_YEAR / HOURS_PER_YEAR,
    )


@dataclass(frozen=True)
class BreakEven:
    """Buying one server against renting its GPUs."""

    rented_usd_per_month: float  # the server's GPUs rented for the hours used
    owned_running_usd_per_month: float  # power and hosting
    months: float | None  # when the purchase has paid for itself; None: never

    def trace(self, hardware: OwnedHardware) -> TraceStep | None:
        if self.months is None:
            return None
        return TraceStep(
            "cost",
            "Break-even against renting",
            "purchase / (rent per month - power and hosting per month)",
            f"${hardware.purchase_usd:,.0f} / (${self.rented_usd_per_month:,.0f} - "
            f"${self.owned_running_usd_per_month:,.0f})",
            self.months,
            "months",
        )


def break_even(
    hardware: OwnedHardware,
    rented_usd_per_gpu_hour: float,
    *,
    rented_hours_per_month: float = HOURS_PER_MONTH,
) -> BreakEven:
    """The months after which a server bought outright has cost less than renting its
    GPUs at ``rented_usd_per_gpu_hour`` for ``rented_hours_per_month`` (all month by
    default; fewer for a fleet that scales down): the purchase over what renting costs
    a month beyond the owned server's power and hosting. Never (None) when renting
    costs no more than running the owned server."""
    _check("rented_usd_per_gpu_hour", rented_usd_per_gpu_hour, 0, math.inf)
    _check("rented_hours_per_month", rented_hours_per_month, 0, HOURS_PER_MONTH)
    price = owned_price(hardware)
    rent = rented_usd_per_gpu_hour * hardware.gpus_per_server * rented_hours_per_month
    running = price.running_usd_per_month
    months = hardware.purchase_usd / (rent - running) if rent > running else None
    return BreakEven(rent, running, months)


TOKENS_PER_MILLION = 1e6


@dataclass(frozen=True)
class MonthCompared:
    """One configuration busy every hour of a month (at full load): its GPUs bought,
    rented, or its output tokens bought from each API instead."""

    num_gpus: int
    owned_usd_per_gpu_hour: float
    owned_usd_per_month: float
    rented_usd_per_gpu_hour: float | None
    rented_usd_per_month: float | None  # None: no price to rent these GPUs at
    output_tokens_per_month: float
    apis: tuple[ApiMonthly, ...]  # cheapest first
    break_even: BreakEven | None  # None: no rented price

    def trace(self, hardware: OwnedHardware) -> list[TraceStep]:
        steps = [
            TraceStep(
                "cost",
                "Owned, a month busy",
                "GPUs x owned price per GPU-hour x hours a month",
                f"{self.num_gpus} x ${self.owned_usd_per_gpu_hour:,.4f} x {HOURS_PER_MONTH:,.0f}",
                self.owned_usd_per_month,
                "USD",
            )
        ]
        step = self.break_even.trace(hardware) if self.break_even else None
        return [*steps, step] if step else steps

    def as_dict(self) -> dict:
        even = self.break_even
        return {
            "num_gpus": self.num_gpus,
            "owned_usd_per_month": self.owned_usd_per_month,
            "rented_usd_per_gpu_hour": self.rented_usd_per_gpu_hour,
            "rented_usd_per_month": self.rented_usd_per_month,
            "output_tokens_per_month": self.output_tokens_per_month,
            "apis": [api.as_dict() for api in self.apis],
            "rented_usd_per_server_month": even.rented_usd_per_month if even else None,
            "owned_running_usd_per_server_month": (
                even.owned_running_usd_per_month if even else None
            ),
            "break_even_months": even.months if even else None,
        }


def month_compared(
    price: OwnedPrice,
    num_gpus: int,
    *,
    rented_usd_per_gpu_hour: float | None,
    output_tokens_per_second: float,
    apis: Iterable[ApiComparison] = (),
) -> MonthCompared:
    """``num_gpus`` owned GPUs busy all month against the same GPUs rented at
    ``rented_usd_per_gpu_hour`` (None: no rented price) and against each API billing
    the same output tokens (``output_tokens_per_second`` all month) at its price per 1M
    output tokens of this traffic (prompts included; an API without one is left out);
    and the months after which buying a server beats renting its GPUs."""
    _check("output_tokens_per_second", output_tokens_per_second, 0, math.inf)
    tokens = output_tokens_per_second * SECONDS_PER_HOUR * HOURS_PER_MONTH
    rows = (
        ApiMonthly(
            api.slug,
            api.name,
            api.usd_per_1m_output_tokens * tokens / TOKENS_PER_MILLION,
            usd_per_1m_output_tokens=api.usd_per_1m_output_tokens,
        )
        for api in apis
        if api.usd_per_1m_output_tokens is not None
    )
    rented = rented_usd_per_gpu_hour
    return MonthCompared(
        num_gpus=num_gpus,
        owned_usd_per_gpu_hour=price.usd_per_gpu_hour,
        owned_usd_per_month=price.usd_per_gpu_hour * num_gpus * HOURS_PER_MONTH,
        rented_usd_per_gpu_hour=rented,
        rented_usd_per_month=None if rented is None else rented * num_gpus * HOURS_PER_MONTH,
        output_tokens_per_month=tokens,
        apis=tuple(sorted(rows, key=lambda row: (row.usd_per_month, row.slug))),
        break_even=None if rented is None else break_even(price.hardware, rented),
    )


def _shown(limit: float) -> str:
    """A limit as the message shows it: 10,000,000 and 0.99, not 1e+07."""
    return f"{limit:,.0f}" if float(limit).is_integer() else f"{limit:,g}"
