"""The form store on both stores: immutable numbered versions, type changes refused,
identical content not republished, drafts, shipped forms, and racing publishes."""

from __future__ import annotations

import threading

import pytest
import yaml
from pymongo.errors import DuplicateKeyError

from forms.compiler import compile_text
from forms.schema import FormDefinition
from forms.store import (
    FormNotFound,
    FormStore,
    PublishConflict,
    PublishRefused,
    definition_data,
    shipped_definitions,
)

SOURCE = """
form: zz-intake
country: MY
languages: [en]
title: {en: Test intake}
sections:
  - id: main
    title: {en: Main}
    fields:
      - {id: name, type: text, label: {en: Name}}
      - {id: age, type: integer, label: {en: Age}}
"""


def definition(title: str = "Test intake", **types: str) -> FormDefinition:
    """The test form with another title and some fields' types changed or added."""
    data = yaml.safe_load(SOURCE)
    data["title"] = {"en": title}
    fields = data["sections"][0]["fields"]
    for field_id, field_type in types.items():
        match = [f for f in fields if f["id"] == field_id]
        if match:
            match[0]["type"] = field_type
        else:
            fields.append({"id": field_id, "type": field_type, "label": {"en": field_id}})
    return FormDefinition.from_dict(data)


@pytest.fixture
def store(any_db):
    forms = FormStore(any_db)
    forms.ensure_indexes()
    forms.ensure_indexes()
    return forms


def publish(store, definition_, actor="u_editor"):
    return store.publish(definition_, source_text=SOURCE, actor=actor)


def test_publish__first_version_with_its_record(store):
    record = publish(store, definition())
    assert record["version"] == 1 and record["form_id"] == "zz-intake"
    assert record["hash"] == definition().definition_hash()
    assert record["country"] == "MY" and record["languages"] == ["en"]
    assert record["source"] == SOURCE and record["published_by"] == "u_editor"
    stored = store.get("zz-intake", 1)
    assert definition_data(stored) == definition().to_dict()
    assert stored["published_at"] == record["published_at"]


def test_publish__numbers_versions_and_keeps_old_ones_readable(store):
    publish(store, definition())
    second = publish(store, definition("Second wording"))
    assert second["version"] == 2
    assert store.latest("zz-intake")["version"] == 2
    assert store.definition("zz-intake", 1).title == {"en": "Test intake"}
    assert store.definition("zz-intake", "2").title == {"en": "Second wording"}
    assert [v["version"] for v in store.versions("zz-intake")] == [1, 2]
    assert "definition" not in store.versions("zz-intake")[0]


def test_publish__identical_content_returns_the_existing_version(store):
    first = publish(store, definition())
    again = publish(store, definition(), actor="u_other")
    assert again["version"] == first["version"] == 1
    assert again["published_by"] == "u_editor"
    assert len(store.versions("zz-intake")) == 1


def test_publish__going_back_to_older_wording_is_a_new_version(store):
    publish(store, definition())
    publish(store, definition("Changed"))
    assert publish(store, definition())["version"] == 3


def test_publish__field_changing_type_refused_with_the_reason(store):
    publish(store, definition())
    with pytest.raises(PublishRefused) as refused:
        publish(store, definition(age="text"))
    [change] = refused.value.reasons
    assert (change.field_id, change.old_type, change.new_type, change.version) == \
        ("age", "integer", "text", 1)
    assert 'The field "age" was published as a integer field' in refused.value.problems[0]
    assert "new id" in refused.value.problems[0]
    assert store.latest("zz-intake")["version"] == 1


def test_publish__box_may_become_a_yes_no_question_but_not_back(store):
    """A box's true and false read the same as a question's yes and no; a question's
    "prefer_not_to_say" has no box to go back to."""
    publish(store, definition(ongoing="boolean"))
    assert publish(store, definition(ongoing="yesno"))["version"] == 2
    with pytest.raises(PublishRefused) as refused:
        publish(store, definition(ongoing="boolean"))
    assert [(c.old_type, c.new_type, c.version) for c in refused.value.reasons] == [
        ("yesno", "boolean", 2)]


def test_publish__type_of_a_field_removed_since_still_counts(store):
    publish(store, definition(extra="date"))
    publish(store, definition())  # "extra" removed in version 2
    with pytest.raises(PublishRefused):
        publish(store, definition(extra="text"))
    assert publish(store, definition(extra_note="text"))["version"] == 3


def test_versions__are_immutable_records(store):
    record = publish(store, definition())
    with pytest.raises(DuplicateKeyError):
        store.versions_collection.insert_one({**record, "_id": "other", "hash": "x"})
    assert not hasattr(store, "update") and not hasattr(store, "delete")


def test_lookups__unknown_or_hostile_versions_find_nothing(store):
    publish(store, definition())
    assert store.get("zz-intake", 2) is None
    assert store.get("zz-intake", {"$gt": 0}) is None
    assert store.get({"$ne": ""}, 1) is None
    assert store.latest("nope") is None
    with pytest.raises(FormNotFound):
        store.definition("zz-intake", 9)
    with pytest.raises(FormNotFound):
        store.definition("zz-intake", "1; drop")


