"""Charts of indicator tables as SVG, drawn by matplotlib's SVG backend.

matplotlib rather than code of our own: it is maintained, draws axes, ticks and
labels correctly, and its SVG output can be made byte-for-byte repeatable (a fixed
`svg.hashsalt` for the element ids and no creation date), which the mission
report's "same data in, same numbers out" needs. Text is drawn as paths, so a chart
looks the same in a browser and in WeasyPrint's PDF whatever fonts are installed,
and the SVG holds no script and loads nothing. The pyplot state machine is not used:
each chart is its own `Figure`, safe in a web process or a worker thread.

Only numbers that are shown go into a chart: a cell suppressed as "<5" or "x" in a
published table is left out, never drawn as a bar of its true size.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

STYLE = {"svg.hashsalt": "mrvrs-charts", "svg.fonttype": "path", "font.size": 9,
         "font.family": "DejaVu Sans", "axes.spines.top": False,
         "axes.spines.right": False}
BAR_COLOUR = "#2f5d8a"
MAX_BARS = 15
MAX_LABEL = 48


@dataclass(frozen=True)
class Chart:
    """A drawn chart: its SVG text, a title, and the same numbers in words for alt text."""

    title: str
    svg: str
    description: str

    @property
    def data_uri(self) -> str:
        """For `<img src>`: allowed by the pages' content security policy, read by WeasyPrint."""
        encoded = base64.b64encode(self.svg.encode("utf-8")).decode("ascii")
        return f"data:image/svg+xml;base64,{encoded}"


def bar_chart(title: str, labels: Sequence[str], values: Sequence[object], *,
              axis_label: str = "", horizontal: bool = True) -> Chart | None:
    """Bars for the values that are numbers; None when no value is shown."""
    pairs = [(_short(label), int(v)) for label, v in zip(labels, values, strict=True)
             if isinstance(v, int) and not isinstance(v, bool)][:MAX_BARS]
    if not pairs:
        return None
    names = [p[0] for p in pairs]
    numbers = [p[1] for p in pairs]
    with matplotlib.rc_context(STYLE):
        height = 1.2 + 0.32 * len(pairs) if horizontal else 3.2
        figure = Figure(figsize=(7.0, height), dpi=72)
        axes = figure.add_subplot()
        if horizontal:
            positions = list(range(len(pairs)))[::-1]
            axes.barh(positions, numbers, color=BAR_COLOUR)
            axes.set_yticks(positions, names)
            axes.set_xlabel(axis_label)
            axes.xaxis.set_major_locator(MaxNLocator(integer=True))  # counts: no 0.5 case
        else:
            axes.bar(range(len(pairs)), numbers, color=BAR_COLOUR)
            axes.set_xticks(range(len(pairs)), names)
            axes.set_ylabel(axis_label)
            axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_title(title, loc="left")
        figure.tight_layout()
        svg = _svg(figure)
    words = "; ".join(f"{n}: {v}" for n, v in pairs)
    return Chart(title, svg, f"{title}. {words}.")


def _svg(figure: Figure) -> str:
    buffer = io.BytesIO()
    FigureCanvasSVG(figure).print_svg(buffer, metadata={"Date": None})
    return buffer.getvalue().decode("utf-8")


def _short(label: str) -> str:
    label = str(label)
    return label if len(label) <= MAX_LABEL else label[:MAX_LABEL - 1] + "…"
