"""Template helpers for saved scenarios: one filter formats a figure by its kind, and
the save fragment gets a blank ScenarioForm when the calculator page includes it."""

from __future__ import annotations

from django import template

from calculator.scenario_forms import ScenarioForm
from calculator.templatetags.calc_format import (
    MISSING,
    format_bytes,
    format_count,
    format_duration,
    format_percent,
    format_tokens_per_second,
    format_usd,
)

register = template.Library()

# Figure.kind (calculator/snapshots.py) -> the calculator's display filter.
FORMATS = {
    "seconds": format_duration,
    "rate": format_tokens_per_second,
    "usd": format_usd,
    "bytes": format_bytes,
    "int": format_count,
    "percent": format_percent,
}


@register.filter
def figure(value, kind: str) -> str:
    """A saved figure for people: {{ 0.43|figure:"seconds" }} -> "430 ms"."""
    if kind == "bool":
        return MISSING if value is None else ("Yes" if value else "No")
    formatter = FORMATS.get(kind)
    if formatter:
        return formatter(value)
    return MISSING if value in (None, "") else str(value)


@register.simple_tag
def scenario_form_or_blank(form=None) -> ScenarioForm:
    """The bound form the save view passed in, or a blank one."""
    return form if isinstance(form, ScenarioForm) else ScenarioForm()
