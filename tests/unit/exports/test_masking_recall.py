"""The masking measured on the labelled sample (tests/data/masking_sample.json): every
value a reporter also gave in a structured answer is found in every language; names that
are only in the story are not, which is why narratives leave only as a reviewer approved
them. `python -m bench.bench_masking` prints the figures."""

from __future__ import annotations

from bench.bench_masking import main, recall, spans


def test_values_given_in_answers__all_found_in_every_language():
    found = spans()
    languages = {s.lang for s in found}
    assert len(languages) >= 8
    for lang in languages:
        hit, total = recall(found, source="answer", lang=lang)
        assert hit == total > 0, [s for s in found if s.lang == lang and not s.found]


def test_story_only_names__left_for_the_reviewer_and_the_figures_printed(capsys):
    found = spans()
    assert recall(found, source="story")[1] > 0
    main()
    printed = capsys.readouterr().out
    assert "only in the story" in printed and "recall" in printed
