"""The priority rules as a page of choices, for coordinators who do not write YAML.

Lists each rule in words in the viewer's language (the dimension titles and values the
case page shows, the warning signs, the MWC article titles) with its priority, and the
duplicate window. Each action (add a rule, change a rule's priority, remove a rule, set
the window) is one pure edit of `workflows.routing_edits`, checked as the loader checks
the seed file, then saved like every other routing change (`routing._change`): a new
version made from the version the page showed, audited, in force within a minute.
The YAML page (`routing.routing_rules`) stays for experts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import NumberInput

from app.admin.routing import ROUTING_ROLES, BaseForm, _change, current_routing
from app.admin.views import bp
from app.cases.display import articles, dimension_title, dimension_value, priority_label
from app.cases.forms import FLAG_LABELS
from app.roles import roles_required
from app.wtforms_messages import Translated
from forms.dimensions import load_dimensions
from forms.mwc import load_taxonomy
from forms.vocabulary import FLAGS
from workflows import routing_edits as edits
from workflows.errors import Problem, RoutingRulesError
from workflows.routing import PRIORITIES, PriorityRule, load_routing_rules

PAGE = "admin.priority_rules"


class AddRuleForm(Translated, BaseForm):
    # Choices are checked by the loader, which names an unknown dimension or value.
    condition = SelectField(_l("When a case has"), validate_choice=False)
    priority = SelectField(_l("Priority"), validate_choice=False)
    submit = SubmitField(_l("Add the rule"))


class RulePriorityForm(Translated, BaseForm):
    rule = HiddenField(validators=[DataRequired()])
    priority = SelectField(_l("Priority"), validate_choice=False)


class RemoveRuleForm(Translated, BaseForm):
    rule = HiddenField(validators=[DataRequired()])


class WindowForm(Translated, BaseForm):
    # Any text reaches the loader, whose one message covers 0, -3, 2.5 and "abc".
    window = StringField(_l("Duplicate window (days)"), widget=NumberInput(min=1, max=3650),
                         validators=[Length(max=12)])
    submit = SubmitField(_l("Save the window"))


@dataclass(frozen=True)
class RuleRow:
    id: str
    when: str
    priority: str


def condition_choices() -> dict[str, list[tuple[str, str]]]:
    """What a new rule can match, grouped for a select: each warning sign, each value of
    each standard dimension with listed values, each MWC article a case can cite."""
    groups: dict[str, list[tuple[str, str]]] = {
        _("Warning signs"): [(f"flag:{flag}", str(FLAG_LABELS.get(flag, flag)))
                             for flag in FLAGS]}
    for dimension in load_dimensions():
        if dimension.values:
            groups[dimension_title(dimension.id)] = [
                (f"dimension:{dimension.id}:{value}", dimension_value(dimension.id, value))
                for value in dimension.values]
    cited = articles(load_taxonomy().violation_codes())
    groups[_("Cites the MWC article")] = [(f"mwc:{a.code.removeprefix('MWC-')}",
                                           f"{a.code} · {a.title}") for a in cited]
    return groups


def match_of(key: str | None) -> dict[str, Any]:
    """The rule condition a choice of `condition_choices` stands for ({} for none)."""
    kind, _sep, rest = (key or "").partition(":")
    if kind == "flag" and rest:
        return {"flags": [rest]}
    if kind == "mwc" and rest:
        return {"mwc": [int(rest) if rest.isdigit() else rest]}
    if kind == "dimension" and rest:
        dimension, _sep, value = rest.partition(":")
        return {"dimension": dimension, "values": [value]}
    return {}


def rule_words(rule: PriorityRule) -> str:
    """What the rule matches, as a sentence in the viewer's language."""
    if rule.flags:
        signs = ", ".join(str(FLAG_LABELS.get(f, f)) for f in rule.flags)
        if len(rule.flags) == 1:
            return _("Warning sign: %(signs)s", signs=signs)
        return _("Any of these warning signs: %(signs)s", signs=signs)
    if rule.mwc:
        cited = ", ".join(f"{a.code} · {a.title}" if a.title else a.code
                          for a in articles(rule.mwc))
        return _("Cites %(articles)s", articles=cited) if len(rule.mwc) == 1 else \
            _("Cites any of %(articles)s", articles=cited)
    title = dimension_title(rule.dimension or "")
    values = ", ".join(dimension_value(rule.dimension or "", v) for v in rule.values)
    if len(rule.values) == 1:
        return _("%(dimension)s is %(value)s", dimension=title, value=values)
    return _("%(dimension)s is one of: %(values)s", dimension=title, values=values)


