"""One line model: `ssot check`, flake8 and the engine number lines and columns as Python's
tokenizer does, so a form feed, `\\x1c`-`\\x1e`, U+0085 or U+2028 splits no line and every
front-end honours the same `# noqa`."""

from __future__ import annotations

from conftest import run

from ssot_flake8.source.lines import source_lines

SOURCE = (
    "x = 1  # a \x0c form feed, \x1c\x1d\x1e, \x85 and \u2028 stay inside this line\n"
    "y = '\u00e9\u2028\x0c'; from pkg.core.legacy import OldManager\n"
    "from pkg.core import get_manager\r\n"
    "get_manager()  # noqa: SOT101 \u2029\n"
    "get_manager()\n"
)
SINGLETON = "SOT101 get_manager is a banned singleton accessor: construct Manager(user_context=...)"
EXPECTED = [
    "pkg/app/odd.py:2:40: SOT001 pkg.core.legacy.OldManager is not the canonical path of Manager; "
    "use `from pkg.core.manager import Manager`",
    f"pkg/app/odd.py:5:1: {SINGLETON}",
]


def test_lines_end_only_at_newlines():
    assert source_lines("a\x0cb\x1c\u2028c\r\nd\re\nf") == ["a\x0cb\x1c\u2028c", "d", "e", "f"]
    assert source_lines("a\n\n") == ["a", ""]
    assert source_lines("a\r\n", keepends=True) == ["a\r\n"]
    assert source_lines("") == []


def test_ssot_check_and_flake8_agree_on_odd_line_breaks(mini_project):
    path = mini_project.root / "pkg/app/odd.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(SOURCE.encode())
    check = run("ssot", "check", "--no-cache", "pkg/app/odd.py", cwd=mini_project.root)
    flake8 = run("flake8", "--select", "SOT", "pkg/app/odd.py", cwd=mini_project.root)
    assert check.stdout.splitlines()[:-1] == EXPECTED, check.stdout
    assert flake8.stdout.splitlines() == EXPECTED
