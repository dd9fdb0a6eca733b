"""A request log read into a traffic profile and the lengths its requests had.

The log is CSV text, one request per line: a timestamp, and optionally its prompt and
completion tokens (a log from an OpenAI-compatible server or a gateway, BurstGPT's and
Azure's published traces as they come). A header is optional: with one, the columns are
found by name (``TIMESTAMP_NAMES``, ``PROMPT_NAMES``, ``COMPLETION_NAMES``), else the
timestamp is the first; without one, the columns are timestamp, prompt, completion.

A timestamp is ISO 8601 (``2024-05-10T09:30:00Z``, ``2024-05-10 09:30:00.25+02:00``) or
Unix seconds (``1715333400.25``). Each request counts in the hour of day it arrived, in
the clock the log is written in: an offset is kept as written (09:30+02:00 is hour 9),
Unix seconds and ``Z`` are UTC. Each hour's rate is its requests over the hours of that
hour of day the log covers, from the hour of its first request to that of its last
(whole hours). A log spanning a week or more gives weekdays and weekend days apart.

Bounded (``MAX_LOG_BYTES``, ``MAX_LOG_LINES``, ``MAX_LOG_SPAN_DAYS``); a line that
cannot be read stops the reading with its number and what is wrong with it.
"""

from __future__ import annotations

import csv
import math
import random
import re
import statistics
from dataclasses import dataclass
from datetime import UTC, datetime

from .constants import SECONDS_PER_DAY, SECONDS_PER_HOUR
from .limits import MAX_LOG_BYTES, MAX_LOG_LINES, MAX_LOG_SPAN_DAYS, MAX_LOG_TOKENS
from .specs import EstimatorInputError
from .traffic import (
    DAYS_PER_WEEK,
    HOURS_PER_DAY,
    MAX_HOURLY_RATE,
    DayProfile,
    WeekProfile,
)

# Bounds on the work one upload may ask for: MAX_LOG_LINES, MAX_LOG_BYTES,
# MAX_LOG_SPAN_DAYS and MAX_LOG_TOKENS, in limits.py with their reasons.
# Weekdays and weekend days are read apart once the log covers a whole week.
WEEKLY_MIN_DAYS = DAYS_PER_WEEK
# The lengths kept for the simulator to draw from: a seeded sample of (prompt,
# completion) pairs, so that the two stay paired; the means and percentiles shown are
# over every request.
MAX_LENGTH_SAMPLES = 1_000
LENGTH_SAMPLE_SEED = 0
# Unix seconds are read up to datetime's last second (31 Dec 9999); beyond, they are
# milliseconds or nanoseconds.
MAX_UNIX_SECONDS = 253_402_300_799

# Column names in a header, compared lower-cased with everything but letters and digits
# removed ("Request tokens" -> "requesttokens"). BurstGPT: Timestamp, Request tokens,
# Response tokens; Azure LLM inference traces: TIMESTAMP, ContextTokens,
# GeneratedTokens; OpenAI usage: prompt_tokens, completion_tokens.
TIMESTAMP_NAMES = frozenset(
    {"timestamp", "time", "ts", "datetime", "date", "created", "createdat", "arrival"}
    | {"arrivaltime", "requesttime", "starttime", "receivedat"}
)
PROMPT_NAMES = frozenset(
    {"prompttokens", "prompt", "inputtokens", "input", "contexttokens", "requesttokens"}
    | {"tokensin", "isl"}
)
COMPLETION_NAMES = frozenset(
    {"completiontokens", "completion", "outputtokens", "output", "generatedtokens"}
    | {"responsetokens", "tokensout", "osl"}
)

# An error message quotes at most this much of the field at fault.
SHOWN_CHARS = 40
# Burstiness is read from the gaps between requests within each hour of the log that
# holds at least this many (each hour's gaps over that hour's mean gap, so that the
# day's shape is not taken for bursts), and only from a log with this many in all.
MIN_GAPS_PER_HOUR = 10
MIN_GAPS_FOR_CV = 100

FIELD = "request_log"
WEEKDAY, WEEKEND = 0, 1
THURSDAY = 3  # 1 January 1970, day 0 of Unix time (Monday = 0)
SATURDAY = 5