def rule_rows(config: dict[str, Any]) -> list[RuleRow]:
    return [RuleRow(rule.id, rule_words(rule), rule.priority)
            for rule in load_routing_rules(config).priority_rules]


def _priority_choices() -> list[tuple[str, str]]:
    return [(p, priority_label(p)) for p in PRIORITIES]


Edit = Callable[[dict[str, Any]], dict[str, Any]]


def _in_words(make: Edit) -> Edit:
    """`make`, with its problems told without their key paths: the page names no YAML
    keys, and the action just taken says which rule or setting a problem is about."""
    def run(config: dict[str, Any]) -> dict[str, Any]:
        try:
            return make(config)
        except RoutingRulesError as error:
            raise RoutingRulesError([Problem(p.code, "", p.message)
                                     for p in error.problems]) from None

    return run


def _page(errors: list[str] | None = None, status: int = 200,
          refused: FlaskForm | None = None):
    """The rules of the current version; after a refusal, the refused form as posted."""
    number, config = current_routing()
    base = {"base_version": str(number)}
    add = refused if isinstance(refused, AddRuleForm) else AddRuleForm(
        prefix="add", formdata=None, data={**base, "priority": "urgent"})
    add.condition.choices = condition_choices()
    add.priority.choices = _priority_choices()
    window = refused if isinstance(refused, WindowForm) else WindowForm(
        prefix="window", formdata=None,
        data={**base, "window": config.get("duplicate_window_days")})
    return render_template(
        "admin/priority_rules.html", number=number, rules=rule_rows(config),
        window_days=config.get("duplicate_window_days"), errors=errors or [],
        add_form=add, window_form=window, priorities=_priority_choices(),
        priority_form=RulePriorityForm(prefix="priority", formdata=None, data=base),
        remove_form=RemoveRuleForm(prefix="remove", formdata=None, data=base)), status


@bp.route("/routing/priority")
@roles_required(*ROUTING_ROLES)
def priority_rules():
    return _page()


@bp.route("/routing/priority/add", methods=["POST"])
@roles_required(*ROUTING_ROLES)
def priority_rule_add():
    form = AddRuleForm(prefix="add")
    match = match_of(form.condition.data)
    problems = [] if match else [_("Choose what the rule matches.")]
    make = _in_words(lambda c: edits.add_rule(c, match, form.priority.data))
    done = _("The rule “%(when)s” was added with the priority %(priority)s.",
             when=_match_words(match), priority=priority_label(form.priority.data or ""))
    return _change(form, make, problems, done, page=_page, back=PAGE)


def _match_words(match: dict[str, Any]) -> str:
    """A condition in words, as the list will show it once it is saved."""
    return rule_words(PriorityRule("", "", tuple(match.get("flags") or ()),
                                   tuple(match.get("mwc") or ()), match.get("dimension"),
                                   tuple(match.get("values") or ())))


@bp.route("/routing/priority/set", methods=["POST"])
@roles_required(*ROUTING_ROLES)
def priority_rule_set():
    form = RulePriorityForm(prefix="priority")
    rule = form.rule.data or ""
    make = _in_words(lambda c: edits.set_rule_priority(c, rule, form.priority.data))
    return _change(form, make, [],
                   _("The priority of the rule %(rule)s was changed.", rule=rule),
                   page=_page, back=PAGE)


@bp.route("/routing/priority/remove", methods=["POST"])
@roles_required(*ROUTING_ROLES)
def priority_rule_remove():
    form = RemoveRuleForm(prefix="remove")
    rule = form.rule.data or ""
    return _change(form, _in_words(lambda c: edits.remove_rule(c, rule)), [],
                   _("The priority rule %(rule)s was removed.", rule=rule),
                   page=_page, back=PAGE)


@bp.route("/routing/priority/window", methods=["POST"])
@roles_required(*ROUTING_ROLES)
def priority_window():
    form = WindowForm(prefix="window")
    days = _whole_number(form.window.data)
    return _change(form, _in_words(lambda c: edits.set_duplicate_window(c, days)), [],
                   _("The duplicate window was changed."), page=_page, back=PAGE)


def _whole_number(text: str | None) -> Any:
    """`text` as an int when it is one ("30", " -4 "), else as typed, for the loader to
    refuse in its own words."""
    value = (text or "").strip()
    try:
        return int(value)
    except ValueError:
        return value
