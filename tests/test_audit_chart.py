"""The burn-down chart stays readable at 10 and at 100 commits (issue 19)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from ssot_flake8.commands.audit import Audit, Snapshot, render_svg
from ssot_flake8.commands.audit.paths import Category

NS = "{http://www.w3.org/2000/svg}"
KEYS = [f"category_{n}" for n in range(13)]


def history(commits: int, unmeasured: set[int]) -> list[Snapshot]:
    snapshots = []
    for index in range(commits):
        date = f"2025-09-{10 + index * 8 // commits:02d}T12:00:00"
        snapshot = Snapshot(f"{index:040x}", f"{index:07x}", date)
        if index in unmeasured:
            snapshot.error = "no policy"
        else:  # category_12 is 0 throughout, the others burn down
            categories = [Category(key, key.replace("_", " "), "", key[-2:],
                                   0 if key == "category_12" else 300 - index - number)
                          for number, key in enumerate(KEYS)]
            snapshot.audit = Audit(10, categories, [])
        snapshots.append(snapshot)
    return snapshots


@pytest.mark.parametrize(("commits", "unmeasured", "labels"), [
    (10, {3}, [f"{i:07x}" for i in range(10)]),  # every commit, upright
    (100, {3, 50}, None),
])
def test_chart_labels_colours_and_unmeasured_commits(commits, unmeasured, labels):
    root = ET.fromstring(render_svg(history(commits, unmeasured)))
    shown = [t.text for t in root.iter(f"{NS}text") if t.get("class") == "commit"]
    if labels is not None:
        assert shown == labels
        assert all(t.get("transform") is None for t in root.iter(f"{NS}text") if t.get("class") == "commit")
    else:  # thinned to every 3rd commit, angled, the first and the last always shown
        assert shown[0] == "0000000 2025-09-10" and shown[-1] == "0000063 2025-09-17"
        assert len(shown) == 34
        assert all(t.get("transform", "").startswith("rotate(-45 ")
                   for t in root.iter(f"{NS}text") if t.get("class") == "commit")
    series = [g for g in root.iter(f"{NS}g") if g.get("class") == "series"]
    assert [g.get("data-category") for g in series] == KEYS  # the 0-throughout one already last
    styles = [(g.find(f"{NS}polyline").get("stroke"), g.find(f"{NS}polyline").get("stroke-dasharray"))
              for g in series]
    assert len(set(styles)) == len(KEYS)  # 12 colours, then a dashed line: no two alike
    # a line breaks at a commit that was not measured, and that commit has a cross on the axis
    assert len(series[0].findall(f"{NS}polyline")) == len(unmeasured) + 1
    assert len(series[0].findall(f"{NS}circle")) == commits - len(unmeasured)
    (marks,) = [g for g in root.iter(f"{NS}g") if g.get("class") == "unmeasured"]
    texts = [t.text for t in marks.findall(f"{NS}text")]
    assert texts == ["×"] * (len(unmeasured) + 1) + [
        "not measured (1 commit)" if len(unmeasured) == 1 else f"not measured ({len(unmeasured)} commits)"]
    legend = [t.text for t in series[-1].findall(f"{NS}text")]
    assert legend == ["category 12 (0 throughout)"]