def test_definition__cached_object_reused(store):
    publish(store, definition())
    assert store.definition("zz-intake", 1) is store.definition("zz-intake", 1)


def test_list_latest__one_summary_per_form(store):
    publish(store, definition())
    publish(store, definition("Second"))
    other = FormDefinition.from_dict({**yaml.safe_load(SOURCE), "form": "aa-intake"})
    publish(store, other)
    summaries = store.list_latest()
    assert [(s["form_id"], s["version"]) for s in summaries] == [("aa-intake", 1),
                                                                 ("zz-intake", 2)]
    assert summaries[1]["title"] == {"en": "Second"} and "source" not in summaries[1]


class StaleStore(FormStore):
    """A store whose reads of the latest version lag behind, as when another
    publish lands between our read and our insert."""

    def __init__(self, db, stale_reads: int) -> None:
        super().__init__(db)
        self.stale_reads = stale_reads

    def latest(self, form_id):
        if self.stale_reads > 0:
            self.stale_reads -= 1
            return None
        return super().latest(form_id)


def test_racing_publish__loser_takes_the_next_number(any_db, store):
    publish(store, definition())
    racer = StaleStore(any_db, stale_reads=1)
    assert publish(racer, definition("Racer"))["version"] == 2
    assert [v["version"] for v in store.versions("zz-intake")] == [1, 2]


def test_racing_publish__fails_cleanly_after_repeated_losses(any_db, store):
    publish(store, definition())
    racer = StaleStore(any_db, stale_reads=100)
    with pytest.raises(PublishConflict, match="Try again"):
        publish(racer, definition("Racer"))
    assert len(store.versions("zz-intake")) == 1


@pytest.mark.integration
def test_concurrent_publish__distinct_numbers_or_a_clean_failure(real_db):
    store = FormStore(real_db)
    store.ensure_indexes()
    results, errors = [], []

    def run(n: int) -> None:
        try:
            results.append(FormStore(real_db).publish(definition(f"Wording {n}"),
                                                      source_text=SOURCE, actor="u"))
        except PublishConflict as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    numbers = sorted(r["version"] for r in results)
    assert numbers == list(range(1, len(results) + 1)) and len(results) + len(errors) == 6
    assert len(store.versions("zz-intake")) == len(results)


def test_library_sources__latest_published_source_of_each_form(store):
    parent = SOURCE.replace("zz-intake", "zz-base").replace("country: MY\n", "")
    store.publish(FormDefinition.from_dict(yaml.safe_load(parent)), source_text=parent,
                  actor="u")
    library = store.library_sources()
    assert set(library) == {"zz-base"} and library["zz-base"].form_id == "zz-base"
    child = "form: zz-child\nextends: zz-base\nlanguages: [en]\ntitle: {en: Child}\n"
    result = compile_text(child, "child.yaml", library)
    assert result.ok, result.problems
    assert [f.id for f in result.unwrap().fields()] == ["name", "age"]


def test_drafts__one_per_form_replaced_and_discarded(store):
    assert store.draft("zz-intake") is None
    store.save_draft("zz-intake", "form: zz-intake\n", "u_editor")
    store.save_draft("zz-intake", "form: zz-intake\ncountry: MY\n", "u_editor")
    assert store.draft("zz-intake")["text"] == "form: zz-intake\ncountry: MY\n"
    store.discard_draft("zz-intake")
    assert store.draft("zz-intake") is None
    with pytest.raises(ValueError, match="at most"):
        store.save_draft("zz-intake", "x" * 1_000_001, "u_editor")


def test_list_drafts__every_draft_by_form_id_with_its_text(store):
    assert store.list_drafts() == []
    store.save_draft("zz-intake", "form: zz-intake\n", "u_editor")
    store.save_draft("aa-intake", "form: aa-intake\ncountry: TH\n", "u_editor")
    drafts = store.list_drafts()
    assert [(d["_id"], d["text"]) for d in drafts] == [
        ("aa-intake", "form: aa-intake\ncountry: TH\n"), ("zz-intake", "form: zz-intake\n")]
    store.discard_draft("aa-intake")
    assert [d["_id"] for d in store.list_drafts()] == ["zz-intake"]


def test_publish_shipped__every_shipped_form_once(store):
    shipped = {form_id for form_id, definition_, *_ in shipped_definitions() if definition_}
    report = store.publish_shipped()
    assert {r["form_id"] for r in report.published} == shipped and not report.problems
    assert store.library_sources().keys() == shipped
    assert store.publish_shipped().published == []


def test_publish_shipped__a_form_edited_here_is_kept(store):
    [shipped] = [d for form_id, d, *_ in shipped_definitions() if form_id == "my-intake"]
    edited = FormDefinition.from_dict({**shipped.to_dict(), "title": {"en": "Ours", "ms": "Kami"}})
    store.publish(edited, source_text="edited here", actor="u_editor")
    report = store.publish_shipped()
    assert report.kept == ["my-intake"]
    assert "my-intake" not in {r["form_id"] for r in report.published}
    assert store.latest("my-intake")["source"] == "edited here"
