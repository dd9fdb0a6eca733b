"""The planner's traffic over a day (issue 21): which profile the input gives (24 hourly
rates, a preset, or a request log), how requests arrive, and the best option autoscaled
through the day with its month's bills (``calculator.estimator.day``).

The capacity answer (``answers/capacity.py``) calls these; nothing here renders.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from calculator import charts
from calculator.answers.shared import levers
from calculator.estimator import EstimatorInputError, day, planner
from calculator.estimator.arrivals import Arrivals, Process
from calculator.estimator.request_log import RequestLog, read_request_log
from calculator.estimator.serving import LengthPairs
from calculator.estimator.specs import ApiOffering, EngineSpec, GpuSpec, ModelSpec
from calculator.estimator.traffic import DayProfile, WeekProfile, preset


@dataclass(frozen=True)
class Profile:
    """The week the input describes, and where it came from."""

    source: str  # "hourly_rates", "traffic_preset" or "request_log"
    week: WeekProfile
    log: RequestLog | None = None

    def as_dict(self) -> dict:
        summary = None
        if self.log is not None:
            summary = self.log.as_dict()
            if summary["lengths"] is not None:
                summary["lengths"].pop("sample")  # 1,000 pairs: the means and percentiles say it
        return {"source": self.source, **self.week.as_dict(), "log": summary}

    def inputs(self) -> dict[str, str]:
        """The profile as the query parameters that plan it again (a log's rates, so a
        saved plan's "now" replans without the file)."""
        if self.source != "request_log":
            return {}
        week = self.week
        values = {"hourly_rates": rates_text(week.weekday)}
        if week.has_weekend:
            values["hourly_rates_weekend"] = rates_text(week.weekend)
        return values


def rates_text(day_profile: DayProfile) -> str:
    """A day's 24 rates as the hourly_rates field takes them."""
    return ",".join(f"{rate:.6g}" for rate in day_profile.rates)


def profile(data: Mapping) -> Profile | None:
    """The profile a valid form gives, or None for one rate (EstimatorInputError: a
    profile the estimator refuses, a log naming its line)."""
    if data.get("hourly_rates"):
        weekday = DayProfile.parse(data["hourly_rates"])
        weekend_text = data.get("hourly_rates_weekend")
        if weekend_text:
            try:
                weekend = DayProfile.parse(weekend_text, allow_idle=True)
            except EstimatorInputError as error:  # named for the weekday's field
                raise EstimatorInputError("hourly_rates_weekend", error.message) from None
            return Profile("hourly_rates", WeekProfile(weekday, weekend))
        return Profile("hourly_rates", WeekProfile.every_day(weekday))
    if data.get("traffic_preset"):
        week = preset(
            data["traffic_preset"],
            requests_per_day=data.get("requests_per_day"),
            peak_rate=data.get("rate"),
        )
        return Profile("traffic_preset", week)
    upload = data.get("request_log")
    if upload:
        upload.seek(0)
        log = read_request_log(upload.read())
        return Profile("request_log", log.profile, log)
    return None


def arrivals(data: Mapping) -> Arrivals:
    """How requests arrive: Poisson unless gamma (with its CV) was asked for."""
    process = data.get("arrivals") or Process.POISSON
    cv = data.get("arrival_cv")
    return Arrivals(process, 1.0 if cv is None else cv)


def lengths(data: Mapping, found: Profile | None) -> tuple[int, int]:
    """The mean prompt and completion tokens: as typed, else the log's means."""
    prompt, completion = data.get("prompt"), data.get("completion")
    log_lengths = found.log.lengths if found and found.log else None
    if log_lengths is not None:
        prompt = prompt or max(1, round(log_lengths.mean_prompt))
        completion = completion or max(1, round(log_lengths.mean_completion))
    if prompt is None or completion is None:
        missing = "prompt" if prompt is None else "completion"
        raise EstimatorInputError(missing, "The log has no token columns: give the mean lengths.")
    return prompt, completion


def log_pairs(data: Mapping, found: Profile) -> LengthPairs:
    """The log's (prompt, completion) sample to draw each request's lengths from, when
    the log has token columns and no mean length was typed; else none (the means)."""
    log_lengths = found.log.lengths if found.log else None
    if log_lengths is None or data.get("prompt") or data.get("completion"):
        return ()
    return log_lengths.sample


def traffic(data: Mapping, found: Profile | None, lengths_: tuple[int, int]) -> planner.Traffic:
    """The traffic to plan for: a profile's busiest hour as the peak and its week's mean
    as the average; else a peak rate or requests per day; and the levers (what of each
    prompt the prefix cache holds, speculative decoding)."""
    prompt, completion = lengths_
    came = arrivals(data)
    # The levers: prefix caching (estimator/prefix.py), speculative decoding.
    cached = levers(data)
    if found is not None:
        week = found.week
        return planner.Traffic(
            week.peak_rate,
            week.mean_rate,
            prompt,
            completion,
            found.source,
            came,
            **cached,
            length_pairs=log_pairs(data, found),
        )
    if data.get("rate") is not None:
        given = planner.Traffic.at_peak(data["rate"], prompt, completion)
    else:
        given = planner.Traffic.per_day(
            data["requests_per_day"], data.get("peak_factor") or 1.0, prompt, completion
        )
    return planner.Traffic(
        given.peak_rate, given.average_rate, prompt, completion, given.given_as, came, **cached
    )


def inputs(data: Mapping, headroom: planner.Headroom) -> day.DayInputs:
    """The autoscaling policy typed; the autoscaler loads replicas to the planner's
    target utilization and keeps its N+1 spare (its headroom), so a flat day costs what
    the plan does."""
    return day.DayInputs(
        min_replicas=data.get("min_replicas"),
        max_replicas=data.get("max_replicas"),
        scale_up_delay_s=data.get("scale_up_delay_s"),
        target_utilization=headroom.target_utilization,
        reserved_discount=data.get("reserved_discount"),
        n_plus_one=headroom.n_plus_one,
    )


def the_day(
    data: Mapping,
    found: Profile,
    result: planner.PlanResult,
    model: ModelSpec,
    gpus: list[GpuSpec],
    engine: EngineSpec,
    apis: tuple[ApiOffering, ...],
    *,
    owned: bool = False,
) -> dict:
    """The best option over the profile's days: ``schedule`` (per hour), ``bill`` (the
    month fixed, autoscaled, reserved plus burst, and on the APIs) and ``autoscaling``
    (policy, replica, the math, warnings); their reason when there is no best."""
    best = result.best
    if best is None or best.usd_per_gpu_hour is None or not math.isfinite(best.usd_per_month):
        return {
            "schedule": None,
            "bill": None,
            "autoscaling": {
                "profile": found.as_dict(),
                "reason": "No priced option meets the targets: nothing to autoscale.",
            },
        }
    gpu = next(spec for spec in gpus if spec.slug == best.gpu)
    traffic = result.traffic
    planned = day.option_day(
        model,
        gpu,
        engine,
        best,
        result.targets,
        traffic.arrivals,
        found.week,
        inputs(data, result.headroom),
        prompt_tokens=traffic.prompt_tokens,
        completion_tokens=traffic.completion_tokens,
        apis=apis,
        owned=owned,
        length_pairs=traffic.length_pairs,
    )
    shown = planned.as_dict()
    return {
        "schedule": shown.pop("schedule"),
        "bill": shown.pop("bill"),
        "autoscaling": {**shown, "profile": found.as_dict(), "reason": None},
    }


def chart(results: Mapping) -> charts.Chart | None:
    """The day drawn (a plan's JSON, live or saved; None without a schedule)."""
    schedule = results.get("schedule")
    if not schedule:
        return None
    capacity = results["autoscaling"]["replica"]["capacity_within_targets"]
    return charts.day_chart(schedule, capacity)
