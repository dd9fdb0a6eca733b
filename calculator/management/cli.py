"""What the commands that take the API's parameters as options share."""

from __future__ import annotations

from django import forms
from django.core.management.base import CommandError


def invalid_input(form: forms.Form) -> CommandError:
    """The form's errors as one CommandError, each under the option that takes it."""
    lines = [
        f"  --{field.replace('_', '-')}: {' '.join(messages)}"
        for field, messages in form.errors.items()
    ]
    return CommandError("Invalid input:\n" + "\n".join(lines))
