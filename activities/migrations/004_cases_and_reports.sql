-- yjflow schema v4: the `cases` projection (one row per order or victim contact) and the indexes the
-- reports read (`activities.reports`). Rows for events already stored are written after this file by
-- `activities.case_projection.backfill` (a Python step of this migration: the state comes from folding
-- each stream through the domain, which SQL cannot do), in the same transaction.

CREATE TABLE cases (
    stream_id     text        PRIMARY KEY,
    kind          text        NOT NULL,
    child_id      text        NOT NULL,
    yjs           text        NOT NULL,
    state         text        NOT NULL,
    responsible   text,
    opened_at     timestamptz NOT NULL,
    closed_at     timestamptz,
    last_position bigint      NOT NULL,
    -- The domain state as of last_position, so an append evolves it by its own events without reading
    -- the stream again. NULL: fold the stream whole at the next append.
    fold          jsonb
);
-- A service's or a worker's open cases (the case list, the caseload), a child's cases.
CREATE INDEX cases_yjs_open ON cases (yjs, opened_at) WHERE closed_at IS NULL;
CREATE INDEX cases_open ON cases (opened_at) WHERE closed_at IS NULL;
CREATE INDEX cases_open_streams ON cases (stream_id) WHERE closed_at IS NULL;
CREATE INDEX cases_responsible_open ON cases (responsible, opened_at) WHERE closed_at IS NULL;
CREATE INDEX cases_yjs ON cases (yjs, opened_at);
CREATE INDEX cases_child ON cases (child_id);

-- The overdue list: exactly the deadlines not yet met, by service (or all) and due date, carrying their
-- keys so the oldest can be checked against the open cases without reading the table.
CREATE INDEX deadlines_not_met ON deadlines (yjs, due_date) INCLUDE (stream_id, deadline_id)
    WHERE status IN ('open', 'missed') AND met_on IS NULL;
CREATE INDEX deadlines_not_met_due ON deadlines (due_date) INCLUDE (stream_id, deadline_id)
    WHERE status IN ('open', 'missed') AND met_on IS NULL;
-- The compliance report: every column it counts is in the index, so a year of deadlines is an
-- index-only scan (for one service, and for all services by due date).
CREATE INDEX deadlines_compliance_yjs ON deadlines (yjs, due_date) INCLUDE (rule_id, status, met_on, days_late);
CREATE INDEX deadlines_compliance ON deadlines (due_date) INCLUDE (rule_id, status, met_on, days_late);
