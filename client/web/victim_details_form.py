"""The victim's details as a form: the questions (GOV.UK fields, as the step forms draw them), the
details' JSON from the answers, and each refusal put back next to its question."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from client.web.forms import FormErrors
from client.web.step_forms import FormField, Option
from domain.victim_details import ContactRoute, VictimDetails

_ROUTES = {
    "phone": "Phone",
    "text_message": "Text message",
    "email": "Email",
    "letter": "Letter",
    "in_person": "In person",
    "via_police": "Through the police",
    "via_parent_or_guardian": "Through their parent or guardian",
}


def _options(name: str, pairs: Sequence[tuple[str, str]]) -> tuple[Option, ...]:
    return tuple(Option(v, label, name if i == 0 else f"{name}-{i + 1}") for i, (v, label) in enumerate(pairs))


def _text(name: str, label: str, hint: str | None = None, widget: str = "text") -> FormField:
    return FormField(name, label, hint, widget, False)  # type: ignore[arg-type]


YES_NO = (("yes", "Yes"), ("no", "No"))
DETAILS_FIELDS: list[FormField] = [
    FormField("kind", "Who is the victim", None, "radios", True,
              _options("kind", (("person", "A person"), ("organisation", "An organisation")))),
    FormField("under_18", "Under 18 at the time of the offence", "A victim under 18 has enhanced rights, and a "
              "parent or guardian receives the Code's services too.", "yesno", True, _options("under_18", YES_NO)),
    FormField("enhanced_rights", "Enhanced rights under the Victims' Code", "Yes for a victim under 18, vulnerable "
              "or intimidated, or a victim of the most serious crime. Never for an organisation.", "yesno", True,
              _options("enhanced_rights", YES_NO)),
    _text("name", "Name", "A person's name."),
    _text("organisation_name", "Organisation's name", "Only for an organisation."),
    _text("named_contact", "Named contact", "An organisation is dealt with only through a named person."),
    FormField("contact_route", "How they want to be contacted", None, "radios", True,
              _options("contact_route", tuple((r.value, _ROUTES[r.value]) for r in ContactRoute))),
    _text("phone", "Phone", "A UK number, needed for phone or text message."),
    _text("email", "Email", "Needed for email."),
    _text("address_lines", "Address", "Up to 4 lines, one per line; needed for a letter.", "lines"),
    _text("town", "Town or city"),
    _text("postcode", "Postcode"),
    _text("preferred_contact_times", "When to contact them", "For example: weekday evenings."),
    _text("parent_name", "Parent or guardian's name", "Needed for a victim under 18. Kept here, never on the case."),
    _text("parent_relationship", "Their relationship to the victim", "For example: mother, foster carer."),
    _text("parent_phone", "Parent or guardian's phone"),
    _text("parent_email", "Parent or guardian's email"),
    _text("notes", "Notes", "Kept encrypted with the details; only victim workers and their managers read them.",
          "textarea"),
    FormField("received_on", "When the YJS received these details", "The date each of the victim's contacts "
              "records as “Victim's details received”.", "date", True),
    _text("purpose", "Why you are recording them", "Kept in the access log a manager reviews. If left blank: "
          "victim's details received for victim contact and restorative justice."),
]  # fmt: skip

# Where a refusal of the details' JSON belongs on the form.
_NESTED = {
    ("address", "lines"): "address_lines",
    ("address", "town"): "town",
    ("address", "postcode"): "postcode",
    ("address",): "address_lines",
    ("parent_or_guardian", "name"): "parent_name",
    ("parent_or_guardian", "relationship"): "parent_relationship",
    ("parent_or_guardian", "phone"): "parent_phone",
    ("parent_or_guardian", "email"): "parent_email",
    ("parent_or_guardian", "address"): "parent_phone",
    ("parent_or_guardian",): "parent_name",
}


def field_of(loc: Sequence[object]) -> str:
    parts = tuple(str(p) for p in loc if not isinstance(p, int))
    return _NESTED.get(parts[:2]) or _NESTED.get(parts[:1]) or (parts[0] if parts else "kind")


def body_from_form(
    values: Mapping[str, Sequence[str]], errors: FormErrors, today: date
) -> tuple[dict[str, object], date, str | None]:
    """The details' JSON from the answers (blank answers left out), the received date and the purpose."""

    def one(name: str) -> str:
        given = values.get(name) or [""]
        return given[0].strip()

    body: dict[str, object] = {}
    for name in ("kind", "contact_route", "name", "organisation_name", "named_contact", "phone", "email",
                 "preferred_contact_times", "notes"):  # fmt: skip
        if one(name):
            body[name] = one(name)
    for name in ("under_18", "enhanced_rights"):
        if one(name) in ("yes", "no"):
            body[name] = one(name) == "yes"
    lines = [line.strip() for line in one("address_lines").splitlines() if line.strip()]
    if lines or one("postcode") or one("town"):
        body["address"] = {
            k: v for k, v in (("lines", lines), ("town", one("town")), ("postcode", one("postcode"))) if v
        }
    parent = {k: one(f"parent_{k}") for k in ("name", "relationship", "phone", "email") if one(f"parent_{k}")}
    if parent:
        body["parent_or_guardian"] = parent
    on = today
    if one("received_on"):
        try:
            on = date.fromisoformat(one("received_on"))
        except ValueError:
            errors.add("received_on", "When the YJS received these details must be a real date, for example 2026-11-01")
        else:
            if on > today:
                errors.add(
                    "received_on", f"When the YJS received these details cannot be in the future (today is {today})"
                )
    return body, on, one("purpose") or None


def shown(details: VictimDetails) -> list[tuple[str, str]]:
    """The details as label and value, in the form's order, for the page that read them (never logged)."""
    d = details
    rows: list[tuple[str, str | None]] = [
        ("Who", "An organisation" if d.kind == "organisation" else "A person"),
        ("Under 18", "Yes" if d.under_18 else "No"),
        ("Enhanced rights", "Yes" if d.enhanced_rights else "No"),
        ("Name", d.name),
        ("Organisation", d.organisation_name),
        ("Named contact", d.named_contact),
        ("Contact by", _ROUTES.get(d.contact_route.value, d.contact_route.value)),
        ("Phone", d.phone),
        ("Email", d.email),
        ("Address", ", ".join([*d.address.lines, d.address.town or "", d.address.postcode]) if d.address else None),
        ("When to contact", d.preferred_contact_times),
    ]
    if d.parent_or_guardian is not None:
        p = d.parent_or_guardian
        who = p.name + (f" ({p.relationship})" if p.relationship else "")
        rows += [("Parent or guardian", who), ("Their phone", p.phone), ("Their email", p.email)]
    rows.append(("Notes", d.notes))
    return [(label, value) for label, value in rows if value]
