"""The index table of docs/scale.md, generated from the indexes the stores create.

`indexes_of` lists what `Services.ensure_indexes` (so `mrvrs db init` and every
start-up) left on a database; the table in the docs names each index beside the
screen or task that needs it, and a test fails when the two part:

    python -m app.index_catalogue --write     # rewrites the table, keeping each reason
    python -m app.index_catalogue             # prints it

A reason is the one column written by hand. An index new to the table gets
`UNEXPLAINED` as its reason, and the test refuses that until someone writes why it
exists; a row whose index the code no longer creates disappears on `--write`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from pymongo.database import Database

from app.generated_tables import DOCS, Markers, embedded_app

MARKERS = Markers("index-table", "python -m app.index_catalogue --write")
START, END = MARKERS.start, MARKERS.end
DOCUMENT = DOCS / "scale.md"
UNEXPLAINED = "**not yet explained**"
HEADER = ("| collection | index | keys | options | what needs it |\n"
          "|---|---|---|---|---|\n")


@dataclass(frozen=True)
class Index:
    """One index as the server reports it, in the words the table uses."""

    collection: str
    name: str
    keys: str
    options: str

    @property
    def key(self) -> tuple[str, str]:
        return self.collection, self.name


def indexes_of(db: Database) -> list[Index]:
    """Every index on `db` but the `_id` one each collection has, in a stable order."""
    found = []
    for collection in sorted(db.list_collection_names()):
        for name, info in db[collection].index_information().items():
            if name == "_id_":
                continue
            found.append(Index(collection, name, _keys(info["key"]), _options(info)))
    return sorted(found, key=lambda index: index.key)


def _keys(key: Iterable[tuple[str, object]]) -> str:
    return "`{" + ", ".join(f"{field}: {_direction(direction)}" for field, direction in key) + "}`"


def _direction(direction: object) -> str:
    """1 and -1 as written in MongoDB's notation (servers may answer 1.0); "hashed" as is."""
    return str(int(direction)) if isinstance(direction, (int, float)) else str(direction)


def _options(info: Mapping[str, object]) -> str:
    options = []
    if info.get("unique"):
        options.append("unique")
    if "expireAfterSeconds" in info:
        options.append(f"expires {info['expireAfterSeconds']} s after the date")
    if info.get("sparse"):
        options.append("sparse")
    if info.get("partialFilterExpression"):
        options.append(f"partial: `{_plain(info['partialFilterExpression'])}`")
    return ", ".join(options)


def _plain(value: object) -> object:
    """A filter as plain dicts: a real server answers with `SON`, whose text differs."""
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    return value


def render_table(indexes: Iterable[Index], reasons: Mapping[tuple[str, str], str]) -> str:
    """The Markdown table: one row per index, with its reason from `reasons`."""
    rows = [f"| `{index.collection}` | `{index.name}` | {index.keys} | {index.options} | "
            f"{reasons.get(index.key) or UNEXPLAINED} |\n" for index in indexes]
    return HEADER + "".join(rows)


def reasons_in(document: str) -> dict[tuple[str, str], str]:
    """(collection, index) -> the reason written in the table of `document`."""
    reasons = {}
    for line in table_in(document).splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 5 and cells[0].startswith("`"):
            reasons[(cells[0].strip("`"), cells[1].strip("`"))] = " | ".join(cells[4:])
    return reasons


table_in, with_table = MARKERS.table_in, MARKERS.with_table



def code_indexes() -> list[Index]:
    """The indexes the app creates, read from the embedded store: they do not depend on
    the deployment."""
    return indexes_of(embedded_app().extensions["mrvrs"].db)


def main(argv: Sequence[str]) -> int:
    document = DOCUMENT.read_text(encoding="utf-8")
    table = render_table(code_indexes(), reasons_in(document))
    if "--write" not in argv:
        sys.stdout.write(table)
        return 0
    DOCUMENT.write_text(with_table(document, table), encoding="utf-8")
    print(f"wrote the index table into {DOCUMENT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
