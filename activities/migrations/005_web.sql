-- Web pages: signed-in sessions and the log of inspection exports.

-- A browser session. Only the SHA-256 of the session id is kept, as with API tokens: a copy of the
-- database must not let anyone sign in. The CSRF token is the synchronizer token every form posts back.
CREATE TABLE web_sessions (
    session_hash  text        PRIMARY KEY,
    username      text        NOT NULL REFERENCES users (username),
    csrf_token    text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    ended_at      timestamptz
);
CREATE INDEX web_sessions_username ON web_sessions (username);

-- Who exported which case's chronology, how and when: inspection evidence leaves the system only on record.
CREATE TABLE export_log (
    id           bigserial   PRIMARY KEY,
    exported_at  timestamptz NOT NULL DEFAULT now(),
    username     text        NOT NULL REFERENCES users (username),
    role         text        NOT NULL,
    format       text        NOT NULL CHECK (format IN ('csv', 'print')),
    child_id     text        NOT NULL,
    workflow_id  text,
    events       integer     NOT NULL
);
CREATE INDEX export_log_exported_at ON export_log (exported_at DESC);
