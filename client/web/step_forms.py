"""A step's form, generated from its pydantic model, and the way back from a posted form to a step body.

Each field of a step model becomes one GOV.UK question: dates a date input, a `Literal` or an enum radios,
a required `bool` Yes/No radios (an unticked box must not be read as the worker's "no"), a `bool` with a
default one checkbox, a list of choices checkboxes, numbers a numeric input, free text a textarea, nested
models a JSON textarea. The body built from a form is validated by `client.steps` exactly as the API's
is; what comes back is turned into GOV.UK messages here, each placed next to its question.
"""

from __future__ import annotations

import re
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from activities import intake
from client.order_kinds import kind_of
from client.steps import is_victim_contact
from client.web.forms import PARTS, date_parts, date_problem
from client.web.plain_words import in_words, plain_refusal, sentence_case, step_label
from domain.victim_contact import VictimContactStep

Widget = Literal["date", "radios", "yesno", "checkbox", "checkboxes", "text", "textarea", "number", "json", "lines"]
# Set by the service, never typed: the actor comes from the signed-in user, the step from the URL.
NOT_ASKED = frozenset({"actor", "actor_role", "step"})
# Free text longer than this is a textarea; shorter (names, references) a one-line input.
LONG_TEXT = 200
EFFECTIVE_DATE = "effective_date"

# Words a label reads better with than the field's own name.
LABELS = {
    "effective_date": "Date it happened",
    "reason": "Notes (optional)",
    "ete": "Education, training or employment arranged",
    "ctl_days": "Custody time limit (days)",
    "ctl_start_date": "Custody time limit start date",
    "ctl_expiry": "Custody time limit expiry",
    "to_yjs": "Receiving youth justice service",
    "attendees": "People who attended",
    "outcome_agreement": "Outcome agreement reached",
    "consented": "Consent given",
    "given_by": "Consent given by",
    "how": "How consent was given",
    "option": "Restorative justice option",
    "invite": "Invite to restorative justice",
    "with_party": "Meeting held with",
    "channel": "Contact channel",
    "discharged": "Child discharged at the final panel",
}
HINTS = {
    "effective_date": "When it happened, not when you record it. It can be earlier than today, never later.",
    "reason": "Anything the record should say about this step.",
}
JSON_HINT = "Written as JSON, as the API takes it."


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    id: str


@dataclass(frozen=True)
class FormField:
    """One question on a step's form; `id` is its input's id (a group's first input), which the error
    summary links to."""

    name: str
    label: str
    hint: str | None
    widget: Widget
    required: bool
    options: tuple[Option, ...] = ()
    default: str | None = None

    @property
    def id(self) -> str:
        # GOV.UK: a date input's error links to its day box, a group's to its first input.
        if self.widget == "date":
            return f"{self.name}-day"
        return self.options[0].id if self.options else self.name

    def initial_values(self) -> dict[str, list[str]]:
        """The form's values before anything is posted: a date's default split into its three boxes."""
        if self.default is None:
            return {}
        if self.widget == "date":
            return {f"{self.name}-{p}": [v] for p, v in date_parts({self.name: self.default}, self.name).items()}
        return {self.name: [self.default]}


@dataclass(frozen=True)
class FormError:
    field: str  # the FormField.name it belongs to
    id: str  # the input the error summary links to
    text: str
    parts: str = ""  # a date input's boxes at fault ("day month"), outlined; all of them when blank

    def as_summary(self) -> dict[str, str]:
        return {"field": self.id, "text": self.text, **({"parts": self.parts} if self.parts else {})}


def humanise(name: str) -> str:
    """`contract_signed_date` → `Contract signed date`, `vcs` → `VCS` (labels and option texts)."""
    return sentence_case(in_words(name.strip()))


# --- which model a step is ------------------------------------------------------------------------------


def step_models(workflow_id: str) -> dict[str, type[BaseModel]]:
    """Every step the case's workflow takes, by name, in the order its kind declares them."""
    if is_victim_contact(workflow_id):
        models = _union_members(VictimContactStep)
    else:
        kind = kind_of(workflow_id)
        if kind is None:
            return {}
        models = _union_members(kind.union)
    return {m.model_fields["step"].default: m for m in models}


def _union_members(annotated_union: Any) -> tuple[type[BaseModel], ...]:
    return tuple(get_args(get_args(annotated_union)[0]))


