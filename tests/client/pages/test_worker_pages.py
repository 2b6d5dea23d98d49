"""Worker pages against the live stack: `client.steps` (the one way a step is recorded) answering as the
API does, then a case worker's and a victim worker's day in Chromium, with axe-core on every page."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from playwright.async_api import Page, expect

from client import steps
from client.order_kinds import KINDS
from client.web import step_forms
from client.web.plain_words import step_label
from domain.events import wording
from tests.client.conftest import Stack, all_workflow_ids_of, eventually, outcome, today
from tests.client.pages.conftest import check_a11y, shoot, sign_in


async def _start_order(stack: Stack, **overrides: Any) -> tuple[str, str, str]:
    """A referral order with one victim, through the API as a court would send it; returns (order id,
    victim contact id, child id) once the order answers and its contact's stream is opened."""
    body = outcome(**overrides)
    async with stack.http("intake") as http:
        r = await http.post("/court-outcomes", json=body)
    assert r.status_code == 202, r.text
    order_id, contact_id = all_workflow_ids_of(body)

    async def order_state() -> int:
        async with stack.http("case_worker") as http:
            return (await http.get(f"/orders/{order_id}")).status_code

    await eventually(order_state, lambda code: code == 200, what=f"{order_id} running")
    await stack.wait_for_deadline(order_id, "ro.first_contact")  # the order's opening events are recorded

    async def contact() -> int:
        async with stack.http("victim_worker") as http:
            return (await http.get(f"/victim-contacts/{contact_id}")).status_code

    await eventually(contact, lambda code: code == 200, what=f"{contact_id} opened")
    return order_id, contact_id, body["child"]["id"]


def _url(stack: Stack, path: str) -> str:
    return f"{stack.api_url}{path}"


def _case(workflow_id: str) -> str:
    return f"/app/cases/{quote(workflow_id, safe=':')}"


# --- client.steps: what the API and the pages share ------------------------------------------------------


async def test_steps_validate_refuse_and_record_as_the_api_does(stack: Stack) -> None:
    order_id, contact_id, _ = await _start_order(stack)
    day = today().isoformat()
    actor = stack.usernames["case_worker"]

    invalid_bodies = [
        {"step": "initial_panel_held", "effective_date": day},  # contract_signed_date missing
        {"step": "no_such_step", "effective_date": day},
        {"step": "first_contact_made", "effective_date": day, "reason": "bad\x00text"},
        {"step": "first_contact_made", "effective_date": "not a date"},
    ]
    for body in invalid_bodies:
        with pytest.raises(steps.StepInvalid) as invalid:
            await steps.record_step(stack.temporal, stack.pool, order_id, body, actor)
        async with stack.http("case_worker") as http:
            api = await http.post(f"/orders/{order_id}/steps", json=body)
        assert api.status_code == invalid.value.status_code == 422
        assert api.json()["detail"] == invalid.value.errors, body
    named = [[(e["field"], e["rule"]) for e in await _invalid(stack, order_id, b, actor)] for b in invalid_bodies]
    assert named == [
        [("contract_signed_date", "missing")],
        [("step", "union_tag_invalid")],
        [("reason", "text.no_nul_character")],
        [("effective_date", "date_from_datetime_parsing")],
    ]

    # Refused by the workflow's validator: the reason is the domain's, word for word, as the API gives it.
    early = {"step": "progress_panel_held", "effective_date": day}
    with pytest.raises(steps.StepRefused) as refused:
        await steps.record_step(stack.temporal, stack.pool, order_id, early, actor)
    assert refused.value.message == (
        "progress_panel_held refused: the order is order_made; this step needs it to be contract_agreed"
    )
    async with stack.http("case_worker") as http:
        api = await http.post(f"/orders/{order_id}/steps", json=early)
    assert (api.status_code, api.json()["detail"]) == (409, refused.value.message)
    # The order's state refuses the step as a whole; a date in the future is the date's fault, and says so.
    assert refused.value.field is None
    assert api.json()["errors"] == [{"field": "step", "rule": "step_refused", "message": refused.value.message}]
    future = {"step": "first_contact_made", "effective_date": (today() + timedelta(days=1)).isoformat()}
    with pytest.raises(steps.StepRefused) as refused:
        await steps.record_step(stack.temporal, stack.pool, order_id, future, actor)
    assert refused.value.field == "effective_date"
    async with stack.http("case_worker") as http:
        api = await http.post(f"/orders/{order_id}/steps", json=future)
    assert (api.status_code, api.json()["errors"][0]["field"]) == (409, "effective_date")

    # Accepted: the Update's view comes back, and the order really holds the step.
    done = await steps.record_step(
        stack.temporal, stack.pool, order_id, {"step": "first_contact_made", "effective_date": day}, actor
    )
    assert (done.kind, done.step, done.state) == ("referral_order", "first_contact_made", "order_made")
    async with stack.http("case_worker") as http:
        order = (await http.get(f"/orders/{order_id}")).json()
    assert order["order"]["first_contact_date"] == day

    # The wrong kind of id, or no such case.
    with pytest.raises(steps.CaseNotFound):
        await steps.record_order_step(stack.temporal, contact_id, {"step": "first_contact_made"}, actor)
    with pytest.raises(steps.CaseNotFound):
        await steps.record_victim_step(stack.temporal, stack.pool, order_id, {"step": "withdrawn"}, actor)
    with pytest.raises(steps.CaseNotFound):
        await steps.record_step(
            stack.temporal, stack.pool, order_id + "-gone", {"step": "first_contact_made", "effective_date": day}, actor
        )