class LogError(EstimatorInputError):
    """A log that cannot be read; ``line`` is the line at fault (0: the whole file)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(FIELD, f"Line {line:,}: {message}" if line else message)
        self.line = line


@dataclass(frozen=True)
class Lengths:
    """The prompt and completion lengths of the logged requests."""

    count: int  # requests with both lengths (a completion of 0 is a failed request)
    mean_prompt: float
    mean_completion: float
    prompt_percentiles: dict[str, int]  # p50, p90, p99
    completion_percentiles: dict[str, int]
    # A seeded sample of (prompt, completion) pairs, at most MAX_LENGTH_SAMPLES.
    sample: tuple[tuple[int, int], ...]

    def draw(self, count: int, rng: random.Random) -> list[tuple[int, int]]:
        """``count`` (prompt, completion) pairs drawn from the sample, with replacement."""
        return rng.choices(self.sample, k=count)

    def as_dict(self) -> dict:
        return {
            "count": self.count,
            "mean_prompt": self.mean_prompt,
            "mean_completion": self.mean_completion,
            "prompt_percentiles": self.prompt_percentiles,
            "completion_percentiles": self.completion_percentiles,
            "sample": [list(pair) for pair in self.sample],
        }


@dataclass(frozen=True)
class RequestLog:
    requests: int
    first_s: float  # the first and last request, seconds since 1970 in the log's clock
    last_s: float
    hours_covered: int  # whole hours from the first request's to the last's
    profile: WeekProfile  # weekday and weekend alike unless the log spans a week
    weekly: bool
    lengths: Lengths | None  # None: the log has no token columns
    # The gaps' coefficient of variation within the hours (1: Poisson; None: too few
    # requests to tell). Timestamps in whole seconds make a busy log look burstier.
    arrival_cv: float | None
    warnings: tuple[str, ...]

    def as_dict(self) -> dict:
        return {
            "requests": self.requests,
            "first": _iso(self.first_s),
            "last": _iso(self.last_s),
            "hours_covered": self.hours_covered,
            "weekly": self.weekly,
            "profile": self.profile.as_dict(),
            "lengths": None if self.lengths is None else self.lengths.as_dict(),
            "arrival_cv": self.arrival_cv,
            "warnings": list(self.warnings),
        }


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None).isoformat()


def read_request_log(data: bytes | str) -> RequestLog:
    """The profile and lengths of a CSV request log (see the module docstring)."""
    size = len(data.encode() if isinstance(data, str) else data)
    if size > MAX_LOG_BYTES:
        raise LogError(0, f"The log is {size:,} bytes; at most {MAX_LOG_BYTES:,}.")
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            raise LogError(line, "not UTF-8 text.") from None
    else:
        data = data.removeprefix("\ufeff")
    if "\x00" in data:
        raise LogError(data[: data.index("\x00")].count("\n") + 1, "a NUL character.")
    lines = data.splitlines()
    if len(lines) > MAX_LOG_LINES:
        raise LogError(0, f"The log has {len(lines):,} lines; at most {MAX_LOG_LINES:,}.")
    stamps, prompts, completions = _read_rows(lines)
    if not stamps:
        raise LogError(0, "The log has no requests.")
    return _summarize(stamps, prompts, completions)


def _read_rows(lines: list[str]) -> tuple[list[float], list[int], list[int]]:
    """Each request's time (seconds since 1970 in the log's clock) and, when the log
    has them, its prompt and completion tokens."""
    rows = csv.reader(lines)
    try:
        return _read_csv(rows)
    except csv.Error as error:  # a field over csv's limit of 131,072 characters
        raise LogError(rows.line_num, f"not CSV ({error}).") from None


def _read_csv(rows) -> tuple[list[float], list[int], list[int]]:
    columns: tuple[int, int | None, int | None] | None = None
    stamps: list[float] = []
    prompts: list[int] = []
    completions: list[int] = []
    for row in rows:
        if not row or (len(row) == 1 and not row[0].strip()):
            continue  # a blank line
        if columns is None:
            columns = _columns(row, rows.line_num)
            if columns is None:
                columns = _header_columns(row)
                continue
        at, prompt_at, completion_at = columns
        try:
            stamps.append(_seconds(row[at]))
        except IndexError:
            raise LogError(rows.line_num, f"no column {at + 1} (the timestamp).") from None
        except ValueError as error:
            raise LogError(rows.line_num, str(error)) from None
        if prompt_at is not None:
            prompts.append(_tokens(row, prompt_at, rows.line_num, "prompt"))
        if completion_at is not None:
            completions.append(_tokens(row, completion_at, rows.line_num, "completion"))
    return stamps, prompts, completions


def _columns(row: list[str], number: int) -> tuple[int, int | None, int | None] | None:
    """The columns of a log without a header (timestamp, prompt, completion), or None
    when the first row is a header."""
    try:
        _seconds(row[0])
    except ValueError as error:
        if re.search(r"[A-Za-z]", row[0]) and not re.search(r"\d", row[0]):
            return None  # a header: names, no numbers
        raise LogError(number, str(error)) from None
    return 0, (1 if len(row) > 1 else None), (2 if len(row) > 2 else None)


def _header_columns(row: list[str]) -> tuple[int, int | None, int | None]:
    names = [re.sub(r"[^a-z0-9]", "", name.lower()) for name in row]

    def find(known: frozenset[str]) -> int | None:
        return next((i for i, name in enumerate(names) if name in known), None)

    at = find(TIMESTAMP_NAMES)
    return (0 if at is None else at), find(PROMPT_NAMES), find(COMPLETION_NAMES)


def _shown(text: str) -> str:
    """A field as an error message quotes it: cut short if long."""
    return repr(text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "...")


def _seconds(text: str) -> float:
    """Seconds since 1970 in the clock the timestamp is written in (ValueError: what
    is wrong with it)."""
    text = text.strip()
    try:
        value = float(text)
    except ValueError:
        pass
    else:
        if not math.isfinite(value):
            raise ValueError(f"{_shown(text)} is not a time.")
        if value < 0:
            raise ValueError(f"{_shown(text)} is before 1970 as Unix seconds.")
        if value > MAX_UNIX_SECONDS:
            raise ValueError(
                f"{_shown(text)} is past the year 9999 as Unix seconds: milliseconds? Give seconds."
            )
        return value
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{_shown(text)} is not a timestamp (ISO 8601, or Unix seconds)."
        ) from None
    # The wall clock as written: an offset is kept, not converted to UTC.
    return moment.replace(tzinfo=UTC).timestamp()


def _tokens(row: list[str], at: int, number: int, what: str) -> int:
    try:
        value = int(row[at])
    except IndexError:
        raise LogError(number, f"no {what} tokens (column {at + 1}).") from None
    except ValueError:
        raise LogError(number, f"{what} tokens {_shown(row[at])} is not a whole number.") from None
    if not 0 <= value <= MAX_LOG_TOKENS:
        raise LogError(number, f"{what} tokens {value:,}: from 0 to {MAX_LOG_TOKENS:,}.")
    return value


def _summarize(stamps: list[float], prompts: list[int], completions: list[int]) -> RequestLog:
    first, last = min(stamps), max(stamps)
    if last - first > MAX_LOG_SPAN_DAYS * SECONDS_PER_DAY:
        raise LogError(
            0,
            f"The log spans {(last - first) / SECONDS_PER_DAY:,.0f} days; at most "
            f"{MAX_LOG_SPAN_DAYS}. Is a timestamp out of place?",
        )
    hour = SECONDS_PER_HOUR
    first_hour, last_hour = math.floor(first / hour), math.floor(last / hour)
    hours_covered = last_hour - first_hour + 1
    weekly = hours_covered >= WEEKLY_MIN_DAYS * HOURS_PER_DAY
    # Requests and hours covered per (kind of day, hour of day).
    counts = [[0] * HOURS_PER_DAY, [0] * HOURS_PER_DAY]
    for stamp in stamps:
        index = math.floor(stamp / hour)
        counts[_kind(index) if weekly else WEEKDAY][index % HOURS_PER_DAY] += 1
    exposure = [[0] * HOURS_PER_DAY, [0] * HOURS_PER_DAY]
    for index in range(first_hour, last_hour + 1):
        exposure[_kind(index) if weekly else WEEKDAY][index % HOURS_PER_DAY] += 1
    warnings: list[str] = []
    days = [_day(counts[k], exposure[k], hour) for k in ((WEEKDAY, WEEKEND) if weekly else (0,))]
    profile = WeekProfile(days[0], days[-1])
    uncovered = sum(1 for n in exposure[WEEKDAY] if n == 0)
    if uncovered:
        warnings.append(
            f"The log covers {HOURS_PER_DAY - uncovered} of the 24 hours of a day; the "
            "others are taken as idle."
        )
    if not weekly:
        warnings.append("The log spans less than a week: weekdays and weekends are taken as alike.")
    lengths = _lengths(prompts, completions) if prompts and completions else None
    return RequestLog(
        requests=len(stamps),
        first_s=first,
        last_s=last,
        hours_covered=hours_covered,
        profile=profile,
        weekly=weekly,
        lengths=lengths,
        arrival_cv=_arrival_cv(stamps),
        warnings=tuple(warnings),
    )


def _kind(hour_index: int) -> int:
    weekday = (hour_index // HOURS_PER_DAY + THURSDAY) % DAYS_PER_WEEK
    return WEEKEND if weekday >= SATURDAY else WEEKDAY


def _day(counts: list[int], exposure: list[int], hour: float) -> DayProfile:
    rates = tuple(c / (n * hour) if n else 0.0 for c, n in zip(counts, exposure, strict=True))
    if max(rates) > MAX_HOURLY_RATE:
        busiest = rates.index(max(rates))
        raise LogError(
            0,
            f"Hour {busiest} averages {max(rates):,.0f} requests/s; at most "
            f"{MAX_HOURLY_RATE:,.0f}.",
        )
    # A weekly log may have no requests on weekends (or only on them).
    return DayProfile(rates, allow_idle=True)


def _arrival_cv(stamps: list[float]) -> float | None:
    """The coefficient of variation of the gaps between requests, each hour's gaps
    measured against that hour's mean (see MIN_GAPS_PER_HOUR)."""
    ordered = sorted(stamps)
    scaled: list[float] = []
    start = 0
    while start < len(ordered):
        hour = math.floor(ordered[start] / SECONDS_PER_HOUR)
        end = start
        while end < len(ordered) and math.floor(ordered[end] / SECONDS_PER_HOUR) == hour:
            end += 1
        gaps = [
            b - a for a, b in zip(ordered[start : end - 1], ordered[start + 1 : end], strict=True)
        ]
        mean = math.fsum(gaps) / len(gaps) if gaps else 0.0
        if len(gaps) >= MIN_GAPS_PER_HOUR and mean > 0:
            scaled.extend(gap / mean for gap in gaps)
        start = end
    if len(scaled) < MIN_GAPS_FOR_CV:
        return None
    return statistics.pstdev(scaled, mu=1.0)


