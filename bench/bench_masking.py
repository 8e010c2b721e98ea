"""Recall of the automatic masking on a labelled sample of narratives in eight languages.

    python -m bench.bench_masking

Each sample (`tests/data/masking_sample.json`) is a narrative with the structured answers
the reporter gave beside it and every identifying span labelled. The narrative is masked
as a reviewer first sees it (`exports.redaction.suggested_redaction` on the Malaysian
form); a span counts as found when none of it is left. Recall is printed overall, by
where the span comes from ("answer": a value also given in a structured answer; "story":
only in the story) and by language. No database is needed.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from exports.redaction import suggested_redaction
from forms.answers import split_sensitive
from forms.compiler import compile_form
from forms.schema import FormDefinition
from forms.shipped import shipped_sources

SAMPLE = Path(__file__).resolve().parents[1] / "tests" / "data" / "masking_sample.json"
FORM = "my-intake"


@dataclass(frozen=True)
class Span:
    lang: str
    text: str
    kind: str
    source: str  # "answer" or "story"
    found: bool


def spans(sample_path: Path = SAMPLE) -> list[Span]:
    """Every labelled span of the sample, and whether the masking removed it."""
    definition = compile_form(FORM, shipped_sources()).unwrap()
    found = []
    for sample in json.loads(sample_path.read_text(encoding="utf-8"))["samples"]:
        masked = _masked(definition, sample)
        found += [Span(sample["lang"], text, kind, source, text not in masked)
                  for text, kind, source in sample["spans"]]
    return found


def _masked(definition: FormDefinition, sample: dict[str, Any]) -> str:
    plain, sensitive = split_sensitive(definition, {**sample["answers"],
                                                    "narrative": sample["narrative"]})
    case = {"answers": plain, "sensitive": "sealed" if sensitive else None,
            "sensitive_answers": sensitive}
    return suggested_redaction(definition, case)["narrative"]


def recall(found: list[Span], **where: str) -> tuple[int, int]:
    """(found, labelled) among the spans matching `where` (source=..., lang=...)."""
    chosen = [s for s in found if all(getattr(s, k) == v for k, v in where.items())]
    return sum(s.found for s in chosen), len(chosen)


def main() -> None:
    found = spans()
    lines = [("all spans", recall(found)),
             ("given in an answer too", recall(found, source="answer")),
             ("only in the story", recall(found, source="story"))]
    lines += [(f"language {lang}", recall(found, lang=lang))
              for lang in sorted(Counter(s.lang for s in found))]
    print(f"== masking recall on {len(found)} labelled spans ({SAMPLE.name})")
    for label, (hit, total) in lines:
        print(f"  {label:<28} {hit:>3} of {total:>3}  recall {hit / total:.2f}")
    missed = [s for s in found if not s.found]
    print("  left in the text: " + "; ".join(f"{s.text} ({s.lang}, {s.kind}, {s.source})"
                                                for s in missed))


if __name__ == "__main__":
    main()
