"""A server-rendered SVG bar chart of % on time per rule: no JavaScript, readable by screen readers
through its <title> and <desc>, with the table beside it as the full text alternative."""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

BAR_HEIGHT = 22
GAP = 10
LABEL_WIDTH = 220
PLOT_WIDTH = 400
RIGHT = 60
TOP = 30


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # a percentage; None when nothing was decided yet
    # What the record claims, when it claims more than `value` (met on time by the steps' own dates,
    # some recorded late): drawn as an outline behind the bar, so the gap is the work done on paper.
    claimed: float | None = None

    def said(self) -> str:
        if self.value is None:
            return f"{self.label}: no deadlines decided"
        text = f"{self.label}: {self.value:.0f}% on time"
        if self.claimed is not None and self.claimed > self.value:
            text += f" ({self.claimed:.0f}% by the dates recorded, some entered late)"
        return text


def percent_bars(bars: list[Bar], *, title: str, chart_id: str = "compliance-chart") -> str:
    """The SVG markup (already escaped, safe to mark as such in a template)."""
    height = TOP + len(bars) * (BAR_HEIGHT + GAP) + 30
    width = LABEL_WIDTH + PLOT_WIDTH + RIGHT
    described = "; ".join(b.said() for b in bars)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" id="{chart_id}" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(described or "No deadlines fell due in this period.")}</desc>',
    ]
    for tick in (0, 25, 50, 75, 100):
        x = LABEL_WIDTH + PLOT_WIDTH * tick / 100
        parts.append(f'<line class="app-chart__grid" x1="{x:.1f}" y1="{TOP - 8}" x2="{x:.1f}" y2="{height - 24}"/>')
        parts.append(f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle">{tick}%</text>')
    for i, bar in enumerate(bars):
        y = TOP + i * (BAR_HEIGHT + GAP)
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + BAR_HEIGHT * 0.7:.1f}" text-anchor="end">{escape(bar.label)}</text>'
        )
        if bar.value is None:
            parts.append(f'<text x="{LABEL_WIDTH + 6}" y="{y + BAR_HEIGHT * 0.7:.1f}">none decided</text>')
            continue
        if bar.claimed is not None and bar.claimed > bar.value:
            cw = PLOT_WIDTH * min(bar.claimed, 100.0) / 100
            parts.append(
                f'<rect class="app-chart__claimed" x="{LABEL_WIDTH}" y="{y}" width="{cw:.1f}" height="{BAR_HEIGHT}"/>'
            )
        w = PLOT_WIDTH * max(0.0, min(bar.value, 100.0)) / 100
        parts.append(f'<rect class="app-chart__bar" x="{LABEL_WIDTH}" y="{y}" width="{w:.1f}" height="{BAR_HEIGHT}"/>')
        parts.append(f'<text x="{LABEL_WIDTH + w + 6:.1f}" y="{y + BAR_HEIGHT * 0.7:.1f}">{bar.value:.0f}%</text>')
    parts.append(
        f'<line class="app-chart__axis" x1="{LABEL_WIDTH}" y1="{TOP - 8}" x2="{LABEL_WIDTH}" y2="{height - 24}"/>'
    )
    parts.append("</svg>")
    return "".join(parts)


def count_bars(rows: list[tuple[str, list[tuple[str, int]]]], *, title: str, chart_id: str) -> str:
    """Grouped horizontal bars of counts: per label, one bar per series (e.g. started and ended), each
    series in its own class (`app-chart__bar`, then `app-chart__bar--alt`), scaled to the largest count."""
    series = max((len(values) for _, values in rows), default=0)
    group = series * BAR_HEIGHT + GAP
    height = TOP + len(rows) * group + 30
    width = LABEL_WIDTH + PLOT_WIDTH + RIGHT
    top = max((n for _, values in rows for _, n in values), default=0) or 1
    described = "; ".join(f"{label}: " + ", ".join(f"{name} {n}" for name, n in values) for label, values in rows)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" id="{chart_id}" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(described or "Nothing to show for this period.")}</desc>',
    ]
    for i, (label, values) in enumerate(rows):
        y0 = TOP + i * group
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y0 + BAR_HEIGHT * 0.7:.1f}" text-anchor="end">{escape(label)}</text>'
        )
        for j, (name, n) in enumerate(values):
            y = y0 + j * BAR_HEIGHT
            w = PLOT_WIDTH * n / top
            css = "app-chart__bar" if j == 0 else "app-chart__bar app-chart__bar--alt"
            parts.append(f'<rect class="{css}" x="{LABEL_WIDTH}" y="{y}" width="{w:.1f}" height="{BAR_HEIGHT - 2}"/>')
            parts.append(
                f'<text x="{LABEL_WIDTH + w + 6:.1f}" y="{y + BAR_HEIGHT * 0.65:.1f}">{escape(name)} {n}</text>'
            )
    parts.append(
        f'<line class="app-chart__axis" x1="{LABEL_WIDTH}" y1="{TOP - 8}" x2="{LABEL_WIDTH}" y2="{height - 24}"/>'
    )
    parts.append("</svg>")
    return "".join(parts)
