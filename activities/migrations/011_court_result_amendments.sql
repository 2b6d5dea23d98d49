-- A court's resend of a hearing with a changed result, held for a manager instead of applied silently:
-- the outcome as first kept and as now translated, field by field what changed, and the court's whole
-- message. Confirming applies it through a court decision on the order (applied_outcome_id, an outcome of
-- its own in the inbox) and records who confirmed it; rejecting records who and why. The same changed
-- resend again is the same held amendment (unique on the outcome and a digest of the new translation: a
-- btree cannot hold a large outcome itself, and jsonb's text is the same for the same value).
CREATE TABLE court_result_amendments (
    id                 bigserial   PRIMARY KEY,
    outcome_id         text        NOT NULL,
    received_at        timestamptz NOT NULL DEFAULT now(),
    received_by        text        NOT NULL,
    defendant          jsonb       NOT NULL,
    result_codes       jsonb       NOT NULL,
    previous_body      jsonb       NOT NULL,
    new_body           jsonb       NOT NULL,
    difference         jsonb       NOT NULL,
    message_text       text        NOT NULL,
    status             text        NOT NULL DEFAULT 'held' CHECK (status IN ('held', 'confirmed', 'rejected')),
    decided_by         text,
    decided_at         timestamptz,
    reason             text,
    applied_outcome_id text
);
CREATE UNIQUE INDEX court_result_amendments_once ON court_result_amendments (outcome_id, md5(new_body::text));
CREATE INDEX court_result_amendments_held ON court_result_amendments (received_at) WHERE status = 'held';