async def _invalid(stack: Stack, workflow_id: str, body: dict[str, Any], actor: str) -> list[dict[str, str]]:
    with pytest.raises(steps.StepInvalid) as invalid:
        await steps.record_step(stack.temporal, stack.pool, workflow_id, body, actor)
    return invalid.value.errors


async def test_victim_steps_check_the_worker_and_the_order_of_steps(stack: Stack) -> None:
    _, contact_id, _ = await _start_order(stack)
    day = today().isoformat()
    actor = stack.usernames["victim_worker"]

    # Allocating to someone who may not act on victims' contacts is refused before Temporal is asked.
    allocate = {"step": "victim_worker_allocated", "effective_date": day, "victim_worker": stack.usernames["intake"]}
    errors = await _invalid(stack, contact_id, allocate, actor)
    assert [e["field"] for e in errors] == ["victim_worker"]
    assert "allocate a user who may act on victim contacts" in errors[0]["message"]

    consent = {
        "step": "consent_recorded",
        "effective_date": day,
        "option": "letter_of_explanation",
        "given_by": "victim",
        "how": "phone",
        "consented": True,
    }
    with pytest.raises(steps.StepRefused) as refused:
        await steps.record_step(stack.temporal, stack.pool, contact_id, consent, actor)
    informed = "consent_recorded refused: the victim has not been given an informed choice"
    assert refused.value.message.startswith(informed)
    async with stack.http("victim_worker") as http:
        api = await http.post(f"/victim-contacts/{contact_id}/steps", json=consent)
    assert (api.status_code, api.json()["detail"]) == (409, refused.value.message)

    done = await steps.record_step(stack.temporal, stack.pool, contact_id, {**allocate, "victim_worker": actor}, actor)
    assert (done.kind, done.state) == ("victim_contact", "identified")
    assert done.view.contact.victim_worker == actor  # type: ignore[attr-defined]


# --- the pages in Chromium ------------------------------------------------------------------------------


async def _submit(page: Page) -> None:
    await page.click("[data-testid=step-form] button[type=submit]")


async def _fill_date(page: Page, name: str, day: date) -> None:
    for part, value in (("day", day.day), ("month", day.month), ("year", day.year)):
        await page.fill(f"#{name}-{part}", str(value))


async def _expect_date(page: Page, name: str, day: date) -> None:
    for part, value in (("day", day.day), ("month", day.month), ("year", day.year)):
        await expect(page.locator(f"#{name}-{part}")).to_have_value(str(value))


