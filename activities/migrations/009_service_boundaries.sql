-- Service boundaries: the services (YJS) a user holds, an inspector's time box, and the log of
-- inspectors' reads. A user with no row in user_services holds every service (a single-service
-- deployment, operators), as before this migration.

CREATE TABLE user_services (
    username text NOT NULL REFERENCES users (username),
    yjs      text NOT NULL CHECK (yjs ~ '^[a-z0-9][a-z0-9-]*$'),
    PRIMARY KEY (username, yjs)
);
CREATE INDEX user_services_yjs ON user_services (yjs);

-- When a user's access begins and ends (London dates, both days included); NULL is open-ended. Used for
-- inspectors, whose access is granted for an inspection's weeks and must end by itself.
ALTER TABLE users ADD COLUMN valid_from date, ADD COLUMN valid_until date,
    ADD CONSTRAINT users_valid_window CHECK (valid_from IS NULL OR valid_until IS NULL OR valid_from <= valid_until);

-- Every request an inspector makes, allowed or refused: the inspectorate reads on the record.
CREATE TABLE inspector_reads (
    id          bigserial   PRIMARY KEY,
    read_at     timestamptz NOT NULL DEFAULT now(),
    username    text        NOT NULL REFERENCES users (username),
    method      text        NOT NULL,
    path        text        NOT NULL,
    status      integer     NOT NULL
);
CREATE INDEX inspector_reads_username ON inspector_reads (username, read_at DESC);
