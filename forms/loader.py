"""Read YAML text into plain data plus a map from key paths to line numbers.

The parser takes text and an origin name, never a path it opens itself, so tests
feed it inline YAML and the web upload feeds it the posted file. Later stages use
the line map to say where in the file a problem was written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

from forms.errors import Path, PathStep, Problem, ProblemCode, describe_value

#: The longest definition read, in characters (the shipped base form has about 110 000).
MAX_SOURCE_CHARS = 1_000_000
#: The deepest nesting of keys and lists read; a definition needs about eight.
MAX_DEPTH = 40


class _PyParser(Reader, Scanner, Parser):
    """PyYAML's own parser, for installations without libyaml."""

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)


# libyaml's parser when present: large definitions read several times faster.
try:
    from yaml.cyaml import CParser as _Parser
except ImportError:  # PyYAML built without libyaml
    _Parser = _PyParser  # type: ignore[misc,assignment]


class _Refused(yaml.MarkedYAMLError):
    """Composition stopped at a limit, located at the event that crossed it."""

    def __init__(self, code: ProblemCode, mark: Any, path: Path, **params: Any) -> None:
        super().__init__(problem=code.key, problem_mark=mark)
        self.code, self.path, self.params = code, path, params


class _LimitedComposer(Composer):
    """PyYAML's composer with limits checked as each node is composed.

    An alias makes later stages copy the anchored value wherever it is used, so a
    few hundred bytes of nested aliases expand into gigabytes (the "billion
    laughs"): a definition never needs them, so the first alias is refused before
    anything is copied. Depth is bounded here too, before the recursive composer
    and builder meet Python's recursion limit.
    """

    def __init__(self) -> None:
        super().__init__()
        self._path: list[PathStep] = []
        self._depth = 0  # counts keys that are collections too, which have no path step

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        step = _step(parent, index)
        if step is not None:
            self._path.append(step)
        self._depth += 1
        try:
            if self.check_event(AliasEvent):
                raise _Refused(ProblemCode.YAML_ALIAS, self.peek_event().start_mark,
                               tuple(self._path))
            if self._depth > MAX_DEPTH + 1:  # the document's root is depth 1
                raise _Refused(ProblemCode.TOO_DEEP, self.peek_event().start_mark,
                               tuple(self._path[:MAX_DEPTH]), max=MAX_DEPTH)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1
            if step is not None:
                self._path.pop()


def _step(parent: Node | None, index: Any) -> PathStep | None:
    """The key path step of a value: a key's text, a list position; None for keys."""
    if isinstance(parent, SequenceNode) and isinstance(index, int):
        return index
    if isinstance(parent, MappingNode) and index is not None:
        return str(index.value) if isinstance(index, ScalarNode) else "?"
    return None


class _Loader(_LimitedComposer, _Parser, SafeConstructor, Resolver):  # type: ignore[misc]
    """SafeLoader with limits, and YAML 1.2-like scalars.

    YAML 1.1 reads ``no``, ``on`` and ``yes`` as booleans and ``2026-03-14`` as a
    date; in a form those are language tags, choice values and ISO date strings,
    so only ``true``/``false`` are booleans here and dates stay text.
    """

    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        _LimitedComposer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)


_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