def _lengths(prompts: list[int], completions: list[int]) -> Lengths | None:
    """Over the requests that completed (a completion of 0 tokens is a failed request,
    as BurstGPT logs them): they count in the rate, not in the lengths."""
    pairs = [(p, c) for p, c in zip(prompts, completions, strict=True) if c > 0]
    if not pairs:
        return None
    prompt_sorted = sorted(p for p, _ in pairs)
    completion_sorted = sorted(c for _, c in pairs)
    sample = (
        pairs
        if len(pairs) <= MAX_LENGTH_SAMPLES
        else random.Random(LENGTH_SAMPLE_SEED).sample(pairs, MAX_LENGTH_SAMPLES)
    )
    return Lengths(
        count=len(pairs),
        mean_prompt=math.fsum(prompt_sorted) / len(pairs),
        mean_completion=math.fsum(completion_sorted) / len(pairs),
        prompt_percentiles=_percentiles(prompt_sorted),
        completion_percentiles=_percentiles(completion_sorted),
        sample=tuple(sample),
    )


def _percentiles(ordered: list[int]) -> dict[str, int]:
    """Nearest-rank percentiles: lengths stay whole tokens."""
    n = len(ordered)
    return {f"p{q}": ordered[max(0, math.ceil(q / 100 * n) - 1)] for q in (50, 90, 99)}
