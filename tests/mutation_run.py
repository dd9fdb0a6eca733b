"""`make mutate`: mutmut run, with the tests narrowed to the modules asked.

    .venv/bin/python -m tests.mutation_run [--tests FILE ...] [--max-children N] [NAME ...]

mutmut 3.8.1 first runs its whole test selection under tracing to learn which tests
reach which function; over every behaviour test that pass took more than 35 minutes on
a shared 2-core machine. A module's own tests reach nearly all of it, so when every
NAME (mutmut's name globs, e.g. calculator.estimator.serving*) is a module below, the
run selects only the union of their test files. `--tests` picks the files by hand
(MUTATE_TESTS in the Makefile); with neither, the whole selection in pyproject's
`[tool.mutmut]` runs. Fewer tests can only kill fewer mutants: a narrowed score is a
lower bound.
"""

from __future__ import annotations

import argparse
import sys

# module -> the behaviour tests that state it (no browser, slow, page or grid tests).
# The estimator's modules share tests: a module's own file, then the files that drive it.
TESTS = {
    "calculator.access": ["tests/test_access.py"],
    "calculator.backup": ["tests/test_backup.py"],
    "calculator.ratelimit": ["tests/test_ratelimit.py"],
    "calculator.exports": ["tests/test_exports.py"],
    "calculator.estimator.bands": ["tests/test_bands.py"],
    "calculator.estimator.hf_config": ["tests/test_hf_config.py"],
    "calculator.estimator.pricing": ["tests/test_pricing.py", "tests/test_estimator_laws.py"],
    "calculator.estimator.cost": ["tests/test_estimator.py", "tests/test_estimator_laws.py"],
    "calculator.estimator.memory": [
        "tests/test_estimator.py",
        "tests/test_estimator_laws.py",
        "tests/test_architectures.py",
    ],
    "calculator.estimator.step": [
        "tests/test_step.py",
        "tests/test_estimator.py",
        "tests/test_estimator_laws.py",
    ],
    "calculator.estimator.timing": [
        "tests/test_step.py",
        "tests/test_estimator.py",
        "tests/test_estimator_laws.py",
    ],
    "calculator.estimator.scheduler": ["tests/test_serving.py", "tests/test_serving_laws.py"],
    "calculator.estimator.serving": ["tests/test_serving.py", "tests/test_serving_laws.py"],
    "calculator.estimator.capacity": ["tests/test_capacity.py"],
    "calculator.estimator.planner": ["tests/test_planner.py", "tests/test_planner_laws.py"],
}
MARKERS = ["-m", "not browser and not slow"]


def module_of(name: str) -> str | None:
    """The module a name glob asks for: calculator.access* or one of its mutants
    (calculator.access.x_f__mutmut_3); None when it is no module above."""
    name = name.rstrip("*.")
    module = name if name in TESTS else name.rsplit(".", 1)[0]
    return module if module in TESTS else None


def tests_for(names: list[str]) -> list[str] | None:
    """The test files for these name globs, or None when one names no module above."""
    modules = [module_of(name) for name in names]
    if not modules or None in modules:
        return None
    return list(dict.fromkeys(f for module in modules for f in TESTS[module]))


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", nargs="*", default=[], help="test files to select")
    parser.add_argument("--max-children", default="2")
    parser.add_argument("names", nargs="*", help="mutmut's name globs")
    parser.add_argument("--timeout-multiplier", type=float, help="mutmut's, 15 by default")
    args = parser.parse_args(argv)

    from mutmut.__main__ import cli
    from mutmut.configuration import config

    files = args.tests or tests_for(args.names)
    if files:
        config().pytest_add_cli_args_test_selection = MARKERS + files
        print(f"mutmut: selecting {' '.join(files)}")
    if tests_for(args.names):  # mutate only the modules asked: generating all takes minutes
        modules = sorted({module_of(name) for name in args.names})
        config().only_mutate = [module.replace(".", "/") + ".py" for module in modules]
    if args.timeout_multiplier:  # a loaded machine times out mutants that do not loop
        config().timeout_multiplier = args.timeout_multiplier
    cli(["run", "--max-children", args.max_children, *args.names])


if __name__ == "__main__":
    main(sys.argv[1:])
