"""The admin by domain; importing the modules registers their ModelAdmins.

- ``catalog``: GPUs, models, engines, API prices and cloud offers (history, imports);
- ``saved``: scenarios and plans (read-only);
- ``access``: API tokens.
"""

from __future__ import annotations

from calculator.admin import access, catalog, saved

__all__ = ["access", "catalog", "saved"]
