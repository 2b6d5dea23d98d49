"""The board's quarterly report as CSV, for the API and the page alike: one figure a line, as
`section, item, measure, value`, so a spreadsheet can pivot it; "not held" where yjflow holds no figure."""

from __future__ import annotations

import csv
import io

from domain.board_report import BoardReport, CohortLine

NOT_HELD = "not held"
COLUMNS = ("section", "item", "measure", "value")
_FIGURES = (
    "due",
    "recorded_on_time",
    "recorded_late",
    "recorded_late_max_days",
    "met_only_on_paper",
    "met_late",
    "missed",
    "still_open",
    "pct_on_time",
    "pct_on_time_by_date",
)


def board_csv(report: BoardReport) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(COLUMNS)
    w.writerow(("report", report.yjs or "every service", "quarter", report.label))
    for o in report.orders:
        w.writerow(("orders", o.kind, "started", o.started))
        w.writerow(("orders", o.kind, "ended", o.ended))
        for state, n in o.ended_as.items():
            w.writerow(("orders", o.kind, f"ended as {state}", n))
    for rule, f in report.compliance.items():
        for name in _FIGURES:
            value = getattr(f, name)
            w.writerow(("compliance", rule, name, "" if value is None else value))
    for r in report.remands:
        w.writerow(("remand", r.remand_type, "started", r.started))
        w.writerow(("remand", r.remand_type, "ended", r.ended))
        for how, n in r.ended_how.items():
            w.writerow(("remand", r.remand_type, f"ended by {how}", n))
        if r.pct_ended_in_custody is not None:
            w.writerow(("remand", r.remand_type, "pct ended in custody", r.pct_ended_in_custody))
    w.writerow(("cohort", "children on a sentence", "count", report.cohort_size))
    for section, lines in (("ethnicity", report.ethnicity), ("sex", report.sex)):
        for line in lines:
            w.writerows(_cohort_rows(section, line))
    w.writerow(("cohort", "ethnicity not held", "count", report.ethnicity_not_held))
    w.writerow(("cohort", "sex not held", "count", report.sex_not_held))
    w.writerow(("sex", "girls", "pct of cohort", NOT_HELD if report.girls_pct is None else report.girls_pct))
    w.writerow(("population", "source", "text", report.population_source or "no population figures for this service"))
    for item in report.not_held:
        w.writerow(("not held", item, "", NOT_HELD))
    return out.getvalue()


def _cohort_rows(section: str, line: CohortLine) -> list[tuple[str, str, str, object]]:
    population = "" if line.population_pct is None else line.population_pct
    cohort = NOT_HELD if line.cohort_pct is None else line.cohort_pct
    return [
        (section, line.group, "pct of 10-17 population", population),
        (section, line.group, "children in cohort", NOT_HELD if line.cohort is None else line.cohort),
        (section, line.group, "pct of cohort", cohort),
    ]
