"""Edit a country definition's YAML text the way a national member would by hand.

The structured pages of the form editor call these operations so that people who
do not write YAML can do the frequent tasks; the result is still the one YAML
definition the raw editor shows. Edits go through ruamel.yaml's round-trip mode,
so every comment, blank line, quote and flow list the author wrote stays where it
was, and only the edited item changes.

Each operation takes a `Definition` (the text and the published forms it may
extend) and returns an `EditResult`: the new text, or every problem at once and
no text. An edit is refused when it would add a problem to the form's check
(`forms.compiler`); problems the text already had do not block unrelated edits.
Inherited items are changed through ``override`` (and hidden through ``remove``),
as docs/forms.md asks; the form's own items are changed in place.

Pure: text and parsed sources in, text and problems out.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from forms.compiler import CompileResult, compile_form
from forms.dimensions import Dimensions
from forms.errors import MessageCode, Problem
from forms.inheritance import resolve
from forms.loader import ParsedSource, parse_definition
from forms.mwc import Taxonomy, load_taxonomy, parse_code
from forms.vocabulary import CHOICE_TYPES, ITEM_ID_PATTERN
from forms.yaml_layout import (
    append,
    dump,
    flow_seq,
    like,
    replace_seq,
    round_trip,
    set_texts,
    text_map,
)

#: The questions of when it happened: every case's event period is worked out from
#: them (docs/forms.md, "When it happened"), so a country form keeps them.
EVENT_PERIOD_FIELDS = frozenset({"violation_date", "event_year", "event_month",
                                 "event_approximate"})
#: A choice value: what exports and show_if conditions read, so kept short and plain.
CHOICE_VALUE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_+\-]{0,63}$"


class EditCode(MessageCode):
    """Why an edit was refused, with an English sentence (pages translate by `key`)."""

    UNREADABLE = ("unreadable", "The definition cannot be read, so it cannot be changed "
                  "here: {detail} Fix it in the YAML editor first.")
    BAD_ID = ("bad_id", '"{id}" cannot be an id: use lowercase letters, digits and _, '
              "starting with a letter.")
    TERM_EXISTS = ("term_exists", 'The form already has a term with the id "{id}".')
    NO_TERM = ("no_term", 'The form has no term with the id "{id}".')
    MISSING_TEXT = ("missing_text", "The {what} in {language} is missing; every text needs "
                    "each of the form's languages.")
    UNKNOWN_LANGUAGE = ("unknown_language", '"{language}" is not one of the form\'s '
                        "languages ({languages}).")
    NO_ARTICLES = ("no_articles", "Choose at least one MWC article for the term.")
    UNKNOWN_ARTICLE = ("unknown_article", "{value} is not an MWC article of the taxonomy.")
    NOT_CODED = ("not_coded", "Article {number} describes scope or duties and is never "
                 "coded as a violation.")
    NO_QUESTION = ("no_question", 'The form has no question with the id "{id}".')
    NO_ITEM = ("no_item", 'The form has no question or section with the id "{id}".')
    NOT_CHOICES = ("not_choices", 'The question "{id}" is a {type} question; only choice '
                   "and multichoice questions have choices.")
    BAD_VALUE = ("bad_value", '"{value}" cannot be a choice value: use letters, digits, _, '
                 "- or +, at most 64, without spaces.")
    VALUE_EXISTS = ("value_exists", 'The question "{id}" already has a choice with the '
                    'value "{value}".')
    NO_CHOICE = ("no_choice", 'The question "{id}" has no choice with the value "{value}".')
    TERM_SHOWN = ("term_shown", 'The term "{term}" is already shown beside "{id}".')
    OWN_QUESTION = ("own_question", 'The question "{id}" is this form\'s own, not a base '
                    "question: delete it in the YAML editor instead of hiding it.")
    ALREADY_HIDDEN = ("already_hidden", 'The question "{id}" is already hidden.')
    MUST_KEEP = ("must_keep", 'The question "{id}" cannot be hidden: {reason_text}')
    NOT_A_TEXT = ("not_a_text", '"{key}" is not a text of this item.')


#: Why a base question must stay (docs/forms.md, "Changing inherited questions").
KEEP_REASONS = {
    "gender": "gender is collected on every form, and every indicator is split by it.",
    "consent": "consent is asked per purpose, and every output honours it.",
    "dimension": "indicators and exports read the standard dimension it fills.",
    "event_period": "every case's event period is worked out from the questions of when "
                    "it happened.",
}


@dataclass(frozen=True)
class EditProblem:
    """One reason an edit was refused; `input` names the entry it is about, if one."""

    code: EditCode
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)
    input: str | None = None

    @property
    def message(self) -> str:
        return self.code.template.format(**self.params)


@dataclass(frozen=True)
class EditResult:
    """The edited text, or None with the edit's problems and the check problems it
    would have added to the form."""

    text: str | None
    problems: tuple[EditProblem, ...] = ()
    introduced: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return self.text is not None


@dataclass(frozen=True)
class Definition:
    """The text being edited, named `origin` in problems, and the forms it may extend."""

    text: str
    origin: str
    library: Mapping[str, ParsedSource]
    taxonomy: Taxonomy | None = None
    dimensions: Dimensions | None = None

    def compile(self, text: str | None = None) -> CompileResult:
        parsed = parse_definition(self.text if text is None else text, self.origin)
        form_id = parsed.form_id or self.origin
        return compile_form(form_id, {**self.library, form_id: parsed},
                            taxonomy=self.taxonomy, dimensions=self.dimensions)


class _Refused(Exception):
    def __init__(self, problems: Sequence[EditProblem]) -> None:
        super().__init__(problems)
        self.problems = tuple(problems)


class _Session:
    """One edit: the round-trip document, the merged form it makes, and the checks."""

    def __init__(self, definition: Definition) -> None:
        self.definition = definition
        parsed = parse_definition(definition.text, definition.origin)
        if parsed.problems:
            raise _Refused([_unreadable(parsed.problems)])
        form_id = parsed.form_id or definition.origin
        merged, problems = resolve(form_id, {**definition.library, form_id: parsed})
        if merged is None:
            raise _Refused([_unreadable(problems)])
        self.merged: dict[str, Any] = merged.data
        self.yaml, self.doc = _read(definition.text)
        self.problems: list[EditProblem] = []

    # -- the merged form ----------------------------------------------------------

    @property
    def languages(self) -> list[str]:
        found = self.merged.get("languages")
        return [x for x in found if isinstance(x, str)] if isinstance(found, list) else []

    def merged_fields(self) -> dict[str, dict[str, Any]]:
        return {f["id"]: f for s in _dicts(self.merged.get("sections"))
                for f in _dicts(s.get("fields")) if isinstance(f.get("id"), str)}

    def merged_sections(self) -> dict[str, dict[str, Any]]:
        return {s["id"]: s for s in _dicts(self.merged.get("sections"))
                if isinstance(s.get("id"), str)}

    def merged_terms(self) -> dict[str, dict[str, Any]]:
        return {t["id"]: t for t in _dicts(self.merged.get("terms"))
                if isinstance(t.get("id"), str)}

    # -- the document ---------------------------------------------------------------

    def own_fields(self) -> dict[str, CommentedMap]:
        return {f["id"]: f for s in _dicts(self.doc.get("sections"))
                for f in _dicts(s.get("fields")) if isinstance(f.get("id"), str)}

    def own_sections(self) -> dict[str, CommentedMap]:
        return {s["id"]: s for s in _dicts(self.doc.get("sections"))
                if isinstance(s.get("id"), str)}

    def own_terms(self) -> dict[str, CommentedMap]:
        return {t["id"]: t for t in _dicts(self.doc.get("terms"))
                if isinstance(t.get("id"), str)}

    def top(self, key: str, empty: Any, before: Sequence[str] = ()) -> Any:
        """The document's top-level `key`, added (before the first of `before`) if absent."""
        if not isinstance(self.doc.get(key), (dict, list)):
            keys = list(self.doc)
            at = next((keys.index(k) for k in before if k in keys), len(keys))
            if key in self.doc:
                del self.doc[key]
                keys = list(self.doc)
                at = min(at, len(keys))
            self.doc.insert(at, key, empty)
            if at == len(self.doc) - 1:
                self.doc.yaml_set_comment_before_after_key(key, before="\n")  # a blank line
        return self.doc[key]

    def override(self, item_id: str) -> CommentedMap:
        """The override entry of an inherited item, added when absent."""
        overrides = self.top("override", CommentedMap(), before=("remove",))
        if not isinstance(overrides.get(item_id), dict):
            overrides[item_id] = CommentedMap()
        return overrides[item_id]

    # -- checks of the input ------------------------------------------------------

    def refuse(self, code: EditCode, input: str | None = None, **params: Any) -> None:
        self.problems.append(EditProblem(code, params, input))

    def texts(self, what: str, texts: Mapping[str, str] | None, input: str,
              required: bool = True, complete: bool = True) -> dict[str, str]:
        """The texts in the form's languages, each language refused when missing (unless
        a change of some languages only, `complete` False)."""
        cleaned = {lang: (text or "").strip() for lang, text in (texts or {}).items()}
        for lang in cleaned:
            if lang not in self.languages:
                self.refuse(EditCode.UNKNOWN_LANGUAGE, f"{input}-{lang}", language=lang,
                            languages=", ".join(self.languages))
        if complete and (required or any(cleaned.values())):
            for lang in self.languages:
                if not cleaned.get(lang):
                    self.refuse(EditCode.MISSING_TEXT, f"{input}-{lang}", what=what,
                                language=lang)
        return {lang: cleaned[lang] for lang in self.languages if cleaned.get(lang)}

    def articles(self, values: Sequence[Any], input: str, required: bool) -> list[int]:
        taxonomy = self.definition.taxonomy or load_taxonomy()
        numbers: list[int] = []
        for value in values:
            number = parse_code(value)
            if number is None or number not in taxonomy:
                self.refuse(EditCode.UNKNOWN_ARTICLE, input, value=str(value))
            elif not taxonomy.article(number).violation_code:
                self.refuse(EditCode.NOT_CODED, input, number=number)
            elif number not in numbers:
                numbers.append(number)
        if required and not values:
            self.refuse(EditCode.NO_ARTICLES, input)
        return numbers

    def item_id(self, value: str, input: str) -> str:
        if not re.match(ITEM_ID_PATTERN, value or ""):
            self.refuse(EditCode.BAD_ID, input, id=value)
        return value

    def question(self, field_id: str, input: str = "question") -> dict[str, Any] | None:
        found = self.merged_fields().get(field_id)
        if found is None:
            self.refuse(EditCode.NO_QUESTION, input, id=field_id)
        return found

    def term(self, term_id: str, input: str = "term") -> dict[str, Any] | None:
        found = self.merged_terms().get(term_id)
        if found is None:
            self.refuse(EditCode.NO_TERM, input, id=term_id)
        return found

    # -- finishing ------------------------------------------------------------------

    def finish(self) -> EditResult:
        if self.problems:
            return EditResult(None, tuple(self.problems))
        text = dump(self.yaml, self.doc)
        introduced = _introduced(self.definition.compile(), self.definition.compile(text))
        if introduced:
            return EditResult(None, (), introduced)
        return EditResult(text)


