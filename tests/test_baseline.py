"""Baselines: `ssot baseline` records, `ssot check --baseline` fails only on new findings,
reports fixed ones, `--update-baseline` only shrinks; flake8 takes the same file."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from conftest import run

TOTAL = 92  # 83 SSOT findings + 7 SOT005 (boundary contracts) + 2 from the index (reconnect_service.py)
AGENT = "netra_backend/app/services/agent_service.py"
CHAT = "netra_backend/app/services/chat_service.py"
SINGLETON_CALL = "manager = get_websocket_manager()"
DEPRECATED_IMPORT = (
    "from netra_backend.app.websocket_core.websocket_manager_factory import create_websocket_manager"
)


def ssot(*arguments, cwd):
    return run("ssot", *arguments, "--no-cache", cwd=cwd)


@pytest.fixture
def recorded(legacy_copy: Path) -> Path:
    """The findings file alone (the config side of `ssot baseline` is in test_ratchet.py)."""
    result = ssot("baseline", "--baseline", "ssot-baseline.json", "--no-write-config", cwd=legacy_copy)
    assert result.returncode == 0, result.stderr
    return legacy_copy


def entries(tree: Path) -> list[dict]:
    return json.loads((tree / "ssot-baseline.json").read_text())["findings"]


def test_baseline_file_is_readable_sorted_one_entry_per_line(recorded):
    text = (recorded / "ssot-baseline.json").read_text()
    found = entries(recorded)
    assert sum(entry["count"] for entry in found) == TOTAL
    keys = [(e["path"], e["code"], e["subject"], e["source"]) for e in found]
    assert keys == sorted(keys)
    assert {
        "code": "SOT101", "count": 1, "lines": [15], "path": AGENT, "source": SINGLETON_CALL,
        "subject": "netra_backend.app.websocket_core.get_websocket_manager",
        # keyed on the source text; `lines` and `before` (the line above) only tell equal
        # findings apart
        "before": [hashlib.sha1(b"async def start_run(self, ctx: UserExecutionContext, "
                                b"prompt: str) -> Dict[str, Any]:").hexdigest()[:8]],
    } in found
    entry_lines = [line for line in text.splitlines() if '"code": ' in line]
    assert len(entry_lines) == len(found)


def test_check_with_a_fresh_baseline_passes(recorded):
    result = ssot("check", "--baseline", "ssot-baseline.json", cwd=recorded)
    assert (result.returncode, result.stdout, result.stderr) == (0, "All checks passed!\n", "")


def test_a_new_finding_fails_and_is_the_only_one_reported(recorded):
    chat = recorded / CHAT
    chat.write_text(chat.read_text() + DEPRECATED_IMPORT + "\n")
    line = len(chat.read_text().splitlines())
    result = ssot("check", "--baseline", "ssot-baseline.json", cwd=recorded)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        (f"{CHAT}:{line}:72: SOT002 import of deprecated module "
        "netra_backend.app.websocket_core.websocket_manager_factory; use "
        "netra_backend.app.websocket_core.websocket_manager"),
        "Found 1 error.",
    ]


def test_a_finding_on_a_moved_line_still_matches(recorded):
    agent = recorded / AGENT
    agent.write_text("# a comment\n# and another\n\n" + agent.read_text())
    moved = ssot("check", cwd=recorded)
    assert f"{AGENT}:18:19: SOT101" in moved.stdout  # it did move
    result = ssot("check", "--baseline", "ssot-baseline.json", cwd=recorded)
    assert (result.returncode, result.stdout, result.stderr) == (0, "All checks passed!\n", "")


def test_a_second_identical_finding_is_new(recorded):
    agent = recorded / AGENT
    agent.write_text(agent.read_text() + f"\n\ndef again():\n    {SINGLETON_CALL}\n")
    line = len(agent.read_text().splitlines())
    result = ssot("check", "--baseline", "ssot-baseline.json", cwd=recorded)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0].startswith(f"{AGENT}:{line}:15: SOT101 ")
    assert result.stdout.splitlines()[-1] == "Found 1 error."


def test_a_copy_pasted_above_the_recorded_line_is_reported_where_it_was_pasted(recorded):
    agent = recorded / AGENT
    text = agent.read_text().replace(
        "class AgentService:", f"def early():\n    {SINGLETON_CALL}\n\n\nclass AgentService:")
    agent.write_text(text)  # the copy is line 12; the recorded call moved from 15 to 19
    check = ssot("check", "--baseline", "ssot-baseline.json", "netra_backend", cwd=recorded)
    flake8 = run("flake8", "--select", "SOT", "--ssot-baseline", "ssot-baseline.json",
                 "netra_backend", cwd=recorded)
    new = (f"{AGENT}:12:15: SOT101 get_websocket_manager is a banned singleton accessor: "
           "construct WebSocketManager(user_context=...)")
    assert (check.returncode, check.stdout) == (1, f"{new}\nFound 1 error.\n")
    assert (flake8.returncode, flake8.stdout) == (1, f"{new}\n")


def test_a_copy_pasted_on_the_next_line_is_the_new_one(recorded):
    agent = recorded / AGENT
    agent.write_text(agent.read_text().replace(
        f"        {SINGLETON_CALL}\n", f"        {SINGLETON_CALL}\n        {SINGLETON_CALL}\n"))
    check = ssot("check", "--baseline", "ssot-baseline.json", "netra_backend", cwd=recorded)
    assert check.stdout.splitlines()[0].startswith(f"{AGENT}:16:19: SOT101 ")


def test_a_baseline_without_lines_still_reads_and_reports_the_last_copy(recorded):
    path = recorded / "ssot-baseline.json"
    data = json.loads(path.read_text())
    for entry in data["findings"]:
        del entry["lines"], entry["before"]
    path.write_text(json.dumps(data))
    agent = recorded / AGENT
    agent.write_text(agent.read_text().replace(
        "class AgentService:", f"def early():\n    {SINGLETON_CALL}\n\n\nclass AgentService:"))
    check = ssot("check", "--baseline", "ssot-baseline.json", "netra_backend", cwd=recorded)
    assert check.stdout.splitlines()[0].startswith(f"{AGENT}:19:19: SOT101 ")


def test_a_fixed_finding_is_reported_and_update_shrinks_the_file(recorded):
    agent = recorded / AGENT
    agent.write_text(agent.read_text().replace(SINGLETON_CALL, "manager = None"))
    before = (recorded / "ssot-baseline.json").read_text()
    result = ssot("check", "--baseline", "ssot-baseline.json", cwd=recorded)
    assert (result.returncode, result.stdout) == (0, "All checks passed!\n")
    assert result.stderr.splitlines() == [
        f"ssot: fixed, in the baseline: {AGENT}: SOT101 {SINGLETON_CALL}",
        "ssot: 1 baseline entry fixed; `--update-baseline` removes them",
    ]
    assert (recorded / "ssot-baseline.json").read_text() == before  # not without the flag

    updated = ssot("check", "--baseline", "ssot-baseline.json", "--update-baseline", cwd=recorded)
    assert updated.returncode == 0
    assert updated.stderr.splitlines()[-1] == (
        "ssot: removed 1 fixed finding from ssot-baseline.json")
    after = (recorded / "ssot-baseline.json").read_text()
    removed = set(before.splitlines()) - set(after.splitlines())
    assert len(removed) == 1 and SINGLETON_CALL in removed.pop()
    assert set(after.splitlines()) <= set(before.splitlines())
    assert sum(e["count"] for e in entries(recorded)) == TOTAL - 1
    again = ssot("check", "--baseline", "ssot-baseline.json", cwd=recorded)
    assert (again.returncode, again.stderr) == (0, "")


def test_update_baseline_never_adds_entries(recorded):
    chat = recorded / CHAT
    chat.write_text(chat.read_text() + DEPRECATED_IMPORT + "\n")
    before = (recorded / "ssot-baseline.json").read_text()
    result = ssot("check", "--baseline", "ssot-baseline.json", "--update-baseline", cwd=recorded)
    assert result.returncode == 1
    assert (recorded / "ssot-baseline.json").read_text() == before


def test_checking_a_subset_does_not_count_other_files_as_fixed(recorded):
    result = ssot("check", "--baseline", "ssot-baseline.json", "--update-baseline",
                  "netra_backend/app/services", cwd=recorded)
    assert (result.returncode, result.stderr) == (0, "")
    assert sum(e["count"] for e in entries(recorded)) == TOTAL


def test_recording_a_subset_keeps_the_other_entries(recorded):
    agent = recorded / AGENT
    agent.write_text(agent.read_text().replace(SINGLETON_CALL, "manager = None").replace(
        "from netra_backend.app.websocket_core import get_websocket_manager\n", ""))
    result = ssot("baseline", "--baseline", "ssot-baseline.json", AGENT, cwd=recorded)
    assert result.returncode == 0
    assert sum(e["count"] for e in entries(recorded)) == TOTAL - 2  # SOT101 and SOT005 fixed
    assert not [e for e in entries(recorded) if e["path"] == AGENT]


def test_baseline_paths_are_relative_to_the_baseline_file(recorded):
    (recorded / "ci").mkdir()
    result = ssot("baseline", "--baseline", "ci/base.json", cwd=recorded)
    assert result.returncode == 0
    paths = {e["path"] for e in json.loads((recorded / "ci/base.json").read_text())["findings"]}
    assert f"../{AGENT}" in paths
    # used from another working directory, it still matches
    inside = ssot("check", "--baseline", "../ci/base.json", ".", cwd=recorded / "netra_backend")
    assert (inside.returncode, inside.stdout) == (0, "All checks passed!\n")


@pytest.mark.parametrize("content, reason", [
    ("not json", "not JSON"),
    ('{"findings": {}, "version": 1}', 'expected an object with a "findings" list'),
    ('{"findings": [], "version": 9}', "unsupported version 9"),
    ('{"findings": [{"path": "a.py"}], "version": 1}', "entry 1 needs string fields"),
    (('{"findings": [{"path": "a", "code": "S", "subject": "", "source": "", "count": 0}], '
     '"version": 1}'), "entry 1: count must be a positive integer"),
])
def test_a_malformed_baseline_is_one_line_and_exit_2(recorded, content, reason):
    (recorded / "bad.json").write_text(content)
    result = ssot("check", "--baseline", "bad.json", cwd=recorded)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith(f"ssot: error: bad.json: not a valid baseline: {reason}")
    assert len(result.stderr.splitlines()) == 1


def test_a_missing_baseline_and_a_lone_update_flag_are_usage_errors(recorded):
    missing = ssot("check", "--baseline", "nope.json", cwd=recorded)
    assert missing.returncode == 2
    assert missing.stderr == (
        "ssot: error: nope.json: no such baseline file (record one with `ssot baseline`)\n")
    lone = ssot("check", "--update-baseline", cwd=recorded)
    assert (lone.returncode, lone.stderr) == (
        2, "ssot: error: --update-baseline needs --baseline FILE (or `baseline =` in the ssot "
        "contract)\n")


def test_baseline_write_keeps_the_file_mode(recorded):
    path = recorded / "ssot-baseline.json"
    path.chmod(0o640)
    agent = recorded / AGENT
    agent.write_text(agent.read_text().replace(SINGLETON_CALL, "manager = None"))
    ssot("check", "--baseline", "ssot-baseline.json", "--update-baseline", cwd=recorded)
    assert path.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in recorded.iterdir() if p.name.startswith(".ssot-baseline")] == []


# -- the flake8 plugin takes the same baseline ------------------------------------------------------


def test_flake8_with_the_baseline_reports_only_new_findings(recorded):
    clean = run("flake8", "--select", "SOT", "--ssot-baseline", "ssot-baseline.json",
                "netra_backend", cwd=recorded)
    assert (clean.returncode, clean.stdout) == (0, "")
    agent = recorded / AGENT
    agent.write_text("# moved\n" + agent.read_text() + f"\n\ndef again():\n    {SINGLETON_CALL}\n")
    line = len(agent.read_text().splitlines())
    flake8 = run("flake8", "--select", "SOT", "--ssot-baseline", "ssot-baseline.json",
                 "netra_backend", cwd=recorded)
    check = ssot("check", "--baseline", "ssot-baseline.json", "netra_backend", cwd=recorded)
    assert flake8.returncode == 1
    assert flake8.stdout.splitlines() == check.stdout.splitlines()[:-1]
    assert flake8.stdout.startswith(f"{AGENT}:{line}:15: SOT101 ")


def test_flake8_reads_the_baseline_from_its_config(recorded):
    (recorded / "setup.cfg").write_text("[flake8]\nssot-baseline = ssot-baseline.json\n")
    result = run("flake8", "--select", "SOT", "netra_backend", cwd=recorded)
    assert (result.returncode, result.stdout) == (0, "")


def test_flake8_with_a_malformed_baseline_is_one_line(recorded):
    (recorded / "bad.json").write_text("[]")
    result = run("flake8", "--select", "SOT", "--ssot-baseline", "bad.json", "netra_backend",
                 cwd=recorded)
    assert result.returncode == 1  # flake8 goes on; each file gets one SOT000 naming the problem
    assert result.stdout.splitlines()[0] == (
        "netra_backend/__init__.py:1:1: SOT000 the SSOT policy cannot be used: bad.json: not a "
        'valid baseline: expected an object with a "findings" list')
    assert result.stderr == (
        'ssot-flake8: error: bad.json: not a valid baseline: expected an object with a '
        '"findings" list\n')
