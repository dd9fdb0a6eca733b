"""The app's imports point down its layers, with no cycles, and a request walks
form -> answer -> estimator -> template (the estimator's own purity test is in
test_estimator.py).

Layers, top to bottom; a module imports from its own layer or those below:

0. entry points: views, urls, management commands, the admin, template tags that
   build forms;
1. answers (calculator/answers/): one module per question;
2. what answers use to show and keep an answer: figures, charts, snapshots, the
   calibration report, the formatting filters, and the app's other services (access,
   rate limits, load shedding, exports, backups, the deploy recipe);
3. forms: validation only;
4. the catalog, the models, the limits, the safe JSON reader;
5. the estimator: pure Python.
"""

from __future__ import annotations

import ast
import functools
import sys
import textwrap
from pathlib import Path
from unittest import mock

import pytest
from django.urls import reverse

from calculator.answers import capacity, estimate, serve
from calculator.estimator import count_parameters
from tests.estimator_fixtures import LLAMA_3_8B

APP = Path(__file__).resolve().parent.parent / "calculator"

LAYERS = (
    (
        "calculator.views",
        "calculator.urls",
        "calculator.management",
        "calculator.admin",
        "calculator.templatetags.scenario_tags",
        "calculator.apps",
    ),
    ("calculator.answers",),
    (
        "calculator.snapshots",
        "calculator.figures",
        "calculator.charts",
        "calculator.calibration_report",
        "calculator.context_processors",
        "calculator.templatetags",
        "calculator.backup",
        "calculator.resources",
        "calculator.ratelimit",
        "calculator.access",
        "calculator.shedding",
        "calculator.exports",
        "calculator.deploy",
    ),
    ("calculator.forms", "calculator.plan_forms", "calculator.scenario_forms"),
    (
        "calculator.catalog",
        "calculator.models",
        "calculator.litellm",
        "calculator.limits",
        "calculator.jsonbody",
    ),
    ("calculator.estimator",),
)


