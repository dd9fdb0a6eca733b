"""What the run costs at the price per GPU-hour it is given, and what each commercial
API would charge for the same tokens. Which price applies is pricing.py's rule: this
bills ``Workload.gpu_hourly_usd`` as it is, and nothing without one."""

from __future__ import annotations

from . import constants
from .results import ApiComparison, ApiMonthly, Cost, TraceStep
from .specs import ApiOffering, Workload

NO_PRICE_WARNING = "No hourly price for this GPU: enter one to see costs."


def costs(
    workload: Workload,
    batch: int,
    end_to_end: float,
    saturated: float,
    warnings: list[str],
    cached: int = 0,
) -> tuple[Cost, tuple[ApiComparison, ...]]:
    prompt, completion = workload.prompt_tokens, workload.completion_tokens
    hourly = workload.gpu_hourly_usd
    if hourly is None:
        warnings.append(NO_PRICE_WARNING)
        return Cost(None, None, None, None, None, saturated, None), ()
    per_hour = hourly * workload.num_gpus
    run = per_hour * end_to_end / constants.SECONDS_PER_HOUR
    tokens = batch * (prompt + completion)
    per_1m_output = per_hour / constants.SECONDS_PER_HOUR / saturated * constants.TOKENS_PER_MILLION
    comparisons = tuple(
        _compare(api, workload, batch, run, per_hour, saturated, cached) for api in workload.apis
    )
    against = break_even_api(workload.apis, prompt, completion, cached)
    break_even = next(
        (c.break_even_utilization for c in comparisons if against and c.slug == against.slug),
        None,
    )
    cost = Cost(
        usd_per_hour=per_hour,
        total_usd=run,
        usd_per_1k_tokens=run / tokens * constants.TOKENS_PER_THOUSAND,
        usd_per_1m_output_tokens=per_1m_output,
        break_even_utilization=break_even,
        saturated_output_tokens_per_second=saturated,
        usd_per_gpu_hour=hourly,
    )
    return cost, comparisons


def api_request_usd(api: ApiOffering, prompt: float, completion: float, cached: float = 0) -> float:
    """What the API charges for one request: its input tokens, ``cached`` of them at the
    provider's cache-read price where it lists one (the same hits as our engine's
    prefix cache), and its output tokens. The one rule for an API's price."""
    cached_price = api.cached_input_usd_per_1m
    if cached_price is None:
        cached_price = api.input_usd_per_1m
    return (
        (prompt - cached) * api.input_usd_per_1m
        + cached * cached_price
        + completion * api.output_usd_per_1m
    ) / constants.TOKENS_PER_MILLION


def api_usd_per_1m_output_tokens(
    api: ApiOffering, prompt: int, completion: int, cached: float = 0
) -> float:
    """What an API charges per 1M output tokens of this traffic, its prompts included
    (``cached`` of each at the cache-read price): one request's price / completion x 1M.
    The unit the calculator's self-hosted cost is in (per 1M output tokens), for every
    comparison."""
    return (
        api_request_usd(api, prompt, completion, cached) * constants.TOKENS_PER_MILLION / completion
    )


def break_even_api(
    apis: tuple[ApiOffering, ...] | list[ApiOffering],
    prompt: int,
    completion: int,
    cached: float = 0,
) -> ApiOffering | None:
    """The API the break-even is against: the cheapest (for these tokens) offering of
    the same model, else the cheapest closed reference, else the cheapest of all; not
    deprecated ones unless nothing else is compared, nor free ones (no GPU matches a
    free API)."""
    paid = [
        api for api in apis if api_usd_per_1m_output_tokens(api, prompt, completion, cached) > 0
    ]
    current = [api for api in paid if not api.deprecated] or paid
    group = (
        [api for api in current if api.same_model]
        or [api for api in current if api.reference]
        or current
    )
    return min(
        group,
        key=lambda api: (
            api_usd_per_1m_output_tokens(api, prompt, completion, cached),
            api.slug,
        ),
        default=None,
    )


def api_usd(
    api: ApiOffering, requests: float, prompt: int, completion: int, cached: float = 0
) -> float:
    """What an API charges for ``requests`` requests of ``prompt`` input (``cached`` of
    them at the cache-read price) and ``completion`` output tokens each."""
    return requests * api_request_usd(api, prompt, completion, cached)


def api_bills(
    apis: tuple[ApiOffering, ...],
    requests_per_month: float,
    prompt: int,
    completion: int,
    cached: float = 0,
) -> tuple[ApiMonthly, ...]:
    """Each API's price for a month of the same requests, and per 1M output tokens
    (the calculator's unit), with its same-model / reference / deprecated marks;
    cheapest first."""
    rows = (
        ApiMonthly(
            api.slug,
            api.name,
            api_usd(api, requests_per_month, prompt, completion, cached),
            usd_per_1m_output_tokens=(
                api_usd_per_1m_output_tokens(api, prompt, completion, cached) if completion else 0.0
            ),
            same_model=api.same_model,
            reference=api.reference,
            deprecated=api.deprecated,
        )
        for api in apis
    )
    return tuple(sorted(rows, key=lambda row: (row.usd_per_month, row.slug)))


def _compare(
    api: ApiOffering,
    workload: Workload,
    batch: int,
    run: float,
    per_hour: float,
    saturated: float,
    cached: int = 0,
) -> ApiComparison:
    prompt, completion = workload.prompt_tokens, workload.completion_tokens
    per_request = api_request_usd(api, prompt, completion, cached)
    api_run = batch * per_request
    # What the API would charge for an hour of our full-load output.
    api_hour = saturated * constants.SECONDS_PER_HOUR * per_request / completion
    return ApiComparison(
        slug=api.slug,
        name=api.name,
        total_usd=api_run,
        ratio=run / api_run if api_run else None,
        break_even_utilization=per_hour / api_hour if api_hour else None,
        usd_per_1m_output_tokens=api_usd_per_1m_output_tokens(api, prompt, completion),
    )


def trace(workload: Workload, cost: Cost, end_to_end: float) -> list[TraceStep]:
    if cost.usd_per_hour is None:
        return []
    hour = constants.SECONDS_PER_HOUR
    steps = [
        TraceStep(
            "cost",
            "Cost of one run",
            "GPUs x price per GPU-hour x end-to-end time",
            f"{workload.num_gpus} x ${cost.usd_per_gpu_hour:,.2f} x {end_to_end:,.2f} s / "
            f"{hour:,.0f}",
            cost.total_usd,
            "USD",
        ),
        TraceStep(
            "cost",
            "Cost per 1M output tokens at full load",
            f"price per hour / ({hour:,.0f} x saturated output tokens/s) x 1M",
            f"${cost.usd_per_hour:,.2f} / ({hour:,.0f} x "
            f"{cost.saturated_output_tokens_per_second:,.1f})",
            cost.usd_per_1m_output_tokens,
            "USD",
        ),
    ]
    if cost.break_even_utilization is not None:
        steps.append(
            TraceStep(
                "cost",
                "Break-even utilisation (cheapest same-model API, else reference)",
                "price per hour / API price of the tokens served in an hour at full load",
                f"${cost.usd_per_hour:,.2f} / API cost of "
                f"{cost.saturated_output_tokens_per_second * hour:,.0f} output tokens",
                cost.break_even_utilization,
                "fraction",
            )
        )
    return steps
