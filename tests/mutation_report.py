"""The summary of a mutmut run (`make mutate`): the score per module, and the survivors
not yet judged equivalent.

    .venv/bin/python -m tests.mutation_report

Reads mutmut's verdicts from mutants/**/*.py.meta. A survivor judged equivalent (no
test can tell it from the original, e.g. a mutated log message or a bound no input
reaches) is listed with its reason in tests/data/mutation_equivalent.txt, one
"mutant-name  reason" a line; the score leaves those out:

    score = killed / (killed + survived - equivalent)

Mutant names number the mutations of one function in order, so after a change to a
function, re-check its entries there (mutmut show NAME prints the mutation).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = ROOT / "mutants"
EQUIVALENT = Path(__file__).parent / "data" / "mutation_equivalent.txt"
TARGET = 0.85  # the share of non-equivalent mutants each module must kill (issue 24)
# mutmut's exit codes (mutmut/stats.py, status_by_exit_code).
KILLED = {1, 3}
SURVIVED = {0}
TIMEOUT = {24, -24, 36, 152, 255}


def equivalent() -> dict[str, str]:
    if not EQUIVALENT.exists():
        return {}
    entries = {}
    for line in EQUIVALENT.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, reason = line.partition(" ")
            entries[name] = reason.strip()
    return entries


def verdicts() -> dict[str, dict[str, int | None]]:
    """module -> mutant name -> exit code (None: not run)."""
    by_module = {}
    for meta in sorted(MUTANTS.glob("calculator/**/*.py.meta")):
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        module = str(meta.relative_to(MUTANTS)).removesuffix(".py.meta").replace("/", ".")
        by_module[module] = codes
    return by_module


def summarize(by_module: dict, judged: dict[str, str]) -> tuple[list[str], list[str], bool]:
    rows = [
        "| module | mutants | killed | survived | equivalent | not run | score |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    open_survivors, ok = [], True
    for module, codes in by_module.items():
        count = Counter()
        for name, code in codes.items():
            if code is None:
                count["not run"] += 1
            elif code in KILLED or code in TIMEOUT:  # a timeout is a mutant caught looping
                count["killed"] += 1
            elif code in SURVIVED and name in judged:
                count["equivalent"] += 1
            elif code in SURVIVED:
                count["survived"] += 1
                open_survivors.append(name)
            else:  # no tests, skipped, suspicious: counted as surviving
                count["survived"] += 1
                open_survivors.append(f"{name} (exit code {code})")
        checked = count["killed"] + count["survived"]
        if not checked:
            continue
        score = count["killed"] / checked
        ok &= score >= TARGET
        rows.append(
            f"| {module} | {len(codes)} | {count['killed']} | {count['survived']} | "
            f"{count['equivalent']} | {count['not run']} | {score:.0%} |"
        )
    return rows, open_survivors, ok


def main() -> int:
    if not MUTANTS.exists():
        print("No mutants/ here: run `make mutate` first.")
        return 1
    rows, survivors, ok = summarize(verdicts(), equivalent())
    print("\n".join(rows))
    if survivors:
        print(f"\nSurvivors not judged equivalent ({len(survivors)}; mutmut show NAME):")
        print("\n".join(f"  {name}" for name in survivors))
    print(f"\nEvery module run at or above {TARGET:.0%}: {'yes' if ok else 'no'}")
    return 0 if ok else 2


if __name__ == "__main__":
    sys.exit(main())