def _module(path: Path) -> str:
    parts = list(path.relative_to(APP.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {
    _module(path): path
    for path in APP.rglob("*.py")
    if "migrations" not in path.parts and _module(path) != "calculator"
}


def layer(module: str) -> int:
    """The layer of a module: the longest prefix listed wins."""
    best, found = -1, None
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, found = len(prefix), index
    assert found is not None, f"{module} is in no layer: add it to LAYERS"
    return found


def imports(module: str) -> set[str]:
    """The app modules a module imports (anywhere in it, functions included)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, *([node.module] if node.module else [])])
            # "from calculator.answers import estimate" imports the submodule.
            names = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                for alias in node.names
            ]
        else:
            continue
        found |= {name for name in names if name in MODULES}
    return found - {module}


GRAPH = {module: imports(module) for module in MODULES}


def test_every_module_has_a_layer():
    for module in MODULES:
        layer(module)


def test_imports_only_point_down_the_layers():
    upward = [
        f"{module} (layer {layer(module)}) imports {target} (layer {layer(target)})"
        for module, targets in GRAPH.items()
        for target in targets
        if layer(target) < layer(module)
    ]
    assert upward == []


def test_forms_never_import_answers_and_answers_never_import_views():
    for module, targets in GRAPH.items():
        if module.startswith("calculator.answers"):
            assert not any(t.startswith("calculator.views") for t in targets), module
        if layer(module) == 3:
            assert not any(t.startswith("calculator.answers") for t in targets), module


def test_views_reach_the_estimator_only_through_answers():
    for module, targets in GRAPH.items():
        if module.startswith("calculator.views"):
            assert not any(t.startswith("calculator.estimator") for t in targets), module


def test_there_are_no_import_cycles():
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        if module in path:
            cycle = path[path.index(module) :] + (module,)
            pytest.fail("import cycle: " + " -> ".join(cycle))
        if module in done:
            return
        for target in GRAPH[module]:
            visit(target, (*path, module))
        done.add(module)

    for module in GRAPH:
        visit(module, ())


def test_an_upward_import_would_be_caught():
    # The checks above are not vacuous: a form importing an answer is upward.
    assert layer("calculator.forms") > layer("calculator.answers.estimate")
    assert "calculator.answers.shared" in GRAPH["calculator.answers.estimate"]
    assert "calculator.forms" in GRAPH["calculator.answers.shared"]


# Section: the size of a function

# "No function in the app over about 100 lines" (issue 18): past it, a function holds
# more than one idea; split it. Tests, migrations and benchmarks are not the app.
MAX_FUNCTION_LINES = 100
APP_ROOTS = (APP, APP.parent / "config")


def long_functions(source: str, limit: int = MAX_FUNCTION_LINES) -> list[tuple[str, int]]:
    """The functions (methods and nested ones included) longer than `limit` lines,
    decorators and docstring counted, with their length."""
    return [
        (node.name, node.end_lineno - node.lineno + 1)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > limit
    ]


def test_no_app_function_is_over_a_hundred_lines():
    paths = [
        path
        for root in APP_ROOTS
        for path in sorted(root.rglob("*.py"))
        if "migrations" not in path.parts
    ]
    assert len(paths) > 50  # the walk reads the app, not an empty folder
    too_long = [
        f"{path.relative_to(APP.parent)}: {name} is {length} lines"
        for path in paths
        for name, length in long_functions(path.read_text())
    ]
    assert too_long == []


def test_a_long_function_would_be_caught():
    body = "".join(f"    x{i} = {i}\n" for i in range(MAX_FUNCTION_LINES))
    assert long_functions(f"def long():\n{body}") == [("long", MAX_FUNCTION_LINES + 1)]
    assert long_functions(f"def fits():\n{body}", limit=MAX_FUNCTION_LINES + 1) == []
    method = f"class C:\n    def method(self):\n{textwrap.indent(body, '    ')}"
    assert long_functions(method) == [("method", MAX_FUNCTION_LINES + 1)]


# Section: a request's walk
#
# A request's walk is recorded, not assumed: sys.setprofile sees every Python call
# while the test client serves it, and each call from one part of the app into another
# becomes an edge between "stops". The walk must be view -> form and view -> answer,
# answer -> estimator, the estimator calling back only into answers (the price function
# it is given), template filters never reaching back into answers or the estimator,
# and nothing else between a view and the estimator. The request's plumbing (load
# shedding, rate limits, access) may wrap a view.

PLUMBING = {"calculator.shedding", "calculator.ratelimit", "calculator.access"}


@functools.cache
def stop(filename: str) -> str | None:
    """The stop a frame of this file belongs to: view, form, answer, estimator,
    template (the filters run while a template renders), or the module's name for the
    rest of the app; None outside the app."""
    path = Path(filename)
    if not path.is_relative_to(APP) or "migrations" in path.parts:
        return None
    module = _module(path)
    for name, prefix in (
        ("view", "calculator.views"),
        ("answer", "calculator.answers"),
        ("estimator", "calculator.estimator"),
        ("template", "calculator.templatetags"),
    ):
        if module == prefix or module.startswith(prefix + "."):
            return name
    return "form" if module in MODULES and layer(module) == 3 else module


class Walk:
    """The edges (caller stop, callee stop) of everything run inside the block."""

    def __init__(self) -> None:
        self.edges: set[tuple[str, str]] = set()

    def _profile(self, frame, event, arg) -> None:
        # Called for every Python call of the request: kept lean (stop() is cached).
        if event == "call" and frame.f_back is not None:
            callee = stop(frame.f_code.co_filename)
            if callee is not None:
                caller = stop(frame.f_back.f_code.co_filename)
                if caller is not None and caller != callee:
                    self.edges.add((caller, callee))

    def __enter__(self) -> Walk:
        sys.setprofile(self._profile)
        return self

    def __exit__(self, *exc) -> None:
        sys.setprofile(None)


def walk_problems(edges: set[tuple[str, str]]) -> list[str]:
    """What is wrong with a walk: a stop missing, or a call where none belongs."""
    problems = [
        f"no {a} -> {b}"
        for a, b in (("view", "form"), ("view", "answer"), ("answer", "estimator"))
        if (a, b) not in edges
    ]
    for caller, callee in sorted(edges):
        if callee == "estimator" and caller != "answer":
            problems.append(f"{caller} calls the estimator: only answers do")
        if caller == "estimator" and callee != "answer":
            problems.append(f"the estimator calls {callee}: only an answer's callbacks")
        if caller == "view" and callee not in {"form", "answer", *PLUMBING}:
            problems.append(f"a view calls {callee}: views stop at forms and answers")
        if caller == "template" and callee in {"view", "form", "answer", "estimator"}:
            problems.append(f"a template filter calls {callee}: templates display")
    return problems


def test_a_wrong_walk_would_be_caught():
    good = {("view", "form"), ("view", "answer"), ("answer", "estimator")}
    assert walk_problems(good | {("estimator", "answer"), ("view", "calculator.shedding")}) == []
    assert walk_problems({("view", "form"), ("view", "answer")}) == ["no answer -> estimator"]
    for edge in (
        ("view", "estimator"),
        ("form", "estimator"),
        ("view", "calculator.catalog"),
        ("template", "answer"),
        ("estimator", "calculator.models.catalog"),
    ):
        assert walk_problems(good | {edge}) != [], edge
    # The recorder sees a call from a view's file into the estimator.
    fake_view = compile("count_parameters(spec)", str(APP / "views" / "pages.py"), "eval")
    with Walk() as walk:
        eval(fake_view, {"count_parameters": count_parameters, "spec": LLAMA_3_8B})
    assert ("view", "estimator") in walk.edges


@pytest.mark.django_db
def test_the_keystroke_walks_form_answer_estimator_template(client):
    with Walk() as walk, mock.patch.object(estimate, "answer", wraps=estimate.answer) as answer:
        response = client.post(
            reverse("calculator:calculator"), estimate.DEFAULTS, HTTP_HX_REQUEST="true"
        )
    assert response.status_code == 200 and 'id="results"' in response.text
    assert answer.call_count == 1
    assert type(answer.call_args.args[0]).__name__ == "CalculatorForm"
    assert "calculator/_estimate/summary.html" in {t.name for t in response.templates}
    assert walk_problems(walk.edges) == []


@pytest.mark.django_db
def test_an_api_call_walks_form_answer_estimator_json(client):
    query = {"model": "llama-3.1-8b", "gpu": "h100-sxm", "gpus": "1", "prompt": "100"}
    query.update(completion="10")
    with Walk() as walk, mock.patch.object(estimate, "answer", wraps=estimate.answer) as answer:
        response = client.get(reverse("calculator:api-estimate"), {**query, "batch": "1"})
    assert response.status_code == 200 and answer.call_count == 1
    assert response["Content-Type"] == "application/json" and not response.templates
    assert walk_problems(walk.edges) == []
    with Walk() as walk, mock.patch.object(serve, "answer", wraps=serve.answer) as answer:
        served = client.get(
            reverse("calculator:api-serve"), {**query, "rate": "1", "requests": "20"}
        )
    assert served.status_code == 200 and answer.call_count == 1
    assert walk_problems(walk.edges) == []


@pytest.mark.django_db
def test_a_plan_walks_form_answer_estimator_template(client):
    query = {**capacity.DEFAULTS, "gpus": "h100-sxm", "model": "llama-3.1-8b"}
    with Walk() as walk, mock.patch.object(capacity, "answer", wraps=capacity.answer) as answer:
        page = client.get(reverse("calculator:plan"), query, HTTP_HX_REQUEST="true")
    assert page.status_code == 200 and 'id="plan-options"' in page.text
    assert "calculator/_plan_results.html" in {t.name for t in page.templates}
    assert answer.call_count == 1 and walk_problems(walk.edges) == []
    with Walk() as walk, mock.patch.object(capacity, "answer", wraps=capacity.answer) as answer:
        api = client.get(reverse("calculator:api-plan"), query)
    assert api.status_code == 200 and answer.call_count == 1
    assert walk_problems(walk.edges) == []
