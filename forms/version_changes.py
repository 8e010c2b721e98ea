"""What a new version changes in the questions, for the page that confirms it.

Pure: the published field types (as stored on each version) and the new
definition in, the added, removed and retyped field ids out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from forms.schema import FormDefinition


@dataclass(frozen=True)
class FieldChanges:
    added: tuple[str, ...]
    removed: tuple[str, ...]
    retyped: tuple[tuple[str, str, str], ...]  # (field id, published type, new type)

    @property
    def any(self) -> bool:
        return bool(self.added or self.removed or self.retyped)


def field_changes(published: Mapping[str, str] | None, definition: FormDefinition) -> FieldChanges:
    """Compare the latest version's `field_types` with the new definition's fields."""
    old = dict(published or {})
    new = {f.id: f.type for f in definition.fields()}
    return FieldChanges(
        added=tuple(field_id for field_id in new if field_id not in old),
        removed=tuple(field_id for field_id in old if field_id not in new),
        retyped=tuple((field_id, old[field_id], new_type) for field_id, new_type in new.items()
                      if field_id in old and old[field_id] != new_type))
