"""Checks of references between items: show_if conditions and standard dimensions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from forms.errors import Path, ProblemCode, describe_value, did_you_mean
from forms.vocabulary import (
    CHOICE_TYPES,
    DIMENSION_KIND_TYPES,
    FIELD_TYPES,
    FREE_CHOICE_DIMENSION_TYPES,
    YES_NO_ANSWERS,
)

if TYPE_CHECKING:
    from forms.dimensions import Dimension
    from forms.validation import Context


def check_show_if(ctx: Context) -> None:
    """show_if must name an existing field, a value it can take, and never loop."""
    fields = ctx.fields_by_id()
    for path, item in _conditioned(ctx):
        condition = item["show_if"]
        target = condition.get("field")
        if not isinstance(target, str):
            continue
        if target not in fields:
            ctx.report(ProblemCode.SHOW_IF_MISSING_FIELD, (*path, "show_if", "field"),
                       field=target, hint=did_you_mean(target, fields))
        else:
            _check_condition_values(ctx, (*path, "show_if"), condition, fields[target][1])
    _check_cycles(ctx)


def _conditioned(ctx: Context) -> list[tuple[Path, dict[str, Any]]]:
    items = list(ctx.sections()) + list(ctx.fields())
    return [(p, i) for p, i in items if isinstance(i.get("show_if"), dict)]


def _check_condition_values(
    ctx: Context, path: Path, condition: dict[str, Any], controller: dict[str, Any]
) -> None:
    if "equals" not in condition and "in" not in condition:
        ctx.report(ProblemCode.MISSING_KEY, path, key="equals (or in)")
        return
    if "equals" in condition and "in" in condition:
        ctx.report(ProblemCode.WRONG_VALUE, path, value="equals together with in",
                   expected="either equals or in, not both")
        return
    if "equals" in condition:
        values = [((*path, "equals"), condition["equals"])]
    elif isinstance(condition["in"], list):
        values = [((*path, "in", i), v) for i, v in enumerate(condition["in"])]
    else:
        return
    allowed = _possible_values(controller)
    if allowed is None:
        return
    for value_path, value in values:
        if not any(type(value) is type(a) and value == a for a in allowed):
            ctx.report(ProblemCode.SHOW_IF_BAD_VALUE, value_path, value=describe_value(value),
                       field=controller.get("id"),
                       allowed=", ".join(describe_value(a) for a in allowed))


def _possible_values(field: dict[str, Any]) -> list[Any] | None:
    """The answers a field can give, when they are a fixed list."""
    if field.get("type") == "boolean":
        return [True, False]
    if field.get("type") == "yesno":
        return list(YES_NO_ANSWERS)
    if field.get("type") in CHOICE_TYPES and isinstance(field.get("choices"), list):
        return [c.get("value") for c in field["choices"] if isinstance(c, dict)]
    return None


def _check_cycles(ctx: Context) -> None:
    """Fields and sections that wait on each other in a circle would never show."""
    depends: dict[str, list[str]] = {}
    paths: dict[str, Path] = {}
    for path, item in list(ctx.sections()) + list(ctx.fields()):
        if isinstance(item.get("id"), str):
            paths.setdefault(item["id"], path)
    for spath, section in ctx.sections():
        for fpath, field in ctx.fields():
            if fpath[:2] == spath and "show_if" in section and isinstance(field.get("id"), str):
                depends.setdefault(field["id"], []).append(str(section.get("id")))
    for _, item in _conditioned(ctx):
        target = item["show_if"].get("field")
        if isinstance(item.get("id"), str) and isinstance(target, str):
            depends.setdefault(item["id"], []).append(target)
    finder = _CycleFinder(ctx, depends, paths)
    for start in depends:
        finder.visit(start)


class _CycleFinder:
    """Depth-first walk over show_if dependencies, reporting each circle found."""

    def __init__(self, ctx: Context, depends: dict[str, list[str]], paths: dict[str, Path]):
        self.ctx = ctx
        self.depends = depends
        self.paths = paths
        self.done: dict[str, bool] = {}  # False while the item is on the current path
        self.stack: list[str] = []

    def visit(self, node: str) -> None:
        if node in self.done:
            return
        self.done[node] = False
        self.stack.append(node)
        for after in self.depends.get(node, []):
            if self.done.get(after) is False:
                self._report([*self.stack[self.stack.index(after) :], after])
            else:
                self.visit(after)
        self.stack.pop()
        self.done[node] = True

    def _report(self, cycle: list[str]) -> None:
        with_condition = [
            n for n in cycle if n in self.paths and _has_show_if(self.ctx, self.paths[n])
        ]
        at = with_condition[0] if with_condition else cycle[0]
        self.ctx.report(ProblemCode.SHOW_IF_CYCLE, (*self.paths.get(at, ()), "show_if"),
                        cycle=" → ".join(cycle))


def _has_show_if(ctx: Context, path: Path) -> bool:
    item: Any = ctx.data
    for step in path:
        item = item[step]
    return isinstance(item, dict) and "show_if" in item


def check_dimensions(ctx: Context) -> None:
    """Each standard dimension on at most one field, of a fitting type and values."""
    used: dict[str, str] = {}
    for path, field in ctx.fields():
        dim_id = field.get("dimension")
        if not isinstance(dim_id, str):
            continue
        if dim_id not in ctx.dimensions:
            allowed = ctx.dimensions.ids()
            ctx.report(ProblemCode.UNKNOWN_DIMENSION, (*path, "dimension"), dimension=dim_id,
                       hint=did_you_mean(dim_id, allowed), allowed=", ".join(allowed))
        elif dim_id in used:
            ctx.report(ProblemCode.DIMENSION_TWICE, (*path, "dimension"), dimension=dim_id,
                       other=used[dim_id])
        else:
            used[dim_id] = str(field.get("id"))
            _check_dimension_field(ctx, path, field, ctx.dimensions.get(dim_id))


def _check_dimension_field(
    ctx: Context, path: Path, field: dict[str, Any], dimension: Dimension
) -> None:
    types = DIMENSION_KIND_TYPES.get(dimension.kind)
    if dimension.kind == "choice" and dimension.values is None:
        types = FREE_CHOICE_DIMENSION_TYPES
    ftype = field.get("type")
    if types is not None and ftype in FIELD_TYPES and ftype not in types:
        ctx.report(ProblemCode.DIMENSION_FIELD_TYPE, (*path, "type"), dimension=dimension.id,
                   type=ftype, expected=" or ".join(t for t in FIELD_TYPES if t in types))
        return
    if dimension.values is None or ftype not in CHOICE_TYPES:
        return
    for choice_path, choice in ctx.choices(field, path):
        value = choice.get("value")
        if isinstance(value, str) and not dimension.allows(value):
            ctx.report(ProblemCode.DIMENSION_VALUE, (*choice_path, "value"), value=value,
                       dimension=dimension.id, allowed=", ".join(dimension.values))


def warn_unused_terms(ctx: Context) -> None:
    """A term no question shows or links explains nothing to anyone: likely a slip, but
    harmless to reporters, so it is a warning and never stops publishing."""
    used: set[str] = set()
    for path, field in ctx.fields():
        names = field.get("terms")
        used.update(n for n in (names if isinstance(names, list) else []) if isinstance(n, str))
        used.update(c["term"] for _, c in ctx.choices(field, path)
                    if isinstance(c.get("term"), str))
    for path, term in ctx.terms():
        if isinstance(term.get("id"), str) and term["id"] not in used:
            ctx.report(ProblemCode.UNUSED_TERM, path, term=term["id"])
