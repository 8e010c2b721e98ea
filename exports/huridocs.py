"""Cases in a human-rights documentation layout, after the HURIDOCS Events Standard Formats.

The Events Standard Formats (HURIDOCS, Dueck, Guzman and Verstappen, 2001) record
"who did what to whom": an *event* (something that happened, with a beginning and an
end) is made of *acts*; each act has a *victim* and may have *perpetrators*; the
links between them are records of their own. This module lays one redacted case out
that way, in five tables, so a file can be read into documentation systems built on
the formats (OpenEvSys, Uwazi templates) or joined in any spreadsheet:

- ``events``: one per case, the violation event. Borrowed fields: "Event Record
  Number" (`event_id`: the reference in a full export, the pseudonym otherwise),
  "Event Title", "Geographical Term" (the destination state: the country level
  only, unless the export is full, where "Local Geographical Area" holds the places
  the answers give), "Initial Date" and "Final Date" (the event period the reporter
  gave), "Event Description" (the narratives, as redaction lets them leave).
- ``acts``: one per MWC article the case cites as violated (the counting rule of
  the violations table), with the victim. Borrowed: "Act Record Number", "Type of
  Act" (the MWC code; a case citing none has one act without a type), "Initial
  Date", "Final Date".
- ``victims``: one per case, its worker: "Person Record Number", "Sex" (the
  gender dimension), "Citizenship", "Occupation", and in a full export only the
  personal fields ("Name", contacts, document numbers, places).
- ``perpetrators``: the registry entities the case is linked to (`entity_links`),
  each once per export, and the perpetrator types the answers name that no link
  covers (one per case and type: an unnamed "employer" of two cases need not be one
  person). Borrowed: "Person Record Number", "Name", "Type of Perpetrator".
- ``relations``: event → act, act → victim, act → perpetrator, each with the two
  record numbers. ESF's "Degree of Involvement" is `alleged` for every perpetrator:
  the network records allegations. A case does not say which of its perpetrators did
  which act, so each act is related to each of the case's perpetrators.

Redaction is `exports.redaction`'s alone: this module reads the case as the
`Redactor` left it (`shown`) for every answer, and from the stored case only its id,
its event period and its links to the registry, none of them personal. A registry
entity the level may not name (`exports.entity_counts.nameable`: a private employer
outside a full export) keeps its row, with its kind and country but no name, no
registry id and a pseudonym for a record number. Pure core: plain data in, rows out.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from exports.entity_counts import EntityLine, nameable
from exports.redaction import Level, Redactor
from exports.tabular import Column, Table, TaggedRow
from forms.mwc import Taxonomy, code
from forms.schema import FormDefinition

EVENTS, ACTS, VICTIMS, PERPETRATORS, RELATIONS = (
    "events", "acts", "victims", "perpetrators", "relations")
TABLE_NAMES = (EVENTS, ACTS, VICTIMS, PERPETRATORS, RELATIONS)
#: What every documentation export says of the perpetrators it names.
CAUTION = ("The perpetrators in this file are alleged: the cases are allegations recorded "
           "by the network. They are not findings of a court or of any authority.")
#: The perpetrator types a link to the registry stands for, by the link's actor.
LINK_COVERS = {"agency": frozenset({"AGENCY_DEST", "AGENCY_ORIG", "BROKER"}),
               "employer": frozenset({"EMP_IND", "EMP_FAM", "EMP_CO"}),
               "other": frozenset()}
#: A victim's personal fields in a full export, by the form's `personal:` kind.
PERSONAL_KINDS = ("name", "contact", "document", "location")
JOIN = "; "


def _table(name: str, *columns: tuple[str, str]) -> Table:
    return Table(name, tuple(Column(key, label) for key, label in columns))


def tables(level: Level | str) -> list[Table]:
    """The five tables at `level`: a full export's victims and events carry the personal
    fields; at the aggregate level perpetrators carry their count of cases instead."""
    level = Level(level)
    full = level is Level.FULL
    events = [("event_id", "Event record number"), ("title", "Event title"),
              ("handling_country", "Country handling the case"),
              ("geographical_term", "Geographical term (destination country)")]
    if full:
        events.append(("local_area", "Local geographical area"))
    events += [("initial_date", "Initial date"), ("final_date", "Final date"),
               ("date_precision", "Date precision"), ("date_approximate", "Date approximate"),
               ("description", "Event description"), ("filed", "Date of entry"),
               ("stage", "Stage"), ("outcome", "Outcome")]
    victims = [("victim_id", "Person record number"), ("event_id", "Event record number")]
    if full:
        victims += [(kind, f"Personal: {kind}") for kind in PERSONAL_KINDS]
    victims += [("sex", "Sex (gender)"), ("age_band", "Age band"),
                ("citizenship", "Citizenship"), ("occupation", "Occupation"),
                ("immigration_status", "Immigration status")]
    perpetrators = [("perpetrator_id", "Person record number"), ("source", "Source"),
                    ("entity_id", "Registry entity"), ("name", "Name"),
                    ("kind", "Type of perpetrator"), ("type_code", "Perpetrator type (code)"),
                    ("type_label", "Perpetrator type"), ("country", "Country"),
                    ("licences", "Licence or registration numbers")]
    if level is Level.AGGREGATE:
        perpetrators.append(("cases", "Cases counted"))
    return [
        _table(EVENTS, *events),
        _table(ACTS, ("act_id", "Act record number"), ("event_id", "Event record number"),
               ("victim_id", "Victim (person record number)"), ("type_of_act", "Type of act"),
               ("mwc_article", "MWC article"), ("act_title", "Type of act (title)"),
               ("initial_date", "Initial date"), ("final_date", "Final date")),
        _table(VICTIMS, *victims),
        _table(PERPETRATORS, *perpetrators),
        _table(RELATIONS, ("from_table", "From"), ("from_id", "From record number"),
               ("relation", "Relation"), ("to_table", "To"), ("to_id", "To record number"),
               ("degree_of_involvement", "Degree of involvement")),
    ]


@dataclass
class DocumentationLayout:
    """Lays cases out for one export; make a new one for every export.

    It remembers the registry entities the cases are linked to, so each is written
    once, after the last case (`entity_rows`), from one batched lookup.
    """

    redactor: Redactor
    taxonomy: Taxonomy
    lang: str = "en"
    linked: dict[str, str] = field(default_factory=dict)  # entity id -> record number
    countable: frozenset[int] = field(init=False)

    def __post_init__(self) -> None:
        self.countable = frozenset(self.taxonomy.violation_codes())

    @property
    def level(self) -> Level:
        return self.redactor.level

    def case_rows(self, case: Mapping[str, Any], shown: Mapping[str, Any],
                  definition: FormDefinition) -> Iterator[TaggedRow]:
        """The rows of one case: `shown` is `Redactor.redact(case, definition)`."""
        full = self.level is Level.FULL
        event_id = str(shown.get("reference") if full else shown.get("pseudonym"))
        victim_id = f"{event_id}/V1"
        dims = shown.get("dimensions") or {}
        span = case.get("event") if isinstance(case.get("event"), Mapping) else {}
        personal = _personal_answers(shown, definition) if full else {}
        articles = [n for n in _articles(shown) if n in self.countable]
        place = {"local_area": personal.get("location")} if full else {}
        yield EVENTS, {
            "event_id": event_id, "title": self._title(articles, dims),
            "handling_country": shown.get("country"),
            "geographical_term": dims.get("destination_country"), **place,
            "initial_date": span.get("start"), "final_date": span.get("end"),
            "date_precision": span.get("precision"),
            "date_approximate": span.get("approximate"),
            "description": _description(shown, definition), "filed": shown.get("created_at"),
            "stage": shown.get("stage"), "outcome": shown.get("outcome")}
        yield VICTIMS, {
            "victim_id": victim_id, "event_id": event_id, **personal,
            "sex": dims.get("gender"), "age_band": dims.get("age_band"),
            "citizenship": dims.get("nationality"), "occupation": dims.get("occupation"),
            "immigration_status": dims.get("immigration_status")}
        perpetrators = [*self._linked(case), *self._typed(case, dims, definition, event_id)]
        for perpetrator_id, row in perpetrators:
            if row is not None:
                yield PERPETRATORS, row
        for act_id, act in self._acts(articles, event_id, victim_id, span):
            yield ACTS, act
            yield RELATIONS, _relation(EVENTS, event_id, "act", ACTS, act_id)
            yield RELATIONS, _relation(ACTS, act_id, "victim", VICTIMS, victim_id)
            for perpetrator_id, _ in perpetrators:
                yield RELATIONS, _relation(ACTS, act_id, "perpetrator", PERPETRATORS,
                                           perpetrator_id, "alleged")

    def entity_rows(self, entities: Mapping[str, Mapping[str, Any]]) -> Iterator[TaggedRow]:
        """One row per registry entity the cases were linked to; `entities` holds those
        the registry still has (one missing still gets its row, unnamed)."""
        for entity_id, perpetrator_id in sorted(self.linked.items(), key=lambda i: i[1]):
            yield PERPETRATORS, self._entity_row(entity_id, perpetrator_id,
                                                 entities.get(entity_id) or {})

    def _entity_row(self, entity_id: str, perpetrator_id: str,
                    entity: Mapping[str, Any]) -> dict[str, Any]:
        named = bool(entity) and nameable(entity, self.level)
        licences = [f"{lic.get('authority')}: {lic.get('number')}"
                    for lic in entity.get("licences") or () if isinstance(lic, Mapping)]
        return {"perpetrator_id": perpetrator_id, "source": "registry",
                "entity_id": entity_id if named else None,
                "name": entity.get("name") if named else None,
                "kind": entity.get("kind"), "country": entity.get("country"),
                "licences": JOIN.join(licences) if named and licences else None}

    def _linked(self, case: Mapping[str, Any]) -> Iterator[tuple[str, None]]:
        """The record numbers of the entities the case is linked to (rows come later)."""
        for entity_id in _linked_ids(case):
            if entity_id not in self.linked:
                self.linked[entity_id] = (
                    entity_id if self.level is Level.FULL
                    else self.redactor.pseudonym(f"entity|{entity_id}"))
            yield self.linked[entity_id], None

    def _typed(self, case: Mapping[str, Any], dims: Mapping[str, Any],
               definition: FormDefinition,
               event_id: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """The perpetrator types the answers name that no registry link stands for."""
        covered = set().union(*(LINK_COVERS.get(link.get("actor"), frozenset())
                                for link in _links(case)))
        labels = _type_labels(definition, self.lang)
        types = dims.get("perpetrator_type")
        for type_code in types if isinstance(types, list) else ():
            if not isinstance(type_code, str) or type_code in covered:
                continue
            perpetrator_id = f"{event_id}/P-{type_code}"
            yield perpetrator_id, {"perpetrator_id": perpetrator_id, "source": "answer",
                                   "type_code": type_code,
                                   "type_label": labels.get(type_code, type_code)}

    def _acts(self, articles: list[int], event_id: str, victim_id: str,
              span: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
        for article in articles or [None]:
            act_id = f"{event_id}/A{article if article is not None else 0}"
            yield act_id, {
                "act_id": act_id, "event_id": event_id, "victim_id": victim_id,
                "type_of_act": code(article) if article is not None else None,
                "mwc_article": article,
                "act_title": (self.taxonomy.title(article, self.lang)
                              if article is not None and article in self.taxonomy else None),
                "initial_date": span.get("start"), "final_date": span.get("end")}

    def _title(self, articles: list[int], dims: Mapping[str, Any]) -> str:
        where = dims.get("destination_country") or "?"
        cited = ", ".join(code(n) for n in articles) or "no MWC article cited"
        return f"{cited} ({where})"


def aggregate_rows(lines: list[EntityLine]) -> Iterator[TaggedRow]:
    """At the aggregate level no case leaves: only the entities with their counts of
    cases, as the indicators name them (`exports.entity_counts.top_entities`)."""
    for line in lines:
        yield PERPETRATORS, {"perpetrator_id": line.entity_id, "source": "registry",
                             "entity_id": line.entity_id, "name": line.name,
                             "kind": line.kind, "country": line.country, "cases": line.cases}


def _relation(from_table: str, from_id: str, relation: str, to_table: str, to_id: str,
              degree: str | None = None) -> dict[str, Any]:
    return {"from_table": from_table, "from_id": from_id, "relation": relation,
            "to_table": to_table, "to_id": to_id, "degree_of_involvement": degree}


def _links(case: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [link for link in case.get("entity_links") or () if isinstance(link, Mapping)
            and isinstance(link.get("entity_id"), str)]


def _linked_ids(case: Mapping[str, Any]) -> list[str]:
    return list(dict.fromkeys(link["entity_id"] for link in _links(case)))


def _articles(shown: Mapping[str, Any]) -> list[int]:
    return sorted({n for n in shown.get("mwc") or () if isinstance(n, int)
                   and not isinstance(n, bool)})


def _personal_answers(shown: Mapping[str, Any], definition: FormDefinition) -> dict[str, Any]:
    """A full export's personal answers, joined by kind (name, contact, document, place)."""
    answers = shown.get("answers") or {}
    found: dict[str, list[str]] = {}
    for question in definition.fields():
        value = answers.get(question.id)
        if question.personal in PERSONAL_KINDS and value not in (None, "", []):
            values = value if isinstance(value, list) else [value]
            found.setdefault(question.personal, []).extend(str(v) for v in values)
    return {kind: JOIN.join(values) for kind, values in found.items()}


def _description(shown: Mapping[str, Any], definition: FormDefinition) -> str | None:
    """The narratives as redaction left them (approved and masked, or withheld)."""
    answers = shown.get("answers") or {}
    texts = [answers[f.id] for f in definition.fields()
             if f.type == "textarea" and isinstance(answers.get(f.id), str)
             and answers[f.id].strip()]
    return "\n\n".join(texts) or None


def _type_labels(definition: FormDefinition, lang: str) -> dict[str, str]:
    for question in definition.fields():
        if question.dimension == "perpetrator_type":
            return {c.value: definition.text(c.label, lang) or c.value
                    for c in question.choices}
    return {}
