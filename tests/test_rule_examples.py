"""Every rule's bad example gets that rule's finding, and its good example does not (as Fixit
runs each rule's VALID and INVALID examples). The examples are the ones `ssot rules` and the
README show, checked in the legacy example tree with its policy, so they cannot go stale."""

from __future__ import annotations

import pytest

from ssot_flake8.analysis.engine import check_source
from ssot_flake8.analysis.index import expand_policy
from ssot_flake8.policy.config import load_policy
from ssot_flake8.rules import RULES
from ssot_flake8.rules.suppressions import silenced, unused_noqa
from ssot_flake8.source.lines import source_lines

DEFAULT_PATH = "netra_backend/app/services/rule_example.py"


def example_path(example: str) -> str:
    """A first line `# netra_backend/.../x.py` says where the example lives."""
    first = example.splitlines()[0]
    if first.startswith("# ") and first.split()[1].endswith(".py"):
        return first.split()[1]
    return DEFAULT_PATH


def codes_in(root, example: str) -> list[str]:
    path = root / example_path(example)
    path.parent.mkdir(parents=True, exist_ok=True)
    (path.parent / "__init__.py").touch()
    path.write_text(example + "\n")
    policy = load_policy(root / ".importlinter")
    expand_policy(policy, use_cache=False)
    findings = check_source(path.read_bytes(), str(path), policy)
    lines = source_lines(path.read_text())  # suppressions applied as the runner does (SOT900)
    findings = [f for f in findings if not silenced(f, lines)] + unused_noqa(findings, lines, str(path))
    return [f.code for f in findings]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_the_bad_example_gets_the_rule(rule, legacy_copy):
    assert rule.code in codes_in(legacy_copy, rule.bad)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_the_good_example_does_not(rule, legacy_copy):
    assert rule.code not in codes_in(legacy_copy, rule.good)
