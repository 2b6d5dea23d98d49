-- The child's record (`domain.child_record`): names, date of birth, sex, ethnicity, PNC id and ypid, kept
-- apart from events and Temporal, encrypted under a key of the child's own that is stored only wrapped by
-- the personal-data master key (YJFLOW_VICTIM_MASTER_KEY, under its own associated data), so erasing a
-- record at the end of retention is destroying its key. A child is known by (yjs, child_id): two
-- services may use the same id for different children.

CREATE TABLE child_keys (
    yjs          text        NOT NULL,
    child_id     text        NOT NULL,
    wrapped_key  bytea,
    key_id       text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    destroyed_at timestamptz,
    destroyed_by text,
    PRIMARY KEY (yjs, child_id),
    CONSTRAINT child_keys_live_or_destroyed CHECK (
        (wrapped_key IS NOT NULL AND destroyed_at IS NULL AND destroyed_by IS NULL)
        OR (wrapped_key IS NULL AND destroyed_at IS NOT NULL AND destroyed_by IS NOT NULL)
    )
);

-- Never deleted, never moved to another child, never restored once destroyed.
CREATE FUNCTION child_keys_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF (NEW.yjs, NEW.child_id) IS DISTINCT FROM (OLD.yjs, OLD.child_id) THEN
            RAISE EXCEPTION 'child_keys: a key belongs to one child for good' USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF OLD.destroyed_at IS NOT NULL THEN
            RAISE EXCEPTION 'child_keys: the key of % was destroyed and cannot be changed or restored', OLD.child_id
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'child_keys: % is refused (erase a record by destroying its key)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER child_keys_guard_row BEFORE UPDATE OR DELETE ON child_keys
    FOR EACH ROW EXECUTE FUNCTION child_keys_guard();
CREATE TRIGGER child_keys_no_truncate BEFORE TRUNCATE ON child_keys
    FOR EACH STATEMENT EXECUTE FUNCTION child_keys_guard();

-- The record itself: the JSON of `ChildRecord`, AES-256-GCM under the child's key, (yjs, child id) as
-- associated data. `version` counts writes.
CREATE TABLE child_records (
    yjs         text        NOT NULL,
    child_id    text        NOT NULL,
    ciphertext  bytea       NOT NULL,
    nonce       bytea       NOT NULL CHECK (octet_length(nonce) = 12),
    recorded_at timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  text        NOT NULL,
    version     integer     NOT NULL DEFAULT 1 CHECK (version >= 1),
    PRIMARY KEY (yjs, child_id),
    FOREIGN KEY (yjs, child_id) REFERENCES child_keys (yjs, child_id)
);

-- Finding a child by name or date of birth without their name in clear: each search token (a name word's
-- prefix, the date of birth) as HMAC-SHA256 under a key derived from the master key. Derived data: deleted
-- when the record is erased.
CREATE TABLE child_search (
    yjs      text  NOT NULL,
    child_id text  NOT NULL,
    token    bytea NOT NULL CHECK (octet_length(token) = 32),
    PRIMARY KEY (yjs, token, child_id),
    FOREIGN KEY (yjs, child_id) REFERENCES child_keys (yjs, child_id)
);

-- Every read of a record (and every search that showed it), append-only like the victims' access log.
CREATE TABLE child_record_reads (
    id       bigserial   PRIMARY KEY,
    at       timestamptz NOT NULL DEFAULT now(),
    username text        NOT NULL,
    yjs      text        NOT NULL,
    child_id text        NOT NULL,
    action   text        NOT NULL CHECK (action IN ('read', 'search', 'correct', 'create', 'erase'))
);
CREATE FUNCTION child_record_reads_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'child_record_reads is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER child_record_reads_append_only BEFORE UPDATE OR DELETE ON child_record_reads
    FOR EACH ROW EXECUTE FUNCTION child_record_reads_append_only();
CREATE TRIGGER child_record_reads_no_truncate BEFORE TRUNCATE ON child_record_reads
    FOR EACH STATEMENT EXECUTE FUNCTION child_record_reads_append_only();