async def test_case_worker_records_a_days_steps_through_the_forms(stack: Stack, page: Page) -> None:
    order_id, _, child_id = await _start_order(stack)
    me = stack.usernames["case_worker"]
    await sign_in(page, stack, "case_worker", next_path="/app/my-cases")
    row = page.locator(f"tr[data-workflow-id='{order_id}']")
    await expect(row).to_contain_text("Not allocated")
    await expect(row).to_contain_text("Case worker allocated")
    await check_a11y(page, "worker-my-cases-unallocated")
    await shoot(page, "worker-my-cases-unallocated")

    # Take the order: the allocation form offers the signed-in worker.
    await row.get_by_role("link", name="Case worker allocated").click()
    await expect(page.locator("h1")).to_have_text("Case worker allocated")
    await expect(page.locator("#case_worker")).to_have_value(me)
    await _expect_date(page, "effective_date", today())
    await check_a11y(page, "worker-step-allocate")
    await _submit(page)
    await page.wait_for_url(re.compile(r".*\?recorded=case_worker_allocated$"))
    await expect(page.locator("[data-testid=case-responsible]")).to_have_text(me)

    # Back on the list, the order is the worker's own, and the first contact is its next step.
    await page.goto(_url(stack, "/app/my-cases"))
    row = page.locator(f"tr[data-workflow-id='{order_id}']")
    await expect(row).to_contain_text("You")
    await expect(row).to_contain_text("First contact made")
    await check_a11y(page, "worker-my-cases")
    await shoot(page, "worker-my-cases")
    await row.get_by_role("link", name=re.compile("Referral order")).click()
    await expect(page.locator("[data-testid=case-state]")).to_have_text("Order made")
    timeline = page.get_by_role("link", name="The child's whole timeline")
    await expect(timeline).to_have_attribute("href", f"/app/children/{child_id}")
    await expect(page.locator("[data-testid=case-deadlines]")).to_contain_text("ro.first_contact")
    await check_a11y(page, "worker-case-order")

    await page.locator("[data-testid=next-steps]").get_by_role("button", name="First contact made").click()
    await page.check("input[name=method][value=phone]")
    await check_a11y(page, "worker-step-first-contact")
    await shoot(page, "worker-step-first-contact")
    await _submit(page)
    await page.wait_for_url(re.compile(r".*\?recorded=first_contact_made$"))
    banner = page.locator("[data-testid=recorded-banner]")
    await expect(banner).to_contain_text("First contact made: saved")
    await expect(banner).to_contain_text("The order's state: Order made.")
    await expect(page.locator("[data-testid=case-deadlines]")).not_to_contain_text("ro.first_contact")

    # The initial panel: left without its contract date first, then done properly.
    await page.goto(_url(stack, f"{_case(order_id)}/steps/initial_panel_held"))
    await _submit(page)
    summary = page.locator(".govuk-error-summary")
    await expect(summary).to_contain_text("Enter the contract signed date")
    await expect(page.locator("#contract_signed_date-error")).to_contain_text("Enter the contract signed date")
    await expect(summary.get_by_role("link")).to_have_attribute("href", "#contract_signed_date-day")
    await check_a11y(page, "worker-step-initial-panel-error")
    await shoot(page, "worker-step-initial-panel-error")
    await _fill_date(page, "contract_signed_date", today())
    await _submit(page)
    await page.wait_for_url(re.compile(r".*\?recorded=initial_panel_held$"))
    await expect(banner).to_contain_text("The order's state: Contract agreed.")
    await expect(page.locator("[data-testid=case-state]")).to_have_text("Contract agreed")
    await expect(page.locator("[data-testid=case-deadlines]")).to_contain_text("ro.progress_panel")
    await check_a11y(page, "worker-case-contract-agreed")
    await shoot(page, "worker-case-contract-agreed")

    # The order holds what the forms recorded, as the API reads it.
    async with stack.http("manager") as http:
        order = (await http.get(f"/orders/{order_id}")).json()
    assert order["state"] == "contract_agreed"
    assert order["order"]["case_worker"] == me
    assert order["order"]["contract_signed_date"] == today().isoformat()
    timeline = await stack.wait_for_events(child_id, "CaseWorkerAllocated", "FirstContactMade", "InitialPanelHeld")
    assert {e["actor"] for e in timeline["events"] if e["event_type"] == "FirstContactMade"} == {me}


