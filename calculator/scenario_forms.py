"""The name and notes a saved scenario carries; the calculator's inputs come alongside
in the same POST and are validated by CalculatorForm."""

from __future__ import annotations

from django import forms

from calculator.limits import NOTES_MAX_LENGTH
from calculator.models import ApiToken, Scenario, Visibility


class ScenarioForm(forms.Form):
    name = forms.CharField(
        max_length=Scenario._meta.get_field("name").max_length,
        label="Scenario name",
        widget=forms.TextInput(attrs={"placeholder": "e.g. Llama 70B chat on 2 × A100"}),
    )
    notes = forms.CharField(
        max_length=NOTES_MAX_LENGTH,
        required=False,
        label="Notes (optional)",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    visibility = forms.ChoiceField(
        choices=Visibility.choices,
        initial=Visibility.LISTED,
        required=False,  # posts that don't say (scripts, older pages) are listed
        label="Who can find it",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs) -> None:
        # Its fields sit on the calculator page, next to the calculator's own.
        kwargs.setdefault("auto_id", "scenario-%s")
        super().__init__(*args, **kwargs)

    def clean_visibility(self) -> str:
        return self.cleaned_data["visibility"] or Visibility.LISTED


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=ApiToken._meta.get_field("name").max_length,
        label="What is it for?",
        widget=forms.TextInput(attrs={"placeholder": "e.g. nightly cost report"}),
    )