def _edit(definition: Definition, change: Any) -> EditResult:
    """Run `change(session)` and finish, or return the problems that stopped it."""
    try:
        session = _Session(definition)
        change(session)
        return session.finish()
    except _Refused as refused:
        return EditResult(None, refused.problems)


# -- the operations -----------------------------------------------------------------


def add_term(definition: Definition, term_id: str, label: Mapping[str, str],
             help: Mapping[str, str] | None, mwc: Sequence[Any]) -> EditResult:
    """Add a local legal term of this form, mapped to MWC articles."""

    def change(s: _Session) -> None:
        s.item_id(term_id, "id")
        if term_id in s.merged_terms():
            s.refuse(EditCode.TERM_EXISTS, "id", id=term_id)
        labels = s.texts("label", label, "label")
        helps = s.texts("explanation", help, "help", required=False)
        numbers = s.articles(mwc, "mwc", required=True)
        if s.problems:
            return
        terms = s.top("terms", CommentedSeq(), before=("sections", "override", "remove"))
        term = CommentedMap([("id", term_id), ("mwc", flow_seq(numbers)),
                             ("label", text_map(labels))])
        if helps:
            term["help"] = text_map(helps)
        append(terms, term)

    return _edit(definition, change)


def change_term(definition: Definition, term_id: str, *,
                label: Mapping[str, str] | None = None,
                help: Mapping[str, str] | None = None,
                mwc: Sequence[Any] | None = None) -> EditResult:
    """Rename a term (its label in the languages given), explain it, or map it to other
    MWC articles. An inherited term is copied into this form, which then replaces it."""

    def change(s: _Session) -> None:
        merged = s.term(term_id)
        labels = {k: v for k, v in (label or {}).items() if (v or "").strip()}
        helps = {k: v for k, v in (help or {}).items() if (v or "").strip()}
        labels = s.texts("label", labels, "label", complete=False)
        helps = s.texts("explanation", helps, "help", complete=False)
        numbers = s.articles(mwc, "mwc", required=True) if mwc is not None else None
        if s.problems or merged is None:
            return
        term = _own_term(s, term_id, merged)
        set_texts(term, "label", labels)
        set_texts(term, "help", helps)
        if numbers is not None:
            replace_seq(term, "mwc", numbers)

    return _edit(definition, change)