async def test_victim_worker_step_refused_then_accepted(stack: Stack, page: Page) -> None:
    _, contact_id, _ = await _start_order(stack)
    await sign_in(page, stack, "victim_worker", next_path="/app/my-victim-contacts")
    row = page.locator(f"tr[data-workflow-id='{contact_id}']")
    await expect(row).to_contain_text("Victim's details received")
    await check_a11y(page, "worker-my-victim-contacts")
    await shoot(page, "worker-my-victim-contacts")

    async def record(step: str, choose: list[str] | None = None) -> None:
        await page.goto(_url(stack, f"{_case(contact_id)}/steps/{step}"))
        for selector in choose or []:
            await page.check(selector)
        await _submit(page)
        await page.wait_for_url(re.compile(rf".*\?recorded={step}$"))

    # Consent before the informed choice: the contact's stage refuses it, not any one answer, so the reason
    # is in the summary, in a worker's words, and no question is marked wrong.
    consent = [
        "input[name=option][value=letter_of_explanation]",
        "input[name=given_by][value=victim]",
        "input[name=how][value=phone]",
        "input[name=consented][value=yes]",
    ]
    await page.goto(_url(stack, f"{_case(contact_id)}/steps/consent_recorded"))
    for selector in consent:
        await page.check(selector)
    await _submit(page)
    reason = "The victim has not been given an informed choice yet (record “Options explained to the victim” first)"
    await expect(page.locator(".govuk-error-summary")).to_contain_text(reason)
    await expect(page.locator(".govuk-error-summary a")).to_have_attribute("href", "#step-form")
    await expect(page.locator(".govuk-error-message")).to_have_count(0)
    assert "consent_recorded" not in await page.locator(".govuk-error-summary").inner_text()
    await expect(page.locator("input[name=option][value=letter_of_explanation]")).to_be_checked()
    await check_a11y(page, "worker-victim-consent-refused")
    await shoot(page, "worker-victim-consent-refused")

    # The steps in their order, each through its form; then the same consent is accepted.
    await record("details_received")
    await record("suitability_decided", ["input[name=invite][value=yes]"])
    await record("contacted", ["input[name=channel][value=phone]"])
    await record("informed_choice_given", ["input[name=options_explained][value=letter_of_explanation]"])
    await check_a11y(page, "worker-case-victim-contact")
    await record("consent_recorded", consent)
    banner = page.locator("[data-testid=recorded-banner]")
    await expect(banner).to_contain_text("Consent recorded: saved")
    await expect(banner).to_contain_text("The contact's state: Consent recorded.")
    await expect(page.locator("[data-testid=next-steps]")).to_contain_text("Risk assessed")
    newest = page.locator("[data-testid=case-history] tbody tr").last  # in the order they took effect
    await expect(newest).to_contain_text("Consent recorded")
    await expect(newest).to_contain_text(stack.usernames["victim_worker"])
    await check_a11y(page, "worker-case-victim-consented")
    await shoot(page, "worker-case-victim-consented")

    async with stack.http("victim_worker") as http:
        history = (await http.get(f"/victim-contacts/{contact_id}")).json()
    assert history["summary"]["state"] == "consent_recorded"
    assert history["contact"]["consents"]["letter_of_explanation"]["granted"] is True


async def test_forms_refuse_a_forged_post_and_the_wrong_role(stack: Stack, page: Page) -> None:
    order_id, contact_id, _ = await _start_order(stack)
    await sign_in(page, stack, "case_worker", next_path="/app/my-cases")
    form = f"{_case(order_id)}/steps/first_contact_made"

    # A POST carrying the session cookie but not the form's token (what a forging site can send).
    forged = await page.request.post(
        _url(stack, form), form={"effective_date": today().isoformat(), "method": "phone"}, max_redirects=0
    )
    assert forged.status == 403
    assert "security token" in await forged.text()
    wrong = await page.request.post(
        _url(stack, form), form={"csrf_token": "x" * 43, "effective_date": today().isoformat()}, max_redirects=0
    )
    assert wrong.status == 403
    async with stack.http("case_worker") as http:
        order = (await http.get(f"/orders/{order_id}")).json()
    assert order["order"]["first_contact_date"] is None  # nothing was recorded

    # A case worker cannot act on a victim's contact, nor open its page.
    response = await page.goto(_url(stack, f"{_case(contact_id)}/steps/consent_recorded"))
    assert response is not None and response.status == 403
    await expect(page.locator("[data-testid=refusal-reason]")).to_contain_text("act_on_victim_contact")
    await check_a11y(page, "worker-refused-victim-step")
    response = await page.goto(_url(stack, _case(contact_id)))
    assert response is not None and response.status == 403
    response = await page.goto(_url(stack, f"{_case(order_id)}/steps/no_such_step"))
    assert response is not None and response.status == 404


