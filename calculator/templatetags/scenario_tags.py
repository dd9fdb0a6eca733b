"""Template helpers for saved scenarios: the save fragment gets a blank ScenarioForm when
the calculator page includes it. Figures are formatted by calc_format's filters."""

from __future__ import annotations

from django import template

from calculator.scenario_forms import ScenarioForm

register = template.Library()


@register.simple_tag
def scenario_form_or_blank(form=None) -> ScenarioForm:
    """The bound form the save view passed in, or a blank one."""
    return form if isinstance(form, ScenarioForm) else ScenarioForm()