def rename_term(definition: Definition, term_id: str, label: Mapping[str, str]) -> EditResult:
    return change_term(definition, term_id, label=label)


def map_term(definition: Definition, term_id: str, mwc: Sequence[Any]) -> EditResult:
    return change_term(definition, term_id, mwc=mwc)


def show_term(definition: Definition, field_id: str, term_id: str) -> EditResult:
    """Show a term beside a question (it explains; it adds no MWC articles)."""

    def change(s: _Session) -> None:
        merged = s.question(field_id)
        s.term(term_id)
        if merged is None or s.problems:
            return
        if term_id in (merged.get("terms") or []):
            s.refuse(EditCode.TERM_SHOWN, "term", term=term_id, id=field_id)
            return
        target = _writable(s, field_id, "terms", lambda: flow_seq(merged.get("terms") or []))
        if not isinstance(target.get("terms"), list):
            target["terms"] = flow_seq([])
        target["terms"].append(term_id)

    return _edit(definition, change)


def add_choice(definition: Definition, field_id: str, value: str, label: Mapping[str, str],
               mwc: Sequence[Any] = (), term: str | None = None) -> EditResult:
    """Add a choice at the end of a choice question's list. For an inherited question the
    whole list is written under ``override`` in the form's languages, as docs ask."""

    def change(s: _Session) -> None:
        merged = s.question(field_id)
        if merged is not None and merged.get("type") not in CHOICE_TYPES:
            s.refuse(EditCode.NOT_CHOICES, "question", id=field_id, type=merged.get("type"))
            merged = None
        if not re.match(CHOICE_VALUE_PATTERN, value or ""):
            s.refuse(EditCode.BAD_VALUE, "value", value=value)
        elif merged is not None and value in _values(merged):
            s.refuse(EditCode.VALUE_EXISTS, "value", id=field_id, value=value)
        labels = s.texts("label", label, "label")
        numbers = s.articles(mwc, "mwc", required=False)
        if term:
            s.term(term)
        if s.problems or merged is None:
            return
        target = _writable(s, field_id, "choices", lambda: _copied_choices(s, merged))
        choices = target["choices"]
        choice = CommentedMap([("value", value)])
        if numbers:
            choice["mwc"] = flow_seq(numbers)
        if term:
            choice["term"] = term
        choice["label"] = text_map(labels, flow=True)
        like(choice, choices[0] if choices else None)
        append(choices, choice)

    return _edit(definition, change)


