"""Regenerate the README's rule table from the rule declarations (ssot_flake8/rules/)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ssot_flake8.rules import rules_table_markdown

START, END = "<!-- rules:start -->", "<!-- rules:end -->"
README = Path(__file__).resolve().parents[1] / "README.md"


def with_table(text: str) -> str:
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{rules_table_markdown()}\n{END}{tail}"


if __name__ == "__main__":
    README.write_text(with_table(README.read_text(encoding="utf-8")), encoding="utf-8")
