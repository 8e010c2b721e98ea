"""Write YAML the way its author laid it out: ruamel.yaml's round-trip mode, plus the
few helpers an edit needs so new items look like their neighbours and the blank lines and
comments after a list stay after it. PyYAML cannot do this: it drops comments.

Used by `forms.definition_edits`; any code that writes into a definition someone keeps
(translations imported from a sheet, say) can use it the same way.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.scalarstring import DoubleQuotedScalarString
from ruamel.yaml.tokens import CommentToken
from ruamel.yaml.util import load_yaml_guess_indent

#: A text map written on one line while it is this short; longer ones get a line each.
FLOW_TEXT_CHARS = 100


def round_trip(text: str) -> tuple[YAML, Any]:
    """A ruamel round-trip reader set to the text's own indentation, never wrapping a
    long text; raises `YAMLError` or `ValueError` when the text cannot be read."""
    _, indent, offset = load_yaml_guess_indent(text)
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 1_000_000  # never wrap a long text onto a new line
    offset = offset or 0
    indent = indent or 2
    yaml.indent(mapping=max(indent - offset, 2) if offset else indent,
                sequence=indent, offset=offset)
    return yaml, yaml.load(text)


def dump(yaml: YAML, doc: Any) -> str:
    stream = io.StringIO()
    yaml.dump(doc, stream)
    return stream.getvalue()


def append(items: CommentedSeq, item: Any) -> None:
    """Append to a list, moving the blank lines and comments that followed its last item
    (ruamel keeps them on that item) to after the new one, so the list stays one block."""
    tail = _take_tail(items[-1]) if items else None
    items.append(item)
    if tail:
        _put_tail(item, tail)


def _tail_holder(node: Any) -> tuple[CommentedMap, Any] | None:
    """The deepest (map, last key) on the last path of `node` that holds a comment after
    its value."""
    found = None
    while isinstance(node, CommentedMap) and len(node):
        key = list(node)[-1]
        entry = node.ca.items.get(key)
        if entry and len(entry) > 2 and entry[2] is not None:
            found = (node, key)
        node = node[key]
    return found


def _take_tail(node: Any) -> str:
    """Cut what follows the end of `node`'s last line (blank lines, comments) and return it."""
    holder = _tail_holder(node)
    if holder is None:
        return ""
    owner, key = holder
    token = owner.ca.items[key][2]
    line_end = token.value.find("\n") + 1
    if line_end <= 0:
        return ""
    own, tail = token.value[:line_end], token.value[line_end:]
    if own.strip():
        token.value = own
    else:
        owner.ca.items[key][2] = None
    return tail


def _put_tail(node: Any, tail: str) -> None:
    while isinstance(node, CommentedMap) and len(node):
        key = list(node)[-1]
        value = node[key]
        if isinstance(value, CommentedMap) and not value.fa.flow_style() and len(value):
            node = value
            continue
        node.ca.items.setdefault(key, [None, None, None, None])
        node.ca.items[key][2] = CommentToken("\n" + tail, CommentMark(0), None)
        return


def flow_seq(items: Sequence[Any]) -> CommentedSeq:
    seq = CommentedSeq(list(items))
    seq.fa.set_flow_style()
    return seq


def quoted(value: str) -> DoubleQuotedScalarString:
    return DoubleQuotedScalarString(value)


def text_map(texts: Mapping[str, str], flow: bool | None = None) -> CommentedMap:
    out = CommentedMap((lang, quoted(t)) for lang, t in texts.items())
    if flow if flow is not None else sum(len(t) for t in texts.values()) <= FLOW_TEXT_CHARS:
        out.fa.set_flow_style()
    return out


def like(new: CommentedMap, sibling: Any) -> None:
    """Write a new list item on one line when the item before it is written so."""
    if sibling is None or (isinstance(sibling, CommentedMap) and sibling.fa.flow_style()):
        new.fa.set_flow_style()


def set_texts(item: CommentedMap, key: str, texts: Mapping[str, str]) -> None:
    if not texts:
        return
    current = item.get(key)
    if not isinstance(current, dict):
        item[key] = text_map(texts)
        return
    for lang, text in texts.items():
        current[lang] = quoted(text)


def replace_seq(item: CommentedMap, key: str, values: Sequence[Any]) -> None:
    """Replace a list's items, keeping how and where it was written."""
    current = item.get(key)
    if isinstance(current, list):
        current[:] = list(values)
    else:
        item[key] = flow_seq(values)
