"""The burn-down chart of a history, as SVG, readable at 10 and at 100 commits.

Up to 12 commits each gets its label (short sha over the date); beyond, labels are angled and
thinned to what fits (the first and the last always shown). Twelve distinct colours, then dashed
lines; a line breaks at a commit that could not be measured, and that commit gets a grey cross on
the axis (its reason is in the table). Categories that are 0 throughout come last in the legend.
"""

from __future__ import annotations

import math

from ssot_flake8.commands.audit.history import Snapshot, history_header

# Tableau 10 plus two: distinguishable side by side, also in greyscale by their dashes beyond.
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#ad494a")
DASHES = ("", "6,3", "2,2")
UPRIGHT_MAX = 12  # commits; beyond, labels are angled and thinned


def render_svg(history: list[Snapshot]) -> str:
    """A line chart of every category's count per commit, with axes and a legend (hand-written SVG)."""
    keys, _ = history_header(history)
    titles = _titles(history)
    counts = [s.audit.counts() if s.audit else {} for s in history]
    keys = _legend_order(keys, counts)
    angled = len(history) > UPRIGHT_MAX
    plot_w = max(600, min(1400, 12 * len(history)))
    left, right, top = (120 if angled else 60), 300, 40
    bottom = 110 if angled else 70
    plot_h = 330
    width, height = left + plot_w + right, top + plot_h + bottom
    ticks = _ticks(max([c.get(k) or 0 for c in counts for k in keys] + [1]))
    peak = ticks[-1]
    step = plot_w / max(len(history) - 1, 1)

    def x(index: int) -> float:
        return left + (index * step if len(history) > 1 else plot_w / 2)

    def y(value: float) -> float:
        return top + plot_h - value / peak * plot_h

    base = top + plot_h
    out = [
        (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
         f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">'),
        '<title>ssot audit burn-down</title>',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{left}" y="24" font-size="15">SSOT migration burn-down, '
        f'{len(history)} commit{"s" if len(history) != 1 else ""} (oldest left)</text>',
        f'<line class="axis" x1="{left}" y1="{base}" x2="{left + plot_w}" y2="{base}" stroke="black"/>',
        f'<line class="axis" x1="{left}" y1="{top}" x2="{left}" y2="{base}" stroke="black"/>',
    ]
    for tick in ticks:
        out.append(f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{tick}</text>')
        out.append(f'<line x1="{left}" y1="{y(tick):.1f}" x2="{left + plot_w}" y2="{y(tick):.1f}" '
                   'stroke="#ddd"/>')
    out += _labels(history, x, base, angled, plot_w)
    for number, key in enumerate(keys):
        color = PALETTE[number % len(PALETTE)]
        dash = DASHES[(number // len(PALETTE)) % len(DASHES)]
        segments = _segments([c.get(key) for c in counts])
        out.append(f'<g class="series" data-category="{key}">')
        for segment in segments:
            coordinates = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in segment)
            dashing = f' stroke-dasharray="{dash}"' if dash else ""
            out.append(f'<polyline points="{coordinates}" fill="none" stroke="{color}" '
                       f'stroke-width="2"{dashing}/>')
            out += [f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="{3 if len(history) <= 40 else 2}" '
                    f'fill="{color}"/>' for i, v in segment]
        legend_y = top + 10 + number * 20
        dashing = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<line x1="{left + plot_w + 20}" y1="{legend_y - 3}" x2="{left + plot_w + 40}" '
                   f'y2="{legend_y - 3}" stroke="{color}" stroke-width="3"{dashing}/>')
        measured = [c[key] for c in counts if c.get(key) is not None]
        note = "" if measured and any(measured) else " (0 throughout)" if measured else " (not measured)"
        out.append(f'<text x="{left + plot_w + 46}" y="{legend_y + 1}">{_xml(titles[key] + note)}</text>')
        out.append("</g>")
    missing = [i for i, s in enumerate(history) if s.audit is None]
    if missing:
        out.append('<g class="unmeasured">')
        out += [f'<text x="{x(i):.1f}" y="{base - 4}" text-anchor="middle" fill="#888" '
                f'font-size="14">×</text>' for i in missing]
        legend_y = top + 10 + len(keys) * 20 + 10
        out.append(f'<text x="{left + plot_w + 24}" y="{legend_y + 1}" fill="#888" font-size="14">×</text>')
        out.append(f'<text x="{left + plot_w + 46}" y="{legend_y + 1}">not measured '
                   f'({len(missing)} commit{"s" if len(missing) != 1 else ""})</text>')
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _labels(history: list[Snapshot], x, base: float, angled: bool, plot_w: int) -> list[str]:
    """The commit labels: all of them upright, or angled and thinned to what fits."""
    out = []
    if not angled:
        for index, snapshot in enumerate(history):
            out.append(f'<text class="commit" x="{x(index):.1f}" y="{base + 16}" text-anchor="middle" '
                       f'font-family="monospace">{_xml(snapshot.short)}</text>')
            out.append(f'<text x="{x(index):.1f}" y="{base + 30}" text-anchor="middle" '
                       f'font-size="10">{_xml(snapshot.date[:10])}</text>')
        return out
    every = max(1, math.ceil(len(history) / max(2, plot_w // 28)))
    shown = list(range(0, len(history), every))
    last = len(history) - 1
    if shown[-1] != last:
        if last - shown[-1] < every:
            shown.pop()  # too close to the last one, which is always shown
        shown.append(last)
    for index in shown:
        snapshot = history[index]
        px, py = x(index), base + 12
        out.append(f'<line x1="{px:.1f}" y1="{base}" x2="{px:.1f}" y2="{base + 4}" stroke="black"/>')
        out.append(f'<text class="commit" x="{px:.1f}" y="{py}" text-anchor="end" font-size="10" '
                   f'font-family="monospace" transform="rotate(-45 {px:.1f} {py})">'
                   f'{_xml(snapshot.short)} {_xml(snapshot.date[:10])}</text>')
    return out


def _segments(values: list[int | None]) -> list[list[tuple[int, int]]]:
    """Runs of measured points: a line does not bridge a commit that was not measured."""
    segments: list[list[tuple[int, int]]] = [[]]
    for index, value in enumerate(values):
        if value is None:
            if segments[-1]:
                segments.append([])
        else:
            segments[-1].append((index, value))
    return [s for s in segments if s]


def _legend_order(keys: list[str], counts: list[dict]) -> list[str]:
    """The audit's order, with the categories that are 0 (or unmeasured) throughout last."""
    def live(key: str) -> bool:
        return any(c.get(key) for c in counts)
    return [k for k in keys if live(k)] + [k for k in keys if not live(k)]


def _titles(history: list[Snapshot]) -> dict[str, str]:
    for snapshot in history:
        if snapshot.audit:
            return {c.key: c.title for c in snapshot.audit.categories}
    return {}


def _ticks(peak: int) -> list[int]:
    """0 to at least `peak` in at most five round steps (1, 2, 5, 10, 20, 50, ...)."""
    step = next(m * 10**e for e in range(12) for m in (1, 2, 5) if peak <= 5 * m * 10**e)
    top = -(-peak // step) * step
    return list(range(0, top + 1, step))


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
