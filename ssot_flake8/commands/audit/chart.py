"""The burn-down chart of a history, as SVG."""

from __future__ import annotations

from ssot_flake8.commands.audit.history import Snapshot, history_header

# -- the chart ----------------------------------------------------------------------------------

PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf")


def render_svg(history: list[Snapshot]) -> str:
    """A line chart of every category's count per commit, with axes and a legend (hand-written SVG)."""
    keys, _ = history_header(history)
    titles = _titles(history)
    width, height, left, right, top, bottom = 900, 420, 60, 260, 40, 70
    plot_w, plot_h = width - left - right, height - top - bottom
    counts = [s.audit.counts() if s.audit else {} for s in history]
    ticks = _ticks(max([c.get(k) or 0 for c in counts for k in keys] + [1]))
    peak = ticks[-1]
    step = plot_w / max(len(history) - 1, 1)

    def x(index: int) -> float:
        return left + (index * step if len(history) > 1 else plot_w / 2)

    def y(value: float) -> float:
        return top + plot_h - value / peak * plot_h

    out = [
        (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
         f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">'),
        '<title>ssot audit burn-down</title>',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{left}" y="24" font-size="15">SSOT migration burn-down</text>',
        (f'<line class="axis" x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" '
         f'y2="{top + plot_h}" stroke="black"/>'),
        f'<line class="axis" x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="black"/>',
    ]
    for tick in ticks:
        out.append(f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{tick}</text>')
        out.append(f'<line x1="{left}" y1="{y(tick):.1f}" x2="{left + plot_w}" y2="{y(tick):.1f}" '
                   'stroke="#ddd"/>')
    for index, snapshot in enumerate(history):
        out.append(f'<text x="{x(index):.1f}" y="{top + plot_h + 16}" text-anchor="middle" '
                   f'font-family="monospace">{_xml(snapshot.short)}</text>')
        out.append(f'<text x="{x(index):.1f}" y="{top + plot_h + 30}" text-anchor="middle" '
                   f'font-size="10">{_xml(snapshot.date[:10])}</text>')
    for number, key in enumerate(keys):
        color = PALETTE[number % len(PALETTE)]
        points = [(x(i), y(c[key])) for i, c in enumerate(counts) if c.get(key) is not None]
        out.append(f'<g class="series" data-category="{key}">')
        if points:
            coordinates = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            out.append(f'<polyline points="{coordinates}" fill="none" stroke="{color}" stroke-width="2"/>')
            out += [f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{color}"/>' for px, py in points]
        legend_y = top + 10 + number * 20
        out.append(f'<rect x="{left + plot_w + 20}" y="{legend_y - 9}" width="12" height="12" '
                   f'fill="{color}"/>')
        label = titles[key] + ("" if points else " (not measured)")
        out.append(f'<text x="{left + plot_w + 38}" y="{legend_y + 1}">{_xml(label)}</text>')
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


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
