"""A request log read into an hourly profile and its requests' lengths."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from calculator.estimator import EstimatorInputError
from calculator.estimator import request_log as L
from calculator.estimator.arrivals import Arrivals
from calculator.estimator.traffic import Preset, preset

HOUR = 3600


def read(text: str) -> L.RequestLog:
    return L.read_request_log(text)


def _error(text: str | bytes) -> L.LogError:
    with pytest.raises(L.LogError) as error:
        L.read_request_log(text)
    assert isinstance(error.value, EstimatorInputError)
    assert error.value.field == "request_log"
    return error.value


def test_each_hour_gets_its_requests_over_the_hours_the_log_covers():
    # Three requests between 9:00 and 10:00, one at 10:59: two hours covered.
    log = read(
        "2024-05-10T09:00:00Z\n2024-05-10T09:20:00Z\n2024-05-10T09:59:59Z\n2024-05-10T10:59:00Z\n"
    )
    day = log.profile.weekday
    assert log.requests == 4
    assert log.hours_covered == 2
    assert day.rates[9] == pytest.approx(3 / HOUR)
    assert day.rates[10] == pytest.approx(1 / HOUR)
    assert sum(day.rates) == pytest.approx(4 / HOUR)
    assert not log.weekly
    assert log.profile.weekend == log.profile.weekday
    assert log.lengths is None
    assert "covers 2 of the 24 hours" in log.warnings[0]
    assert "less than a week" in log.warnings[1]


def test_an_hour_seen_on_two_days_averages_them():
    # Hour 9 on two days (two requests, then four), everything between covered once.
    lines = ["2024-05-10 09:10:00", "2024-05-10 09:50:00"]
    lines += [f"2024-05-11 09:{m:02d}:00" for m in (0, 15, 30, 45)]
    day = read("\n".join(lines)).profile.weekday
    assert day.rates[9] == pytest.approx(6 / (2 * HOUR))
    assert day.rates[12] == 0.0  # covered once (10 May), no requests


def test_timestamps_keep_the_clock_they_are_written_in():
    # 09:30 at UTC+2 counts in hour 9; Unix seconds are UTC (1715333400 is 09:30 UTC).
    offset = read("2024-05-10T09:30:00+02:00").profile.weekday
    unix = read("1715333400").profile.weekday
    zulu = read("2024-05-10T09:30:00Z").profile.weekday
    assert offset.peak_hour == unix.peak_hour == zulu.peak_hour == 9
    assert (
        offset.rates
        == unix.rates
        == zulu.rates
        == tuple(1 / HOUR if h == 9 else 0.0 for h in range(24))
    )


def test_azure_traces_read_as_published():
    # The header and rows of the Azure LLM inference trace 2024 (AzurePublicDataset).
    log = read(
        "TIMESTAMP,ContextTokens,GeneratedTokens\n"
        "2024-05-10 00:00:00.009930+00:00,2162,5\n"
        "2024-05-10 00:00:00.017335+00:00,2399,6\n"
        "2024-05-10 00:00:00.022314+00:00,76,15\n"
        "2024-05-10 00:00:00.037845+00:00,2376,1\n"
    )
    assert log.requests == 4
    lengths = log.lengths
    assert lengths.count == 4
    assert lengths.mean_prompt == pytest.approx((2162 + 2399 + 76 + 2376) / 4)
    assert lengths.mean_completion == pytest.approx((5 + 6 + 15 + 1) / 4)
    # Nearest rank: p50 of four is the second, p90 and p99 the fourth.
    assert lengths.prompt_percentiles == {"p50": 2162, "p90": 2399, "p99": 2399}
    assert lengths.completion_percentiles == {"p50": 5, "p90": 15, "p99": 15}
    assert sorted(lengths.sample) == sorted([(2162, 5), (2399, 6), (76, 15), (2376, 1)])


def test_burstgpt_traces_read_as_published_failed_requests_counting_only_in_the_rate():
    # BurstGPT: seconds from the start of the trace, and a completion of 0 when it failed.
    log = read(
        "Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type\n"
        "5,ChatGPT,472,18,490,Conversation log\n"
        "45,ChatGPT,1087,0,1087,Conversation log\n"
        "118,GPT-4,417,334,751,API log\n"
    )
    assert log.requests == 3
    assert log.profile.weekday.rates[0] == pytest.approx(3 / HOUR)
    assert log.lengths.count == 2
    assert log.lengths.mean_prompt == pytest.approx((472 + 417) / 2)


def test_without_a_header_the_columns_are_timestamp_prompt_completion():
    log = read("1715333400,100,10\n1715333460,300,30\n")
    assert log.lengths.mean_prompt == 200
    assert log.lengths.mean_completion == 20
    only_prompts = read("1715333400,100\n")
    assert only_prompts.lengths is None


def test_a_header_names_the_timestamp_column_wherever_it_is():
    log = read("model,created_at,prompt_tokens,completion_tokens\nllama,1715333400,10,2\n")
    assert log.profile.weekday.peak_hour == 9
    assert log.lengths.mean_prompt == 10


def test_blank_lines_are_skipped_and_still_counted_in_line_numbers():
    assert read("\n1715333400\n\n1715333401\n").requests == 2
    assert _error("1715333400\n\nsoon\n").line == 3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "1715333400\n1715333401\nyesterday\n",
            "Line 3: 'yesterday' is not a timestamp (ISO 8601, or Unix seconds).",
        ),
        ("2024-05-10T25:00:00\n", "Line 1: '2024-05-10T25:00:00' is not a timestamp"),
        ("1715333400000\n", "Line 1: '1715333400000' is past the year 9999 as Unix seconds"),
        ("-5\n", "Line 1: '-5' is before 1970 as Unix seconds."),
        ("1715333400\nnan\n", "Line 2: 'nan' is not a time."),
        ("1715333400,10,2\n1715333401,10.5,2\n", "Line 2: prompt tokens '10.5' is not a whole"),
        ("1715333400,10,2\n1715333401,10\n", "Line 2: no completion tokens (column 3)."),
        ("1715333400,10,2\n1715333401,-3,2\n", "Line 2: prompt tokens -3: from 0 to"),
        ("1715333400,10,99999999\n", "Line 1: completion tokens 99,999,999: from 0 to"),
        ("created,other\nx\n1715333400,1\n", "Line 2: 'x' is not a timestamp"),
        ("timestamp,prompt\n1715333400,1\n1715333401\n", "Line 3: no prompt tokens"),
        ("", "The log has no requests."),
        ("timestamp\n\n", "The log has no requests."),
    ],
)
def test_a_line_that_cannot_be_read_is_named_with_what_is_wrong(text, message):
    assert _error(text).message.startswith(message)


def test_a_malformed_first_line_is_not_mistaken_for_a_header():
    assert _error("17153334x00\n1715333400\n").line == 1


def test_a_file_that_is_not_text_is_refused_at_its_line():
    assert _error(b"1715333400\n\xff\xfe\n").message == "Line 2: not UTF-8 text."
    assert _error("1715333400\n17153\x0033400\n").message == "Line 2: a NUL character."
    # A byte-order mark is not a character of the first timestamp.
    assert L.read_request_log("\ufeff1715333400\n".encode()).requests == 1


def test_a_log_is_bounded_in_bytes_lines_and_span(monkeypatch):
    monkeypatch.setattr(L, "MAX_LOG_BYTES", 30)
    assert _error("1715333400\n" * 3).message == "The log is 33 bytes; at most 30."
    monkeypatch.setattr(L, "MAX_LOG_BYTES", 10_000)
    monkeypatch.setattr(L, "MAX_LOG_LINES", 2)
    assert _error("1715333400\n" * 3).message == "The log has 3 lines; at most 2."
    far = _error("1715333400\n1815333400\n")
    assert far.message.startswith("The log spans 1,157 days; at most 366.")


def test_the_bounds_leave_room_for_each_other():
    # Every line allowed, at the length of an ISO timestamp with two token counts, fits.
    line = len("2024-05-10 00:00:00.009930+00:00,2162,5\n")
    assert L.MAX_LOG_LINES * line <= L.MAX_LOG_BYTES


def _every_minute(start: datetime, end: datetime, hours: range, weekdays_only: bool) -> str:
    lines, t = [], start
    while t < end:
        if t.hour in hours and not (weekdays_only and t.weekday() >= 5):
            lines.append(t.isoformat())
        t += timedelta(minutes=1)
    return "\n".join(lines)


def test_a_log_spanning_weeks_gives_weekdays_and_weekends_apart():
    # Two weeks of office traffic, one request a minute from 9:00 to 17:00 on weekdays:
    # from Monday 6 May 9:00 to Friday 17 May 16:59.
    text = _every_minute(
        datetime(2024, 5, 6, 9), datetime(2024, 5, 17, 17), range(9, 17), weekdays_only=True
    )
    log = read(text)
    assert log.weekly
    weekday, weekend = log.profile.weekday, log.profile.weekend
    assert weekday.rates[9:17] == pytest.approx((1 / 60,) * 8)
    assert weekday.rates[:9] + weekday.rates[17:] == (0.0,) * 16
    assert weekend.rates == (0.0,) * 24
    assert log.profile.mean_rate == pytest.approx(8 * 60 * 5 / (7 * 24 * HOUR))
    assert not any("less than a week" in w for w in log.warnings)


def test_the_lengths_kept_are_a_seeded_sample_of_real_pairs():
    rows = [f"{1715333400 + i},{100 + i},{1 + i % 7}" for i in range(3000)]
    log = read("\n".join(rows))
    lengths = log.lengths
    assert lengths.count == 3000
    assert len(lengths.sample) == L.MAX_LENGTH_SAMPLES
    assert all(completion == 1 + (prompt - 100) % 7 for prompt, completion in lengths.sample)
    assert read("\n".join(rows)).lengths.sample == lengths.sample  # the same every time
    assert lengths.mean_prompt == pytest.approx(100 + 2999 / 2)
    drawn = lengths.draw(5, random.Random(1))
    assert drawn == lengths.draw(5, random.Random(1))
    assert all(pair in lengths.sample for pair in drawn)


def test_an_answer_reads_back_as_json():
    data = read("2024-05-10T09:00:00Z,10,2\n2024-05-10T10:30:00Z,30,4\n").as_dict()
    assert data["requests"] == 2
    assert data["first"] == "2024-05-10T09:00:00"
    assert data["last"] == "2024-05-10T10:30:00"
    assert data["profile"]["weekday"][9] == pytest.approx(1 / HOUR)
    assert data["lengths"]["sample"] == [[10, 2], [30, 4]]


def test_utc_is_what_unix_seconds_mean():
    moment = datetime(2024, 5, 10, 23, 59, tzinfo=UTC)
    assert read(str(moment.timestamp())).profile.weekday.peak_hour == 23


@pytest.mark.parametrize("cv", [1.0, 3.0, 0.5])
def test_burstiness_is_read_within_each_hour_so_the_days_shape_is_not_taken_for_it(cv):
    # A day of office hours (ten times busier at the peak than at night) drawn with
    # gaps of the given CV: the log gives that CV back, not the day's swing.
    day = preset(Preset.OFFICE_HOURS, peak_rate=3.0).weekday
    arrivals = Arrivals() if cv == 1 else Arrivals.gamma(cv)
    midnight = datetime(2024, 5, 10, tzinfo=UTC).timestamp()
    times = arrivals.over_day(day, seed=1)
    log = read("\n".join(f"{midnight + t:.6f}" for t in times))
    assert log.arrival_cv == pytest.approx(cv, rel=0.05)
    assert log.as_dict()["arrival_cv"] == log.arrival_cv


def test_a_short_log_does_not_say_how_bursty_it_is():
    assert read("1715333400\n1715333460\n").arrival_cv is None


def test_an_error_quotes_a_long_field_cut_short():
    message = _error("1715333400\n" + "x" * 5000 + "\n").message
    assert message == f"Line 2: '{'x' * 40}...' is not a timestamp (ISO 8601, or Unix seconds)."
