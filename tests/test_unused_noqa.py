"""SOT900: a `# noqa: SOTxxx` that silences nothing is reported, like ruff's RUF100, by `ssot
check` and by the flake8 plugin alike (issue 20)."""

from __future__ import annotations

import json

from conftest import run

USER = """\
from pkg.core.legacy import OldManager  # noqa: SOT001
from pkg.core.manager import Manager  # noqa: SOT001
import os  # noqa: E401, SOT101, F401
x = 1  # noqa
y = 2  # noqa: SOT101, SOT900
z = 3  # noqa: SOT1,SOT2
print(x, y, z)  # noqa: SOT102
"""

EXPECTED = [
    "pkg/app/user.py:2:39: SOT900 unused `noqa` directive (unused: SOT001)",
    "pkg/app/user.py:3:12: SOT900 unused `noqa` directive (unused: SOT101)",
    "pkg/app/user.py:6:8: SOT900 unused `noqa` directive (unused: SOT1, SOT2)",
    "pkg/app/user.py:7:17: SOT900 unused `noqa` directive (unused: SOT102)",
]


def test_ssot_check_and_flake8_report_the_same_unused_directives(mini_project):
    mini_project("pkg/core/legacy.py", "from pkg.core.manager import Manager as OldManager\n")
    mini_project("pkg/app/user.py", USER)
    check = run("ssot", "check", "pkg/app", "--no-cache", cwd=mini_project.root)
    assert check.stdout.splitlines() == [*EXPECTED, "Found 4 errors."]
    assert check.returncode == 1
    flake8 = run("flake8", "--select", "SOT", "pkg/app", cwd=mini_project.root)
    assert flake8.stdout.splitlines() == EXPECTED
    assert flake8.returncode == 1
    # Line 1's directive is used (it silences the SOT001 there), and so is nothing else:
    # without the comments the file has exactly that one finding of ours.
    bare = "\n".join(line.split("  # noqa")[0] for line in USER.splitlines()) + "\n"
    (mini_project.root / "pkg/app/user.py").write_text(bare)
    codes = [line.split()[1] for line in run("ssot", "check", "pkg/app", "--no-cache",
                                             cwd=mini_project.root).stdout.splitlines()[:-1]]
    assert codes == ["SOT001"]


def test_a_file_the_prefilter_passes_over_is_still_read_for_its_directives(mini_project):
    mini_project("pkg/app/plain.py", "import os  # noqa: SOT004\n")
    check = run("ssot", "check", "pkg/app", "--no-cache", "--output-format", "json",
                cwd=mini_project.root)
    [item] = json.loads(check.stdout)
    assert (item["code"], item["location"], item["end_location"], item["message"]) == (
        "SOT900", {"column": 12, "row": 1}, {"column": 26, "row": 1},
        "unused `noqa` directive (unused: SOT004)")
    assert run("flake8", "--select", "SOT", "pkg/app", cwd=mini_project.root).stdout == (
        "pkg/app/plain.py:1:12: SOT900 unused `noqa` directive (unused: SOT004)\n")
    # cached: the second run gives the same answer
    again = run("ssot", "check", "pkg/app", cwd=mini_project.root)
    assert again.stdout.splitlines()[0] == (
        "pkg/app/plain.py:1:12: SOT900 unused `noqa` directive (unused: SOT004)")
    assert run("ssot", "check", "pkg/app", cwd=mini_project.root).stdout == again.stdout


def test_select_and_ignore_apply_to_it_and_a_file_that_does_not_parse_gets_none(mini_project):
    mini_project("pkg/app/plain.py", "import os  # noqa: SOT004\n")
    mini_project("pkg/app/broken.py", "from pkg.core.legacy import OldManager  # noqa: SOT001\ndef (:\n")
    ignored = run("ssot", "check", "pkg/app", "--no-cache", "--ignore", "SOT900", cwd=mini_project.root)
    assert [line.split()[1] for line in ignored.stdout.splitlines()[:-1]] == ["SOT000"]
    selected = run("ssot", "check", "pkg/app", "--no-cache", "--select", "SOT9", cwd=mini_project.root)
    assert selected.stdout.splitlines() == [
        "pkg/app/plain.py:1:12: SOT900 unused `noqa` directive (unused: SOT004)", "Found 1 error."]