def change_label(definition: Definition, item_id: str, lang: str, text: str, *,
                 choice: str | None = None, key: str | None = None) -> EditResult:
    """Change one language of a text: a question's label (or `key` "help"), a section's
    title (or help), or, with `choice`, the label of that choice of question `item_id`."""

    def change(s: _Session) -> None:
        if lang not in s.languages:
            s.refuse(EditCode.UNKNOWN_LANGUAGE, "lang", language=lang,
                     languages=", ".join(s.languages))
        elif not (text or "").strip():
            s.refuse(EditCode.MISSING_TEXT, "text", what="text", language=lang)
        fields, sections = s.merged_fields(), s.merged_sections()
        if choice is not None:
            _change_choice_label(s, fields.get(item_id), item_id, choice, lang, text.strip())
        elif item_id in sections:
            _change_item_text(s, item_id, key or "title", ("title", "help"), lang, text)
        elif item_id in fields:
            _change_item_text(s, item_id, key or "label", ("label", "help"), lang, text)
        else:
            s.refuse(EditCode.NO_ITEM, "item", id=item_id)

    return _edit(definition, change)


def hide_question(definition: Definition, field_id: str) -> EditResult:
    """Hide a base question with ``remove``; what must stay on every form is refused."""

    def change(s: _Session) -> None:
        removed = s.doc.get("remove")
        if isinstance(removed, list) and field_id in removed:
            s.refuse(EditCode.ALREADY_HIDDEN, "question", id=field_id)
            return
        merged = s.question(field_id)
        if merged is None:
            return
        if field_id in s.own_fields():
            s.refuse(EditCode.OWN_QUESTION, "question", id=field_id)
            return
        reason = keep_reason(merged)
        if reason is not None:
            s.refuse(EditCode.MUST_KEEP, "question", id=field_id, reason=reason,
                     reason_text=KEEP_REASONS[reason])
            return
        overrides = s.doc.get("override")
        if isinstance(overrides, dict) and field_id in overrides:
            del overrides[field_id]  # the changes of a hidden question are moot
        s.top("remove", flow_seq([])).append(field_id)

    return _edit(definition, change)