# --- model → questions ----------------------------------------------------------------------------------


def form_fields(
    model: type[BaseModel],
    *,
    today: date,
    defaults: Mapping[str, str] | None = None,
    choices: Mapping[str, Sequence[str]] | None = None,
) -> list[FormField]:
    """The questions for a step: the date it happened first, the step's own fields, notes last. A text
    field named in `choices` is asked as radios of those values (what the case allows, e.g. its victims)."""
    defaults = defaults or {}
    choices = choices or {}
    names = [n for n in model.model_fields if n not in NOT_ASKED]
    order = [EFFECTIVE_DATE] + [n for n in names if n not in (EFFECTIVE_DATE, "reason")] + ["reason"]
    fields = []
    for name in order:
        if name not in model.model_fields:
            continue
        info = model.model_fields[name]
        default = defaults.get(name)
        if name == EFFECTIVE_DATE and default is None:
            default = today.isoformat()
        question = _question(name, info, default)
        if name in choices and question.widget == "text" and choices[name]:
            options = _options(name, tuple((c, c) for c in choices[name]))
            question = FormField(name, question.label, question.hint, "radios", question.required, options, default)
        fields.append(question)
    return fields


def _question(name: str, info: FieldInfo, default: str | None) -> FormField:
    annotation, optional = _unwrap_optional(info.annotation)
    required = info.is_required()
    label = "Reason" if name == "reason" and required else LABELS.get(name) or humanise(name)
    hint = HINTS.get(name) or info.description
    if _is_nested(annotation):
        hint = f"{hint} {JSON_HINT}" if hint else JSON_HINT
    if default is None and not required and info.default not in (None, (), []) and not callable(info.default):
        default = _form_value(info.default)

    def question(widget: Widget, options: tuple[Option, ...] = ()) -> FormField:
        return FormField(name, label, hint, widget, required, options, default)

    choices = _choices(annotation)
    if annotation is date:
        return question("date")
    if annotation is bool:
        if required or optional:
            extra = (("", "Not known"),) if optional and not required else ()
            return question("yesno", _options(name, (("yes", "Yes"), ("no", "No"), *extra)))
        return question("checkbox", _options(name, (("yes", label),)))
    if choices is not None:
        return question("radios", _options(name, tuple((c, humanise(c)) for c in choices)))
    if get_origin(annotation) in (list, tuple):
        item = get_args(annotation)[0]
        item_choices = _choices(item)
        if item_choices is not None:
            return question("checkboxes", _options(name, tuple((c, humanise(c)) for c in item_choices)))
        if item is str:
            one_per_line = " ".join(filter(None, [hint, "One per line."]))
            return FormField(name, label, one_per_line, "lines", required, (), default)
        return question("json")
    if annotation is int:
        return question("number")
    if annotation is str:
        longest = max((getattr(m, "max_length", 0) or 0 for m in info.metadata), default=0)
        return question("textarea" if longest > LONG_TEXT or name == "reason" else "text")
    return question("json")


def _is_nested(annotation: Any) -> bool:
    """Models (or lists of them) inside a step: no form widget fits them, so they are typed as JSON."""
    inner = get_args(annotation)[0] if get_origin(annotation) in (list, tuple) else annotation
    return _choices(inner) is None and inner not in (str, int, date, bool)


def _unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return annotation, False


def _choices(annotation: Any) -> tuple[str, ...] | None:
    if get_origin(annotation) is Literal:
        return tuple(str(a) for a in get_args(annotation))
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return tuple(str(m.value) for m in annotation)
    return None


def _options(name: str, pairs: Sequence[tuple[str, str]]) -> tuple[Option, ...]:
    # GOV.UK: the first input of a group carries the field's own id, so the error summary can link to it.
    return tuple(Option(value, label, name if i == 0 else f"{name}-{i + 1}") for i, (value, label) in enumerate(pairs))


def _form_value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


# --- form → step body -----------------------------------------------------------------------------------


