"""Load shedding for the heavy endpoints: the serving simulator and the planner.

A heavy request costs up to a few seconds of CPU (the work budget bounds it,
``estimator/budget.py``); a cheap one (``/healthz``, ``/api/estimate``, a keystroke) a
few milliseconds. Without a bound, a flood of heavy requests takes every worker and
the cheap ones wait behind it for minutes. ``@heavy`` puts two bounds on them:

1. **A per-client rate**, ``CALCULATOR_COMPUTE_RATE``, counted in the database
   (``ratelimit.hit``), so it holds across workers and servers: 429.
2. **A few computations at once per process**: gunicorn runs gthread workers (several
   threads per process, README/docs operations), and each process lets at most
   ``CALCULATOR_HEAVY_SLOTS`` heavy requests compute at once, with at most
   ``CALCULATOR_HEAVY_QUEUE`` more waiting up to ``HEAVY_WAIT_S`` for a slot; the rest
   are refused at once: 503. The other threads stay free for cheap requests, which
   never wait behind a computation (they share the CPU with it, not a queue).

Why not a task queue (Django's tasks framework, a broker): the answers are synchronous
and bounded (seconds), there is no result to fetch later, and a queue would only move
the waiting somewhere else while adding a service to run. A bounded number of
concurrent computations per process sheds the excess at once, with ``Retry-After``.

Refused requests say so in the form their caller reads: JSON for the API; under htmx a
200 fragment swapped into the section that asked (htmx 2 swaps no 4xx/5xx, as for the
save limit), with a button to try again; a 429/503 page otherwise.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from calculator import ratelimit
from calculator.access import API_PREFIX

# How long a heavy request waits for a slot before it is refused: about one typical
# plan (the example takes ~2 s), so two people planning at once both get an answer.
HEAVY_WAIT_S = 2.0
# What a shed request is told to wait before trying again (Retry-After).
BUSY_RETRY_AFTER_S = 5
RATE_ACTION = "compute"  # the rate counter's action name (RateCounter.key prefix)


class Gate:
    """At most ``slots`` holders at once, at most ``queue`` more waiting."""

    def __init__(self, slots: int, queue: int) -> None:
        self.slots, self.queue = slots, queue
        self._free = threading.BoundedSemaphore(slots)
        self._lock = threading.Lock()
        self._waiting = 0

    def enter(self, timeout: float) -> bool:
        """Take a slot, waiting up to ``timeout`` if the queue has room; False if none."""
        if self._free.acquire(blocking=False):
            return True
        with self._lock:
            if self._waiting >= self.queue:
                return False
            self._waiting += 1
        try:
            return self._free.acquire(timeout=timeout)
        finally:
            with self._lock:
                self._waiting -= 1

    def leave(self) -> None:
        self._free.release()


_gate: Gate | None = None
_gate_lock = threading.Lock()


def gate() -> Gate:
    """This process's gate, made anew when the settings change (tests change them)."""
    global _gate
    slots, queue = settings.CALCULATOR_HEAVY_SLOTS, settings.CALCULATOR_HEAVY_QUEUE
    with _gate_lock:
        if _gate is None or (_gate.slots, _gate.queue) != (slots, queue):
            _gate = Gate(slots, queue)
        return _gate


def heavy(
    view: Callable[..., HttpResponse] | None = None,
    *,
    when: Callable[[HttpRequest], bool] | None = None,
):
    """Rate-limit and shed a view that simulates or plans; ``when(request)`` says
    whether this request computes at all (the plan page without a query doesn't)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if when is not None and not when(request):
                return view(request, *args, **kwargs)
            verdict = ratelimit.hit(RATE_ACTION, request, settings.CALCULATOR_COMPUTE_RATE)
            if not verdict.allowed:
                message = (
                    f"Too many computations: at most {verdict.rate} from one client. "
                    f"Try again in {verdict.retry_after_s} s."
                )
                return refused(request, 429, message, verdict.retry_after_s)
            current = gate()
            if not current.enter(HEAVY_WAIT_S):
                message = (
                    "The server is busy with other simulations and plans. "
                    f"Try again in {BUSY_RETRY_AFTER_S} s."
                )
                return refused(request, 503, message, BUSY_RETRY_AFTER_S)
            try:
                return view(request, *args, **kwargs)
            finally:
                current.leave()

        return wrapper

    return decorate(view) if view is not None else decorate


def refused(request: HttpRequest, status: int, message: str, retry_after_s: int) -> HttpResponse:
    """The refusal in the form the caller reads, with Retry-After."""
    if request.path_info.startswith(API_PREFIX):
        response = JsonResponse({"error": message}, status=status)
    elif getattr(request, "htmx", False):
        context = {"message": message, "retry_url": request.get_full_path()}
        target = request.htmx.target
        context["target"] = target
        response = render(request, "calculator/_busy.html", context)
        if target:
            # Into the section that asked, keeping it (and its id) for the retry.
            response.headers["HX-Retarget"] = f"#{target}"
            response.headers["HX-Reswap"] = "innerHTML"
    else:
        response = render(request, "calculator/busy.html", {"message": message}, status=status)
    response.headers["Retry-After"] = str(retry_after_s)
    return response