def keep_reason(field: Mapping[str, Any]) -> str | None:
    """Why a base question must stay on every form (a `KEEP_REASONS` key), or None."""
    if field.get("dimension") == "gender":
        return "gender"
    if field.get("consent"):
        return "consent"
    if field.get("dimension"):
        return "dimension"
    if field.get("id") in EVENT_PERIOD_FIELDS:
        return "event_period"
    return None


# -- helpers ---------------------------------------------------------------------------


def _read(text: str) -> tuple[YAML, CommentedMap]:
    try:
        yaml, doc = round_trip(text)
    except (YAMLError, ValueError) as exc:
        raise _Refused([EditProblem(EditCode.UNREADABLE, {"detail": str(exc)})]) from exc
    if not isinstance(doc, CommentedMap):
        raise _Refused([EditProblem(EditCode.UNREADABLE, {"detail": "not a set of keys."})])
    return yaml, doc


def _unreadable(problems: Sequence[Problem]) -> EditProblem:
    return EditProblem(EditCode.UNREADABLE,
                       {"detail": " ".join(p.message for p in problems) or "unknown."})


def _introduced(before: CompileResult, after: CompileResult) -> tuple[Problem, ...]:
    """The check problems of `after` that `before` did not have (lines aside)."""
    def key(p: Problem) -> tuple[Any, ...]:
        return (p.code, p.origin, p.path, tuple(sorted((k, str(v)) for k, v in
                                                      p.params.items())))

    seen = Counter(key(p) for p in before.problems)
    out = []
    for problem in after.problems:
        if seen[key(problem)]:
            seen[key(problem)] -= 1
        else:
            out.append(problem)
    return tuple(out)


def _dicts(items: Any) -> Iterator[Any]:
    if isinstance(items, list):
        yield from (i for i in items if isinstance(i, dict))


