"""What a rule declaration is. Each family module declares its rules beside their checks."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    message: str  # a str.format template; the fields are the finding's details
    rationale: str
    bad: str  # code that gets the finding (the first line may name the file: `# x/y.py`)
    good: str  # the same intent without it; tests/test_rule_examples.py runs both
    fixable: bool = False

    def format(self, **details: str) -> str:
        return self.message.format(**details)
