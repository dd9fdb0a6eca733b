"""Error bands: how far off the estimate is likely to be, from measurements like the query.

The evidence is the calibration set's leave-one-source-out errors: each published
measurement against the estimate made with engine constants fitted on the *other*
sources (``fitting.holdout``). A query's band comes from the errors of the measurements
most like it: the same regime, then the same GPU family and engine, the same kind of
model (mixture of experts or dense) and a similar load, relaxing one at a time until
enough measurements are left. A query on a GPU family nothing was measured on gets a
wide band and says so.

Bands are multipliers of the estimate for an interval meant to hold the true figure
``LEVEL`` of the time: the factor by which ``LEVEL`` of the similar measurements
differ from their estimates, either way, widened by a margin for what differs between
sources (one lab's harness, driver and engine build against another's). The band is
centred on the estimate: shifting it by the similar measurements' median error would
carry one source's bias to another, and held out by source that does worse (wider bands
for the same coverage). The margin is set per regime (``calibrate_margin``) so that,
tried on each measurement with its own source left out of the evidence, the bands do
hold it ``LEVEL`` of the time.

Orientation: ``ratio`` is measured / estimated for a *time* in the decode and
time-to-first-token regimes (seconds per token, seconds) and for a *rate* in the
throughput regime (tokens per second). ``Band.inverse()`` turns one into the other
(a band on tokens/s per stream from one on seconds per token; cost per token from
throughput).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

# The share of outcomes a band is meant to hold (the issue asks for 80% bands).
LEVEL = 0.8
# Fewest measurements a band is built from; with fewer, the next, broader set is used.
# Assumption: below ~6 points the 10th/90th percentiles are the extremes themselves.
MIN_EVIDENCE = 6
# No band is narrower than this either side of the estimate (repeat runs of the same
# benchmark differ by a few percent: gpustack's duplicate runs, 0.1-4%).
MIN_HALF_WIDTH = 0.05
# A GPU family no measurement covers: the whole regime's spread, widened by this much
# (assumption; the leave-one-GPU-out medians are 1.3-2x the in-sample ones).
UNMEASURED_WIDEN = 1.6
# Prompts this long or longer count as long context.
LONG_CONTEXT_TOKENS = 8192
# Batches up to this size count as light load; above it, heavy (and "max").
LIGHT_BATCH = 16

REGIME_ORIENTATION = {"decode": "time", "ttft": "time", "saturation": "rate"}


@dataclass(frozen=True)
class Features:
    """What makes two configurations alike for the purpose of their error."""

    gpu_family: str
    engine: str
    model_family: str
    moe: bool
    load: str  # "one", "light", "heavy"
    context: str  # "short", "long"


@dataclass(frozen=True)
class Evidence:
    regime: str
    source: str
    features: Features
    ratio: float  # measured / estimated, in the regime's orientation (see above)


@dataclass(frozen=True)
class Band:
    low: float  # multipliers of the estimate
    high: float
    count: int  # measurements it is based on
    basis: str  # plain words: what those measurements are
    measured_like: bool  # False: nothing like this was measured

    def inverse(self) -> Band:
        """The band on 1 / the quantity (a rate from a time, a cost from a rate)."""
        return Band(1 / self.high, 1 / self.low, self.count, self.basis, self.measured_like)

    def around(self, value: float) -> tuple[float, float]:
        return value * self.low, value * self.high


# Features


_SIZE = re.compile(r"^\d")


def gpu_family(slug: str) -> str:
    """'h100-sxm' -> 'H100'; 'a100-80gb-pcie' -> 'A100'; 'rtx-4090' -> 'RTX 4090'."""
    parts = slug.lower().split("-")
    if parts[0] == "rtx" and len(parts) > 1:
        return f"RTX {parts[1].upper()}"
    return parts[0].upper()


def model_family(slug: str) -> str:
    """'llama-3.1-70b' -> 'llama'; 'gpt-oss-20b' -> 'gpt-oss'; 'qwen2.5-7b' -> 'qwen'."""
    words = []
    for part in slug.lower().split("-"):
        if _SIZE.match(part):
            break
        words.append(re.sub(r"[\d.]+$", "", part))
    return "-".join(w for w in words if w) or slug


def load_bucket(batch: int | None) -> str:
    """One stream, a light batch, or a heavy one (None: the largest that fits)."""
    if batch == 1:
        return "one"
    if batch is not None and batch <= LIGHT_BATCH:
        return "light"
    return "heavy"


def context_bucket(prompt_tokens: int) -> str:
    return "long" if prompt_tokens >= LONG_CONTEXT_TOKENS else "short"


def features(
    gpu: str, engine: str, model: str, moe: bool, batch: int | None, prompt_tokens: int
) -> Features:
    return Features(
        gpu_family=gpu_family(gpu),
        engine=engine,
        model_family=model_family(model),
        moe=moe,
        load=load_bucket(batch),
        context=context_bucket(prompt_tokens),
    )


# Bands


def _quantile(sorted_values: Sequence[float], q: float) -> float:
    """Linear interpolation between order statistics (numpy's default)."""
    position = q * (len(sorted_values) - 1)
    low = math.floor(position)
    high = min(low + 1, len(sorted_values) - 1)
    fraction = position - low
    return sorted_values[low] * (1 - fraction) + sorted_values[high] * fraction


def _kind(f: Features) -> str:
    return "mixture-of-experts" if f.moe else "dense"


_LOAD_WORDS = {"one": "one stream", "light": "light load", "heavy": "heavy load"}


def _tiers(q: Features) -> list[tuple[Callable[[Features], bool], str]]:
    """From most to least alike, each with how its measurements are described."""
    return [
        (
            lambda f: (
                f.gpu_family == q.gpu_family
                and f.engine == q.engine
                and f.moe == q.moe
                and f.load == q.load
                and f.context == q.context
            ),
            f"{q.engine} on {q.gpu_family}, {_kind(q)} models, {_LOAD_WORDS[q.load]}",
        ),
        (
            lambda f: f.gpu_family == q.gpu_family and f.engine == q.engine and f.moe == q.moe,
            f"{q.engine} on {q.gpu_family}, {_kind(q)} models",
        ),
        (
            lambda f: f.gpu_family == q.gpu_family and f.engine == q.engine,
            f"{q.engine} on {q.gpu_family}",
        ),
        (lambda f: f.gpu_family == q.gpu_family, f"setups on {q.gpu_family}"),
    ]


def _from_ratios(ratios: Iterable[float], margin: float, widen: float = 1.0) -> tuple[float, float]:
    """Multipliers (1 / f, f): f is the factor within which ``LEVEL`` of the ratios lie
    either way (scaled by ``widen``), moved out by ``margin`` (natural-log units)."""
    misses = sorted(abs(math.log(r)) for r in ratios)
    half = max(widen * _quantile(misses, LEVEL) + margin, math.log1p(MIN_HALF_WIDTH))
    return math.exp(-half), math.exp(half)


def band(regime: str, query: Features, evidence: Iterable[Evidence], margin: float = 0.0) -> Band:
    """The band for a query's estimate in one regime (``margin`` from the report)."""
    pool = [e for e in evidence if e.regime == regime]
    if not pool:
        return Band(0.5, 2.0, 0, "no measurements in this regime: a factor of two", False)
    for matches, words in _tiers(query):
        rows = [e for e in pool if matches(e.features)]
        if len(rows) >= MIN_EVIDENCE:
            low, high = _from_ratios((e.ratio for e in rows), margin)
            return Band(low, high, len(rows), f"{len(rows)} measurements of {words}", True)
    low, high = _from_ratios((e.ratio for e in pool), margin, UNMEASURED_WIDEN)
    return Band(
        low,
        high,
        len(pool),
        f"nothing like this was measured ({query.engine} on {query.gpu_family}): a wide "
        f"band from {len(pool)} measurements of other setups",
        False,
    )


def held_out_bands(
    evidence: Sequence[Evidence], regime: str, margin: float
) -> list[tuple[Evidence, Band]]:
    """Each of the regime's measurements with the band built for it without any
    measurement from its own source."""
    rows = [e for e in evidence if e.regime == regime]
    return [
        (e, band(regime, e.features, [o for o in rows if o.source != e.source], margin))
        for e in rows
    ]


def coverage(evidence: Sequence[Evidence], regime: str, margin: float) -> tuple[float, int]:
    """Share of the regime's measurements inside their band when the band is built
    without any measurement from their own source, and how many were tried."""
    tried = held_out_bands(evidence, regime, margin)
    if not tried:
        return math.nan, 0
    inside = sum(b.low <= e.ratio <= b.high for e, b in tried)
    return inside / len(tried), len(tried)


def median_width(
    evidence: Sequence[Evidence], regime: str, margin: float, held_out: bool = True
) -> float:
    """The median of high / low over the regime's measurements' bands: how much an 80%
    band spans from its low end to its high end. ``held_out``: each built without its
    own source (the bands coverage judges); else from all the evidence (the band a
    query like that measurement is answered with)."""
    if held_out:
        found = [b for _, b in held_out_bands(evidence, regime, margin)]
    else:
        rows = [e for e in evidence if e.regime == regime]
        found = [band(regime, e.features, rows, margin) for e in rows]
    widths = sorted(b.high / b.low for b in found)
    return _quantile(widths, 0.5) if widths else math.nan


# Margins tried (natural-log units, 0.025 = 2.5%), smallest first; the first whose
# coverage reaches LEVEL wins.
MARGIN_STEPS = tuple(round(0.025 * i, 3) for i in range(81))


def calibrate_margin(evidence: Sequence[Evidence], regime: str) -> float:
    """The smallest margin (in MARGIN_STEPS) whose leave-one-source-out coverage
    reaches LEVEL."""
    for margin in MARGIN_STEPS:
        share, count = coverage(evidence, regime, margin)
        if count == 0 or share >= LEVEL:
            return margin
    return MARGIN_STEPS[-1]


# The figures an estimate's answer carries a band for: the regime whose evidence applies,
# and whether the figure moves with the regime's orientation or against it (a rate from
# a time band, a cost from a throughput band).
FIGURE_BANDS = (
    ("time_to_first_token_seconds", "ttft", False),
    ("seconds_per_output_token", "decode", False),
    ("tokens_per_second_per_sequence", "decode", True),
    ("tokens_per_second", "decode", True),
    ("saturated_output_tokens_per_second", "saturation", False),
    ("usd_per_1m_output_tokens", "saturation", True),
)


def regime_bands(query: Features, evidence: Sequence[Evidence], margin: Mapping) -> dict[str, Band]:
    """The query's band in each regime (``margin`` per regime, from the report): what
    confidence() needs from the evidence, the same for every query with these features
    (so the app can keep it per features)."""
    return {r: band(r, query, evidence, margin.get(r, 0.0)) for r in REGIME_ORIENTATION}


def confidence(
    query: Features,
    figures: Mapping[str, float | None],
    evidence: Sequence[Evidence],
    margin: Mapping,
    figure_bands: Sequence[tuple[str, str, bool]] = FIGURE_BANDS,
) -> dict:
    """Each figure with its band: {"level", figure: {estimate, low, high, measurements,
    basis, measured_like}}, for the figures ``figure_bands`` names (a figure's name or
    its path in the JSON, its regime, whether it runs against the regime's orientation).
    A figure that is None (no price, no second token) stays None; one not in
    ``figures`` is left out."""
    return banded(figures, regime_bands(query, evidence, margin), figure_bands)


def banded(
    figures: Mapping[str, float | None],
    by_regime: Mapping[str, Band],
    figure_bands: Sequence[tuple[str, str, bool]] = FIGURE_BANDS,
) -> dict:
    """confidence() from the regimes' bands (regime_bands())."""
    answer: dict = {"level": LEVEL}
    for name, regime, inverted in figure_bands:
        if name not in figures:
            continue
        value = figures[name]
        b = by_regime[regime].inverse() if inverted else by_regime[regime]
        low, high = b.around(value) if value is not None else (None, None)
        answer[name] = {
            "estimate": value,
            "low": low,
            "high": high,
            "measurements": b.count,
            "basis": b.basis,
            "measured_like": b.measured_like,
        }
    return answer


# Serving (/api/serve) and plans: the same bands on a simulation's figures, keyed by their
# path in the JSON. Latencies under load take the band of the regime they are made of;
# end to end is mostly decoding at the lengths people serve, so it takes the decode band
# (assumption: a long prompt with a short answer is better read from the TTFT band);
# throughput takes the throughput-under-load band.
SERVING_STATISTICS = ("mean", "p50", "p90", "p95", "p99")
SERVING_FIGURE_BANDS = (
    *((f"ttft_ms.{s}", "ttft", False) for s in SERVING_STATISTICS),
    *((f"tpot_ms.{s}", "decode", False) for s in SERVING_STATISTICS),
    *((f"e2e_s.{s}", "decode", False) for s in SERVING_STATISTICS),
    ("throughput.requests_per_second", "saturation", False),
    ("throughput.output_tokens_per_second", "saturation", False),
    ("throughput.total_tokens_per_second", "saturation", False),
)
# A plan option's capacity per replica is a throughput (requests/s at the targets);
# its latencies at the planned load are the serving ones.
PLAN_FIGURE_BANDS = (
    ("max_rate_per_replica", "saturation", False),
    ("ttft_ms", "ttft", False),
    ("tpot_ms", "decode", False),
)


def paths(tree: Mapping, names: Iterable[str]) -> dict[str, float | None]:
    """The values at dotted paths ("ttft_ms.p95") of a JSON-shaped dict; a path the
    tree lacks is left out."""
    found: dict[str, float | None] = {}
    for name in names:
        node = tree
        for key in name.split("."):
            if not isinstance(node, Mapping) or key not in node:
                break
            node = node[key]
        else:
            found[name] = node
    return found


def serving_batch(concurrency: int | None, requests_per_second: float, e2e_mean_s: float) -> int:
    """The load a simulation's band is looked up at: the concurrency it was run at, else
    the requests in flight on average (Little's law: rate x mean time in the system)."""
    if concurrency:
        return concurrency
    if not math.isfinite(e2e_mean_s) or requests_per_second <= 0:
        return 1
    return max(1, round(requests_per_second * e2e_mean_s))