async def test_overdue_work_is_highlighted_in_the_list_and_on_the_case(stack: Stack, page: Page) -> None:
    # An order entered after its first deadlines passed: they are recorded as missed at once, and still owed.
    order_id, _, _ = await _start_order(stack, hearing=today() - timedelta(days=45))

    async def first_contact() -> dict[str, Any] | None:
        return await _deadline(stack, order_id, "ro.first_contact")

    missed = await eventually(first_contact, lambda d: d is not None and d["status"] == "missed", what="miss")
    assert missed is not None
    await sign_in(page, stack, "case_worker", next_path="/app/my-cases")
    row = page.locator(f"tr[data-workflow-id='{order_id}']")
    await expect(row).to_contain_text("Overdue")
    await expect(row).to_contain_text(f"since {wording.day(missed['due_date'])}")
    await expect(row).to_contain_text("First contact made")
    await row.get_by_role("link", name=re.compile("Referral order")).click()
    deadline = page.locator("[data-testid=case-deadlines] tr", has_text="ro.first_contact")
    await expect(deadline).to_contain_text("Missed")
    await check_a11y(page, "worker-case-overdue")
    await shoot(page, "worker-case-overdue")


async def _deadline(stack: Stack, workflow_id: str, rule_id: str) -> dict[str, Any] | None:
    async with stack.http("manager") as http:
        r = await http.get("/deadlines", params={"workflow_id": workflow_id, "rule_id": rule_id})
    assert r.status_code == 200, r.text
    rows = r.json()
    if not rows:
        return None
    row = dict(rows[0])
    row["due_date"] = date.fromisoformat(row["due_date"])
    return row


# --- every step's form ----------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def _signed_in(stack: Stack, role: str) -> AsyncIterator[httpx.AsyncClient]:
    """A plain HTTP client signed in to the pages through the sign-in form."""
    async with httpx.AsyncClient(base_url=stack.api_url, timeout=30) as http:
        form = await http.get("/app/sign-in")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token is not None
        data = {"csrf_token": token[1], "token": stack.tokens[role], "next": "/app"}
        r = await http.post("/app/sign-in", data=data)
        assert r.status_code == 303, r.text
        yield http


def _unlabelled(html: str) -> list[str]:
    """Ids of form inputs that no <label for> names (radios and checkboxes included)."""
    ids = re.findall(r'<(?:input|textarea)[^>]*\bid="([^"]+)"', html)
    labelled = set(re.findall(r'<label[^>]*\bfor="([^"]+)"', html))
    return [i for i in ids if i not in labelled]


async def test_every_step_of_every_kind_has_a_form(stack: Stack) -> None:
    order_id, contact_id, _ = await _start_order(stack)
    cases = [order_id] + [f"{k.prefix}luton:41CJ0:C-0" for k in KINDS if not order_id.startswith(k.prefix)]
    async with _signed_in(stack, "manager") as http:
        for workflow_id in [*cases, contact_id]:
            names = list(step_forms.step_models(workflow_id))
            assert names, workflow_id
            for name in names:
                r = await http.get(f"{_case(workflow_id)}/steps/{name}")
                assert r.status_code == 200, (workflow_id, name, r.text[:500])
                # The date it happened defaults to today, in GOV.UK's day, month and year boxes.
                assert 'id="effective_date-year" name="effective_date-year"' in r.text
                assert f'value="{today().year}"' in r.text and 'type="date"' not in r.text
                assert 'name="csrf_token"' in r.text
                assert not _unlabelled(r.text), (workflow_id, name, _unlabelled(r.text))
        # The victims named on the order are offered as a choice, not typed.
        r = await http.get(f"{_case(order_id)}/steps/victim_views_recorded")
        victim_ref = contact_id.rsplit(":", 1)[1]
        assert f'type="radio" value="{victim_ref}"' in r.text
        # An inspector reads a case but is offered no step to record.
    async with _signed_in(stack, "inspector") as http:
        r = await http.get(_case(order_id))
        assert r.status_code == 200 and "Record a step" not in r.text
        assert (await http.get(f"{_case(order_id)}/steps/first_contact_made")).status_code == 403