def body_from_form(
    step_name: str, fields: Sequence[FormField], form: Mapping[str, Sequence[str]]
) -> tuple[dict[str, Any], list[FormError]]:
    """The step body a posted form says, and errors for what cannot even be read (bad JSON). An unanswered
    question is left out of the body, so the step model names it as missing."""
    body: dict[str, Any] = {"step": step_name}
    errors: list[FormError] = []
    for f in fields:
        values = [v for v in form.get(f.name, ()) if isinstance(v, str)]
        value = values[0].strip() if values else ""
        match f.widget:
            case "date":
                parts = {p: (form.get(f"{f.name}-{p}") or [""])[0].strip() for p in PARTS}
                if not any(parts.values()) and value:  # the API's one-field form, posted by a script
                    parts = date_parts({f.name: value}, f.name)
                day, problem = date_problem(parts, f.label, required=f.required)
                if problem is not None:
                    at = f"{f.name}-{problem.field_suffix}"
                    errors.append(FormError(f.name, at, problem.text, " ".join(problem.parts)))
                elif day is not None:
                    body[f.name] = day.isoformat()
            case "checkbox":
                body[f.name] = "yes" in values
            case "checkboxes":
                if values:
                    body[f.name] = list(values)
            case "yesno":
                if value in ("yes", "no"):
                    body[f.name] = value == "yes"
            case "lines":
                lines = [line.strip() for line in value.splitlines() if line.strip()]
                if lines:
                    body[f.name] = lines
            case "json":
                if value:
                    # The API's own reading of JSON: NaN, Infinity and deep nesting are refused alike.
                    parsed, problems = intake.parse_body(value)
                    if problems:
                        why = problems[0].message.replace("the body", "it")
                        errors.append(FormError(f.name, f.id, f"{f.label} must be written as JSON: {why}"))
                    else:
                        body[f.name] = parsed
            case _:
                if value:
                    body[f.name] = value
    return body, errors


# --- what went wrong → GOV.UK messages next to the question ---------------------------------------------


def invalid_errors(fields: Sequence[FormField], errors: Sequence[Mapping[str, str]]) -> list[FormError]:
    """`client.steps.StepInvalid` errors as messages next to their questions; one the form does not ask
    (the step itself, a nested path) goes to its top-level question, or else the date it happened."""
    by_name = {f.name: f for f in fields}
    result: list[FormError] = []
    for err in errors:
        top = err["field"].split(".")[0].split("[")[0]
        f = by_name.get(top) or by_name[EFFECTIVE_DATE]
        text = _message(f, err.get("rule", ""), err["message"]) if f.name == top else err["message"]
        if not any(r.field == f.name and r.text == text for r in result):
            result.append(FormError(f.name, f.id, text))
    return result


def _message(f: FormField, rule: str, message: str) -> str:
    label = f.label.removesuffix(" (optional)")
    if rule == "missing":
        if f.widget == "yesno":
            return f"Select yes or no for {label.lower()}"
        if f.widget == "checkboxes":
            return f"Select at least one of {label.lower()}"
        if f.widget == "radios":
            return f"Select {label.lower()}"
        return f"Enter the {label.lower()}" if f.widget == "date" else f"Enter {label.lower()}"
    if rule.startswith("date_") or rule.startswith("datetime_"):
        return f"{label} must be a real date"
    if rule in ("int_parsing", "int_from_float"):
        return f"{label} must be a whole number"
    if rule == "too_short" and f.widget == "checkboxes":
        return f"Select at least one of {label.lower()}"
    return f"{label}: {message}"


WHOLE_STEP = "step-form"  # the form itself: where a refusal of the step as a whole is linked to


def refusal_error(
    fields: Sequence[FormField], message: str, field: str | None = None, *, step_names: Sequence[str] = ()
) -> FormError:
    """The workflow's refusal in a worker's words, next to the question at fault: the one the domain named
    (`field`), else one the reason cites by name (`given_by=…`), else the form as a whole (the case's
    state or order refuses the step, not any one answer)."""
    text = plain_refusal(message, {s: step_label(s) for s in step_names} if step_names else None)
    by_name = {f.name: f for f in fields}
    if field in by_name:
        f = by_name[field]
        return FormError(f.name, f.id, text)
    _, _, why = message.partition(" refused: ")
    for f in fields:
        if f.name in (EFFECTIVE_DATE, "reason"):
            continue
        # Only names a person would not write in prose (`given_by`, `to_yjs`) or `name=` count as naming it.
        if ("_" in f.name and re.search(rf"\b{re.escape(f.name)}\b", why)) or f"{f.name}=" in why:
            return FormError(f.name, f.id, text)
    return FormError("", WHOLE_STEP, text)
