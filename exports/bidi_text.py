"""Show text someone else typed without letting it reorder the page around it.

Bidirectional control characters (the embeddings and overrides U+202A–U+202E and
the isolates U+2066–U+2069) change the order in which text is displayed: a
narrative holding U+202E (RIGHT-TO-LEFT OVERRIDE) shows its words, and the page
text after it, reversed, and a file name "payslip\u202efdp.exe" reads as
"payslipexe.pdf". Stored evidence keeps every character; only what is displayed
changes:

- each such control is shown as a visible mark (``[RLO]``) instead of acting;
- the text is wrapped in ``<bdi dir="auto">``, so its direction is its own and it
  cannot reorder the labels and text around it.

The marks U+200E, U+200F and U+061C are left in place: Arabic and Hebrew writers use
them to place punctuation, and inside an isolate they only order the neutral
characters of that one text. Pure core: used by the staff pages and the reports.
"""

from __future__ import annotations

from markupsafe import Markup

#: Characters that embed, override or isolate a direction, with the mark shown for each.
BIDI_CONTROLS = {
    "\u202a": "[LRE]", "\u202b": "[RLE]", "\u202c": "[PDF]", "\u202d": "[LRO]",
    "\u202e": "[RLO]", "\u2066": "[LRI]", "\u2067": "[RLI]", "\u2068": "[FSI]",
    "\u2069": "[PDI]",
}
_VISIBLE = str.maketrans(BIDI_CONTROLS)


def visible_controls(text: str) -> str:
    """`text` with every direction control replaced by its visible mark."""
    return text.translate(_VISIBLE)


def isolate(value: object) -> Markup:
    """Someone else's text as HTML that keeps its own direction and moves nothing else."""
    if value is None:
        return Markup("")
    return Markup('<bdi dir="auto">{}</bdi>').format(visible_controls(str(value)))
