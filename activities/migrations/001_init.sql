-- yjflow schema v1: the event store, its deadline projection, intake, access and notifications.

-- The event store. One row per domain event; one stream per order or victim contact.
CREATE TABLE events (
    global_position bigserial PRIMARY KEY,
    event_id        uuid        NOT NULL UNIQUE,
    stream_id       text        NOT NULL,
    stream_version  integer     NOT NULL CHECK (stream_version >= 1),
    event_type      text        NOT NULL,
    child_id        text        NOT NULL,
    yjs             text        NOT NULL,
    effective_at    timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL,
    actor           text        NOT NULL,
    reason          text,
    payload         jsonb       NOT NULL,
    prev_hash       char(64)    NOT NULL,
    hash            char(64)    NOT NULL,
    UNIQUE (stream_id, stream_version)
);
CREATE INDEX events_child_effective ON events (child_id, effective_at, global_position);
CREATE INDEX events_type ON events (event_type);

-- Append-only, enforced by the database: no UPDATE, DELETE or TRUNCATE, whatever the client.
CREATE FUNCTION events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only: % is refused (record a correcting event instead)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER events_no_update_or_delete BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_refuse_change();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_refuse_change();
REVOKE UPDATE, DELETE, TRUNCATE ON events FROM PUBLIC;

-- Deadlines: a projection of the Deadline* events, updated in the same transaction as the append.
CREATE TABLE deadlines (
    stream_id          text        NOT NULL,
    deadline_id        text        NOT NULL,
    child_id           text        NOT NULL,
    yjs                text        NOT NULL,
    rule_id            text        NOT NULL,
    rule_pack_version  text        NOT NULL,
    calendar_version   text        NOT NULL,
    rule_type          text        NOT NULL,
    confidence         text        NOT NULL,
    unconfirmed        boolean     NOT NULL,
    description        text        NOT NULL,
    clock_start        date        NOT NULL,
    due_date           date        NOT NULL,
    period_end         date,
    due_at             timestamptz NOT NULL,
    status             text        NOT NULL CHECK (status IN ('open', 'met', 'missed', 'cancelled')),
    met_on             date,
    days_late          integer,
    escalations        integer     NOT NULL DEFAULT 0,
    last_position      bigint      NOT NULL,
    PRIMARY KEY (stream_id, deadline_id)
);
CREATE INDEX deadlines_status_due ON deadlines (status, due_date);
CREATE INDEX deadlines_child ON deadlines (child_id);
CREATE INDEX deadlines_rule ON deadlines (rule_id, due_date);

-- Intake: an accepted outcome is stored here in the same transaction as the 202 reply.
CREATE TABLE inbox (
    outcome_id     text        PRIMARY KEY,
    received_at    timestamptz NOT NULL DEFAULT now(),
    received_by    text        NOT NULL,
    body           jsonb       NOT NULL,
    workflow_ids   text[]      NOT NULL,
    relay_status   text        NOT NULL DEFAULT 'pending' CHECK (relay_status IN ('pending', 'started')),
    relay_attempts integer     NOT NULL DEFAULT 0,
    relayed_at     timestamptz,
    last_error     text
);
CREATE INDEX inbox_pending ON inbox (received_at) WHERE relay_status = 'pending';

-- A refused outcome is kept whole for correction and resubmission, never lost.
CREATE TABLE rejected_outcomes (
    id          bigserial   PRIMARY KEY,
    outcome_id  text,
    received_at timestamptz NOT NULL DEFAULT now(),
    received_by text        NOT NULL,
    body        jsonb,
    body_text   text        NOT NULL,
    errors      jsonb       NOT NULL
);
CREATE INDEX rejected_outcome_id ON rejected_outcomes (outcome_id);

-- People and systems that call the API. Tokens are stored as SHA-256 hashes only.
CREATE TABLE users (
    username   text        PRIMARY KEY,
    role       text        NOT NULL CHECK (role IN ('intake', 'case_worker', 'victim_worker', 'manager', 'inspector', 'admin')),
    email      text,
    manager    text        REFERENCES users (username),
    created_at timestamptz NOT NULL DEFAULT now(),
    disabled   boolean     NOT NULL DEFAULT false
);
CREATE TABLE api_tokens (
    token_hash char(64)    PRIMARY KEY,
    username   text        NOT NULL REFERENCES users (username),
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);

-- Reminders and escalations: the outbox that the log, the pages and SMTP read.
CREATE TABLE notifications (
    id           bigserial   PRIMARY KEY,
    dedupe_key   text        NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    kind         text        NOT NULL CHECK (kind IN ('reminder', 'escalation')),
    recipient    text        NOT NULL,
    workflow_id  text        NOT NULL,
    child_id     text        NOT NULL,
    deadline_id  text        NOT NULL,
    rule_id      text        NOT NULL,
    due_date     date        NOT NULL,
    subject      text        NOT NULL,
    body         text        NOT NULL,
    email_to     text,
    email_status text        NOT NULL CHECK (email_status IN ('not_configured', 'no_address', 'sent', 'failed')),
    email_error  text,
    sent_at      timestamptz
);
CREATE INDEX notifications_workflow ON notifications (workflow_id);

-- Days added to or removed from the England & Wales bank holidays (e.g. a newly announced one-off).
CREATE TABLE calendar_overrides (
    day        date        PRIMARY KEY,
    action     text        NOT NULL CHECK (action IN ('add_holiday', 'remove_holiday')),
    reason     text        NOT NULL,
    source     text        NOT NULL,
    created_by text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
