"""Answers: one module per question a user asks, between the forms and the estimator.

A request walks form -> answer -> estimator -> template (or JSON): the view binds a form
and picks what to render; the answer does everything between. Each module's
``answer(form, ...)`` validates the bound form, turns its catalog rows into estimator
specs, resolves the price once, calls the estimator, and returns its answer, or a
``FieldErrors`` saying why not (the estimator's objection added to the form's field, so
a page re-renders the form with it). Each module owns its question's defaults.

- ``estimate``: one configuration (the calculator's keystroke, /api/estimate, the CLI's
  ``estimate``, saved scenarios and their "now");
- ``serve``: /api/serve, the serving simulator;
- ``capacity``: the planner: /plan/, /api/plan, the CLI's ``plan``, saved plans and
  "saved vs now";
- ``under_load``, ``gpu_comparison``, ``batch_charts``, ``api_table``: the calculator's
  lazy sections, each on top of an estimate;
- ``listing``: what is in the catalog (/api/gpus, /api/models, /api/offers);
- ``shared``: what they all use: the errors, the price, the APIs compared, the workload.

Answers import forms, the catalog, snapshots and the estimator, never views; forms
never import answers (tests/test_layers.py).
"""
