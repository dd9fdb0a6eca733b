"""The /plan/ page's day pieces (issue 21): the hourly table's preset buttons, filled from
the estimator's presets, and a request log uploaded to /plan/log with the page's inputs."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from django.urls import reverse

from calculator.answers import capacity
from calculator.estimator import traffic
from calculator.limits import MAX_PLAN_BODY_BYTES
from calculator.models import Plan
from calculator.plan_forms import PlanForm
from tests.test_plan_day import PLAN, _log

pytestmark = pytest.mark.django_db

URL = "calculator:plan-log"
# What the page's form sends besides the log: its rate and an hourly profile, which the
# log replaces, and typed lengths left empty so the log's means are used.
PAGE = {**PLAN, "prompt": "", "completion": "", "rate": "3", "hourly_rates": ",".join("1" * 24)}


def _upload(client, data: bytes, *, htmx: bool = True, **params):
    upload = SimpleUploadedFile("log.csv", data, content_type="text/csv")
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(reverse(URL), {**PAGE, **params, "request_log": upload}, headers=headers)


# Section: the hourly table


def test_each_preset_button_carries_the_estimators_shape_at_a_peak_of_one():
    table = capacity.day_table()
    assert table.hours == tuple(range(24))
    assert [p.label for p in table.presets] == ["Office hours", "Global 24/7", "Batch at night"]
    for button, name in zip(table.presets, traffic.Preset, strict=True):
        shares = [float(s) for s in button.at_peak_one.split(",")]
        week = traffic.preset(name, peak_rate=7.0)
        # Times the peak typed, the button gives what the estimator's preset gives.
        assert [7.0 * s for s in shares] == pytest.approx(week.weekday.rates)
        assert max(shares) == 1


def test_the_page_renders_24_labelled_hours_and_the_preset_buttons(client):
    text = client.get(reverse("calculator:plan")).content.decode()
    hours = re.findall(
        r'<label[^>]*for="hour-(\d+)"><span class="visually-hidden">Hour </span>', text
    )
    assert hours == [str(h) for h in range(24)]
    assert text.count("data-hour>") == 24
    # The cells have no name: the hourly_rates field alone is sent.
    assert not re.search(r'<input[^>]*name="[^"]*"[^>]*data-hour', text)
    office = capacity.day_table().presets[0]
    assert f'data-rates="{office.at_peak_one}">Office hours</button>' in text
    assert 'data-replaces="rate requests_per_day peak_factor traffic_preset"' in text
    assert "js/day-table.js" in text


# Section: the request log's upload


def test_a_log_plans_the_day_from_the_page_inputs(client):
    response = _upload(client, _log())
    assert response.status_code == 200
    text = response.content.decode()
    assert "<html" not in text  # the results, and each field's message out of band
    assert 'id="plan-day"' in text
    assert 'id="plan-schedule"' in text
    assert 'id="id_request_log_error" class="field-error invalid-feedback d-block"' in text
    # The log's rates (24 of them) and mean lengths go to "Save this plan", not the file.
    hourly = re.search(r'name="hourly_rates" value="([^"]*)"', text).group(1)
    assert len(hourly.split(",")) == 24 and hourly != PAGE["hourly_rates"]
    assert 'name="prompt" value="1000"' in text  # the log's mean: 900 + 99.5
    assert 'id="plan-lengths"' in text  # each request's lengths drawn from the log
    assert not Plan.objects.exists()


def test_typed_lengths_plan_every_request_at_them(client):
    text = _upload(client, _log(), prompt="1000", completion="200").content.decode()
    assert 'id="plan-day"' in text
    assert 'id="plan-lengths"' not in text


def test_a_log_without_htmx_answers_the_whole_page(client):
    response = _upload(client, _log(), htmx=False)
    assert response.status_code == 200
    text = response.content.decode()
    assert "<html" in text
    assert 'id="plan-schedule"' in text
    assert 'id="plan-log"' in text


def test_a_malformed_log_shows_the_error_naming_its_line_and_saves_nothing(client):
    response = _upload(client, _log(bad_line=13))
    assert response.status_code == 200
    text = response.content.decode()
    assert 'id="plan-errors"' in text
    assert "Line 13: &#x27;soon&#x27;" in text
    error = re.search(r'<div id="id_request_log_error"[^>]*>(.*?)</div>', text).group(1)
    assert "Line 13" in error
    assert 'id="plan-day"' not in text
    assert not Plan.objects.exists()


def test_an_upload_without_a_log_asks_for_one(client):
    response = client.post(reverse(URL), PAGE, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b'id="plan-errors"' in response.content


def test_the_upload_takes_only_posts(client):
    assert client.get(reverse(URL), PAGE).status_code == 405


def test_a_body_over_the_limit_is_refused_unread(client):
    upload = SimpleUploadedFile("log.csv", _log(10), content_type="text/csv")
    response = client.post(
        reverse(URL),
        {**PAGE, "request_log": upload},
        CONTENT_LENGTH=str(MAX_PLAN_BODY_BYTES + 1),
    )
    assert response.status_code == 400
    assert b"a log of at most" in response.content


def test_the_log_sets_the_rates_aside_and_keeps_the_other_inputs():
    query = QueryDict(mutable=True)
    query.update({**PAGE, "requests_per_day": "100", "traffic_preset": "global"})
    query.setlist("gpus", ["h100-sxm", "l40s"])
    kept = capacity.log_query(query)
    for name in capacity.LOG_REPLACES:
        assert name not in kept
    assert kept.getlist("gpus") == ["h100-sxm", "l40s"]
    assert kept["engine"] == capacity.DEFAULTS["engine"]


def test_the_upload_carries_the_page_inputs_without_javascript():
    form = PlanForm({**PAGE, "n_plus_one": "on", "gpus": "h100-sxm,l40s"})
    carried = dict(capacity.carried_inputs(form))
    assert carried["model"] == "llama-3.1-8b"
    assert carried["gpus"] == "h100-sxm,l40s"
    assert carried["n_plus_one"] == "on"
    assert not set(carried) & {*capacity.LOG_REPLACES, "request_log", "prompt"}
