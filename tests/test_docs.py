"""The docs hold together: every relative link in the README, docs/ and data/README.md
leads to a file that exists and, when it names an anchor, to a heading that gives it
(GitHub's rules); the README stays short, the manual lives in docs/."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
PAGES = [README, *sorted(DOCS.glob("*.md")), ROOT / "data" / "README.md"]

# "About 200 lines" (issue 18), with a little room; past it, the text belongs in docs/.
README_MAX_LINES = 220

FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")
INLINE_CODE = re.compile(r"`[^`\n]*`")
# [text](target) and ![alt](target), the text allowing one level of nested brackets;
# the target may be wrapped in <...> and followed by a "title".
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HTML_ANCHOR = re.compile(r"<a\s+(?:id|name)=\"([^\"]+)\"")
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def _prose_lines(markdown: str) -> Iterator[tuple[int, str]]:
    """Lines outside fenced code blocks, numbered from 1."""
    fenced = False
    for number, line in enumerate(markdown.splitlines(), start=1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            yield number, line


def github_anchor(heading: str) -> str:
    """The id GitHub gives a heading: its text (links keep their words, code its
    characters), lowercased, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "")
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


def anchors(markdown: str) -> set[str]:
    """Every anchor a page gives: its headings' (repeats get -1, -2, ... as on GitHub)
    and explicit <a id="...">."""
    found: set[str] = set()
    seen: Counter[str] = Counter()
    for _, line in _prose_lines(markdown):
        if match := HEADING.match(line):
            anchor = github_anchor(match.group(1))
            found.add(f"{anchor}-{seen[anchor]}" if seen[anchor] else anchor)
            seen[anchor] += 1
        found.update(HTML_ANCHOR.findall(line))
    return found


def links(markdown: str) -> Iterator[tuple[int, str]]:
    """(line, target) of every link outside code."""
    for number, line in _prose_lines(markdown):
        for target in LINK.findall(INLINE_CODE.sub("", line)):
            yield number, target


def broken_links(page: Path, root: Path = ROOT) -> list[str]:
    """What is wrong with the page's relative links, one line each (empty: nothing),
    naming the page relative to `root`."""
    problems = []
    for number, target in links(page.read_text()):
        if SCHEME.match(target):
            continue  # http(s), mailto: not ours to check offline
        path, _, anchor = target.partition("#")
        destination = (page.parent / unquote(path)).resolve() if path else page
        where = f"{page.relative_to(root)}:{number}: {target}"
        if not destination.exists():
            problems.append(f"{where}: no such file")
        elif (
            anchor
            and destination.suffix == ".md"
            and anchor not in anchors(destination.read_text())
        ):
            problems.append(f"{where}: no heading gives #{anchor}")
    return problems


# Section: the repository's docs


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_link_leads_to_a_file_and_anchor_that_exist(page):
    assert broken_links(page) == []


def test_the_readme_links_to_every_docs_page_and_the_data_readme():
    linked = {
        (README.parent / target.partition("#")[0]).resolve()
        for _, target in links(README.read_text())
    }
    expected = {*DOCS.glob("*.md"), ROOT / "data" / "README.md"}
    assert {page.resolve() for page in expected} <= linked


def test_the_readme_shows_a_screenshot_of_the_calculator_and_one_of_the_planner():
    images = [t for _, t in links(README.read_text()) if t.endswith(".png")]
    assert "docs/img/calculator.png" in images
    assert "docs/img/planner.png" in images


def test_the_readme_stays_within_about_two_hundred_lines():
    lines = len(README.read_text().splitlines())
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines: move the detail to docs/"


# Section: the checker itself


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("How accurate", "how-accurate"),
        ("Who may use it (access modes)", "who-may-use-it-access-modes"),
        ("Any model from its config.json", "any-model-from-its-configjson"),
        ("Estimate: /api/estimate", "estimate-apiestimate"),
        ("The price used: `cost.offer`", "the-price-used-costoffer"),
        ("Limits and bad input", "limits-and-bad-input"),
        ("max_gpus_per_replica", "max_gpus_per_replica"),
        ("[Linked](other.md) heading", "linked-heading"),
    ],
)
def test_anchors_follow_githubs_rules(heading, anchor):
    assert github_anchor(heading) == anchor


def test_a_repeated_heading_gets_a_numbered_anchor():
    assert anchors("# Notes\n\n## Notes\n\n## Notes\n") == {"notes", "notes-1", "notes-2"}


def test_a_missing_file_and_a_missing_anchor_are_reported(tmp_path):
    (tmp_path / "other.md").write_text("# Other\n\n## A section\n")
    page = tmp_path / "page.md"
    page.write_text(
        "# Page\n\n"
        "[fine](other.md#a-section) [fine too](#page) [web](https://example.com/#x)\n"
        "[gone](missing.md) [wrong anchor](other.md#no-such-section) [here](#nowhere)\n"
        "```\n[in a code block](missing.md)\n```\n"
        "`[in code](missing.md)`\n"
    )
    assert broken_links(page, root=tmp_path) == [
        "page.md:4: missing.md: no such file",
        "page.md:4: other.md#no-such-section: no heading gives #no-such-section",
        "page.md:4: #nowhere: no heading gives #nowhere",
    ]