def _values(field: Mapping[str, Any]) -> list[str]:
    return [str(c.get("value")) for c in _dicts(field.get("choices"))]


def _own_term(s: _Session, term_id: str, merged: Mapping[str, Any]) -> CommentedMap:
    own = s.own_terms().get(term_id)
    if own is not None:
        return own
    copy = CommentedMap([("id", term_id)])
    if merged.get("mwc"):
        copy["mwc"] = flow_seq(list(merged["mwc"]))
    for key in ("label", "help"):
        texts = _in_languages(s, merged.get(key))
        if texts:
            copy[key] = text_map(texts)
    append(s.top("terms", CommentedSeq(), before=("sections", "override", "remove")), copy)
    return copy


def _in_languages(s: _Session, texts: Any) -> dict[str, str]:
    texts = texts if isinstance(texts, dict) else {}
    return {lang: str(texts[lang]) for lang in s.languages if texts.get(lang)}


def _writable(s: _Session, field_id: str, key: str, copy: Any) -> CommentedMap:
    """Where to change the list `key` of a question: the question itself when it is the
    form's own, else its override, which gets a copy of the inherited list (`copy()`)."""
    overrides = s.doc.get("override")
    patch = overrides.get(field_id) if isinstance(overrides, dict) else None
    if isinstance(patch, dict) and isinstance(patch.get(key), list):
        return patch
    own = s.own_fields().get(field_id)
    if own is not None:
        return own
    patch = s.override(field_id)
    patch[key] = copy()
    return patch


def _copied_choices(s: _Session, merged: Mapping[str, Any]) -> CommentedSeq:
    """An inherited choice list, each choice on one line and labelled in the form's
    languages only (docs/forms.md, "Change a question")."""
    out = CommentedSeq()
    for choice in _dicts(merged.get("choices")):
        item = CommentedMap()
        for key, value in choice.items():
            if key == "label":
                item[key] = text_map(_in_languages(s, value), flow=True)
            elif isinstance(value, list):
                item[key] = flow_seq(value)
            else:
                item[key] = value
        item.fa.set_flow_style()
        out.append(item)
    return out


def _change_choice_label(s: _Session, merged: dict[str, Any] | None, field_id: str,
                         value: str, lang: str, text: str) -> None:
    if merged is None:
        s.refuse(EditCode.NO_QUESTION, "item", id=field_id)
        return
    if value not in _values(merged):
        s.refuse(EditCode.NO_CHOICE, "choice", id=field_id, value=value)
    if s.problems:
        return
    target = _writable(s, field_id, "choices", lambda: _copied_choices(s, merged))
    for choice in _dicts(target["choices"]):
        if str(choice.get("value")) == value:
            set_texts(choice, "label", {lang: text})


def _change_item_text(s: _Session, item_id: str, key: str, keys: Sequence[str], lang: str,
                      text: str) -> None:
    if key not in keys:
        s.refuse(EditCode.NOT_A_TEXT, "key", key=key)
    if s.problems:
        return
    overrides = s.doc.get("override")
    patch = overrides.get(item_id) if isinstance(overrides, dict) else None
    own = s.own_sections().get(item_id) or s.own_fields().get(item_id)
    if isinstance(patch, dict) and isinstance(patch.get(key), dict):
        target = patch
    elif own is not None and (isinstance(own.get(key), dict) or item_id not in
                              _inherited_ids(s)):
        target = own
    else:
        target = s.override(item_id)
    set_texts(target, key, {lang: text.strip()})


def _inherited_ids(s: _Session) -> set[str]:
    """Ids of sections and questions that came from a parent form."""
    parent = s.doc.get("extends")
    if not isinstance(parent, str) or parent not in s.definition.library:
        return set()
    merged, _problems = resolve(parent, s.definition.library)
    if merged is None:
        return set()
    ids = {sec.get("id") for sec in _dicts(merged.data.get("sections"))}
    ids |= {f.get("id") for sec in _dicts(merged.data.get("sections"))
            for f in _dicts(sec.get("fields"))}
    return {i for i in ids if isinstance(i, str)}