async def test_forms_of_every_widget_pass_axe(stack: Stack, page: Page) -> None:
    order_id, contact_id, _ = await _start_order(stack)
    yro = "youth-rehabilitation-order:luton:41CJ0:C-0"
    forms = [
        (contact_id, "conference_held"),  # checkboxes, yes/no
        (contact_id, "feedback_recorded"),  # yes/no/not known
        (order_id, "court_decision"),  # radios, number
        (order_id, "final_panel_held"),  # yes/no, nothing chosen for the worker
        (order_id, "victim_views_recorded"),  # the order's victims as radios
        (yro, "order_amended"),  # JSON and one-per-line text
    ]
    await sign_in(page, stack, "manager")
    for workflow_id, step in forms:
        await page.goto(_url(stack, f"{_case(workflow_id)}/steps/{step}"))
        await expect(page.locator("h1")).to_have_text(step_label(step))
        await check_a11y(page, f"worker-form-{step}")
    # And with errors showing: a conference with nobody attending and no answer on agreement.
    await page.goto(_url(stack, f"{_case(contact_id)}/steps/conference_held"))
    await _submit(page)
    await expect(page.locator("#attendees-error")).to_contain_text("Select at least one of people who attended")
    await expect(page.locator("#outcome_agreement-error")).to_contain_text(
        "Select yes or no for outcome agreement reached"
    )
    await check_a11y(page, "worker-form-conference-errors")
    await shoot(page, "worker-form-conference-errors")


# --- forms from models: the parts that need no stack ----------------------------------------------------


def _consent_fields() -> list[step_forms.FormField]:
    model = step_forms.step_models("victim-contact:luton:X:C-1:V-1")["consent_recorded"]
    return step_forms.form_fields(model, today=date(2026, 11, 20))


def test_a_form_body_leaves_unanswered_questions_out_and_reads_yes_and_no() -> None:
    fields = _consent_fields()
    assert [f.name for f in fields] == ["effective_date", "option", "given_by", "how", "consented", "reason"]
    assert fields[0].default == "2026-11-20"
    body, errors = step_forms.body_from_form(
        "consent_recorded", fields, {"effective_date": ["2026-11-19"], "consented": ["no"], "reason": ["  "]}
    )
    assert errors == []
    assert body == {"step": "consent_recorded", "effective_date": "2026-11-19", "consented": False}
    final_panel = step_forms.step_models("referral-order:luton:X:C-1")["final_panel_held"]
    asked = step_forms.form_fields(final_panel, today=date(2026, 11, 20))
    # A discharge is the panel's decision: asked Yes/No with neither chosen, never ticked for the worker.
    assert [(f.widget, f.default) for f in asked if f.name == "discharged"] == [("yesno", None)]
    assert "discharged" not in step_forms.body_from_form("final_panel_held", asked, {})[0]
    assert step_forms.body_from_form("final_panel_held", asked, {"discharged": ["yes"]})[0]["discharged"] is True
    assert step_forms.body_from_form("final_panel_held", asked, {"discharged": ["no"]})[0]["discharged"] is False


def test_problems_go_next_to_the_question_they_are_about() -> None:
    fields = _consent_fields()
    missing = step_forms.invalid_errors(
        fields,
        [
            {"field": "option", "rule": "missing", "message": "Field required"},
            {"field": "consented", "rule": "missing", "message": "Field required"},
            {"field": "step", "rule": "union_tag_invalid", "message": "step is not a known step"},
        ],
    )
    assert [(e.id, e.text) for e in missing] == [
        ("option", "Select restorative justice option"),
        ("consented", "Select yes or no for consent given"),
        ("effective_date-day", "step is not a known step"),
    ]
    # A refusal goes next to the question the domain names, else one it cites, else on the form as a whole;
    # always in a worker's words: no step's code, no field's name, no ISO date.
    named = "consent_recorded refused: V-1 is under 18: consent is given with a parent (given_by=parent_or_guardian)"
    said = "V-1 is under 18: consent is given with a parent (consent given by: a parent or guardian)."
    assert step_forms.refusal_error(fields, named) == step_forms.FormError("given_by", "given_by", said)
    assert step_forms.refusal_error(fields, named, "given_by") == step_forms.FormError("given_by", "given_by", said)
    dated = "consent_recorded refused: effective date 2026-11-21 is in the future (today is 2026-11-20)"
    assert step_forms.refusal_error(fields, dated, "effective_date") == step_forms.FormError(
        "effective_date",
        "effective_date-day",
        "The date it happened Saturday 21 November 2026 is in the future (today is Friday 20 November 2026).",
    )
    plain = "consent_recorded refused: the victim has not been given an informed choice yet (informed_choice_given)"
    assert step_forms.refusal_error(fields, plain, step_names=["informed_choice_given"]) == step_forms.FormError(
        "",
        step_forms.WHOLE_STEP,
        "The victim has not been given an informed choice yet (record “Options explained to the victim” first).",
    )