@dataclass(frozen=True)
class ParsedSource:
    """One definition file: its data, where each key was written, and read problems."""

    origin: str
    data: Any
    lines: Mapping[Path, int] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()

    @property
    def form_id(self) -> str | None:
        """The `form:` id written in the file, if there is one."""
        form_id = self.data.get("form") if isinstance(self.data, Mapping) else None
        return form_id if isinstance(form_id, str) else None

    def line_for(self, path: Path) -> int | None:
        """Return the line of `path`, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None


def parse_definition(text: str, origin: str) -> ParsedSource:
    """Parse YAML text; a syntax error or a crossed limit becomes a located problem,
    never an exception, and no limit is crossed before it is checked."""
    if len(text) > MAX_SOURCE_CHARS:
        problem = Problem(ProblemCode.TOO_LONG, origin, None, (),
                          {"size": len(text), "max": MAX_SOURCE_CHARS})
        return ParsedSource(origin, None, {}, (problem,))
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
    except _Refused as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark is not None else None
        problem = Problem(exc.code, origin, line, exc.path, exc.params)
        return ParsedSource(origin, None, {}, (problem,))
    except yaml.MarkedYAMLError as exc:
        return _syntax_problem(origin, exc)
    except yaml.YAMLError as exc:
        problem = Problem(ProblemCode.YAML_SYNTAX, origin, None, (), {"detail": str(exc)})
        return ParsedSource(origin, None, {}, (problem,))
    finally:
        loader.dispose()
    builder = _Builder(loader, origin)
    data = builder.build(root, ()) if root is not None else None
    problems = list(builder.problems)
    if not isinstance(data, dict):
        line = builder.lines.get((), 1)
        problems.append(
            Problem(ProblemCode.NOT_A_MAPPING, origin, line, (), {"value": _describe_root(data)})
        )
    return ParsedSource(origin, data, builder.lines, tuple(problems))


def load_yaml(text: str, origin: str) -> Any:
    """Parse YAML that is not a form (taxonomies, workflow configuration) with the same
    scalar rules and limits, or raise `ValueError` naming every problem."""
    parsed = parse_definition(text, origin)
    syntax = [p for p in parsed.problems if p.code is not ProblemCode.NOT_A_MAPPING]
    if syntax:
        raise ValueError("; ".join(p.message for p in syntax))
    return parsed.data


def _describe_root(data: Any) -> str:
    return "nothing" if data is None else describe_value(data)


def _syntax_problem(origin: str, exc: yaml.MarkedYAMLError) -> ParsedSource:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else None
    detail = " ".join(part for part in (exc.context, exc.problem) if part) or "unreadable"
    detail += " (texts containing : ? # , [ ] { } are safest in quotes)"
    problem = Problem(ProblemCode.YAML_SYNTAX, origin, line, (), {"detail": detail})
    return ParsedSource(origin, None, {}, (problem,))


_COLLECTION_TAGS = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})


class _Builder:
    """Turn composed nodes into plain data, recording the line of every key path."""

    def __init__(self, loader: _Loader, origin: str) -> None:
        self._loader = loader
        self._origin = origin
        self.lines: dict[Path, int] = {}
        self.problems: list[Problem] = []

    def build(self, node: Node, path: Path) -> Any:
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, ScalarNode):
            return self._scalar(node, path)
        if node.tag not in _COLLECTION_TAGS:
            self._refuse(node, path, f"the tag {node.tag} is not allowed")
            return None
        if isinstance(node, SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        return None

    def _mapping(self, node: MappingNode, path: Path) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self._key(key_node)
            key_path = (*path, key)
            if key in out:
                self.problems.append(
                    Problem(
                        ProblemCode.DUPLICATE_KEY, self._origin,
                        key_node.start_mark.line + 1, key_path, {"key": key},
                    )
                )
                continue
            self.lines[key_path] = key_node.start_mark.line + 1
            out[key] = self.build(value_node, key_path)
        return out

    def _scalar(self, node: ScalarNode, path: Path) -> Any:
        try:
            return self._loader.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            self._refuse(node, path, getattr(exc, "problem", None) or str(exc))
            return None

    def _refuse(self, node: Node, path: Path, detail: str) -> None:
        self.problems.append(
            Problem(ProblemCode.YAML_SYNTAX, self._origin, node.start_mark.line + 1, path,
                    {"detail": detail})
        )

    def _key(self, node: Node) -> str:
        """Keys are always text in the format; ``21:`` becomes "21"."""
        if isinstance(node, ScalarNode):
            value = self._loader.construct_object(node, deep=True)
            if isinstance(value, bool):
                return "true" if value else "false"
            return "" if value is None else str(value)
        return str(node.start_mark.line + 1)
