"""Named values every template may compare with, instead of typed-out strings and
numbers: ``limits`` (calculator/limits.py), ``Basis`` (where a price comes from) and
``Pricing`` (on-demand or spot), e.g. ``{% if price.basis == Basis.TYPED %}``."""

from __future__ import annotations

from calculator import limits
from calculator.estimator.pricing import Basis, Pricing

NAMED_VALUES = {
    "limits": {name: getattr(limits, name) for name in limits.__all__},
    "Basis": {member.name: member.value for member in Basis},
    "Pricing": {member.name: member.value for member in Pricing},
}


def named_values(request) -> dict:
    return NAMED_VALUES
