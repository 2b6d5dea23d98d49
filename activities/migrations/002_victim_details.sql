-- yjflow schema v2: victims' personal details, encrypted per victim, and the log of every access to them.
--
-- Nothing here is readable without the victim master key (YJFLOW_VICTIM_MASTER_KEY), which is never stored
-- in the database. Each victim has a random 32-byte data key; the data key is stored only wrapped
-- (AES-256-GCM) by the master key. Erasure at the end of retention sets `wrapped_key` to NULL
-- (crypto-shredding): the ciphertext may stay, nothing else is deleted, and no key can read it again.

-- One row per victim ref. `key_id` names the master key that wrapped `wrapped_key` (nonce || ciphertext+tag).
CREATE TABLE victim_keys (
    victim_ref   text        PRIMARY KEY,
    wrapped_key  bytea,
    key_id       text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    destroyed_at timestamptz,
    destroyed_by text,
    -- A key is either live or destroyed, and a destroyed key says when and by whom.
    CONSTRAINT victim_keys_live_or_destroyed CHECK (
        (wrapped_key IS NOT NULL AND destroyed_at IS NULL AND destroyed_by IS NULL)
        OR (wrapped_key IS NULL AND destroyed_at IS NOT NULL AND destroyed_by IS NOT NULL)
    )
);

-- A key row is never deleted (erasure is the NULL above, and the row is the record that it happened),
-- never renamed to another victim, and once destroyed never brought back, e.g. from a backup copy.
CREATE FUNCTION victim_keys_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.victim_ref IS DISTINCT FROM OLD.victim_ref THEN
            RAISE EXCEPTION 'victim_keys: a key belongs to one victim ref for good'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF OLD.destroyed_at IS NOT NULL THEN
            RAISE EXCEPTION 'victim_keys: the key of % was destroyed and cannot be changed or restored', OLD.victim_ref
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'victim_keys: % is refused (erase a victim by destroying its key instead)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER victim_keys_guard_row BEFORE UPDATE OR DELETE ON victim_keys
    FOR EACH ROW EXECUTE FUNCTION victim_keys_guard();
CREATE TRIGGER victim_keys_no_truncate BEFORE TRUNCATE ON victim_keys
    FOR EACH STATEMENT EXECUTE FUNCTION victim_keys_guard();
REVOKE DELETE, TRUNCATE ON victim_keys FROM PUBLIC;

-- The details themselves: the JSON of `domain.victim_details.VictimDetails`, encrypted with the victim's
-- data key, the victim ref as associated data (a row copied to another victim does not decrypt).
-- `version` counts the writes: 1 on the first, +1 on each update (each re-encrypted with a fresh nonce).
CREATE TABLE victim_details (
    victim_ref  text        PRIMARY KEY REFERENCES victim_keys (victim_ref),
    ciphertext  bytea       NOT NULL,
    nonce       bytea       NOT NULL CHECK (octet_length(nonce) = 12),
    recorded_at timestamptz NOT NULL DEFAULT now(),
    recorded_by text        NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  text        NOT NULL,
    version     integer     NOT NULL DEFAULT 1 CHECK (version >= 1)
);

-- Once a victim's key is destroyed nothing more is written for them; and details are deleted only after
-- their key is (never silently, while they can still be read).
CREATE FUNCTION victim_details_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ref text;
    erased boolean;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        RAISE EXCEPTION 'victim_details: TRUNCATE is refused' USING ERRCODE = 'insufficient_privilege';
    END IF;
    ref := CASE WHEN TG_OP = 'DELETE' THEN OLD.victim_ref ELSE NEW.victim_ref END;
    SELECT destroyed_at IS NOT NULL INTO erased FROM victim_keys WHERE victim_ref = ref;
    IF TG_OP = 'DELETE' THEN
        IF erased IS NOT TRUE THEN
            RAISE EXCEPTION 'victim_details: the details of % are live; erase them by destroying the key', ref
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN OLD;
    END IF;
    IF erased THEN
        RAISE EXCEPTION 'victim_details: the key of % was destroyed; nothing more is written for them', ref
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER victim_details_guard_row BEFORE INSERT OR UPDATE OR DELETE ON victim_details
    FOR EACH ROW EXECUTE FUNCTION victim_details_guard();
CREATE TRIGGER victim_details_no_truncate BEFORE TRUNCATE ON victim_details
    FOR EACH STATEMENT EXECUTE FUNCTION victim_details_guard();
REVOKE TRUNCATE ON victim_details FROM PUBLIC;

-- Every access to victims' details, allowed or not, for a manager (and an inspection) to review.
-- `purpose` is what the person said they needed it for (the reason, for an erasure). `outcome` is what
-- happened: ok | not_found | erased | key_error | integrity_error for reads, writes and erasures, and for
-- a `denied` row the action that was refused (read | write | erase | review_log).
CREATE TABLE access_log (
    id         bigserial   PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    username   text        NOT NULL,
    role       text        NOT NULL,
    action     text        NOT NULL CHECK (action IN ('read', 'write', 'erase', 'denied')),
    victim_ref text,
    purpose    text        NOT NULL,
    outcome    text        NOT NULL CHECK (outcome IN (
        'ok', 'not_found', 'erased', 'already_erased', 'key_error', 'integrity_error',
        'read', 'write', 'erase', 'review_log'
    ))
);
CREATE INDEX access_log_victim ON access_log (victim_ref, id);
CREATE INDEX access_log_at ON access_log (at);
CREATE INDEX access_log_username ON access_log (username, id);

-- Append-only, like `events`: no UPDATE, DELETE or TRUNCATE, whatever the client.
CREATE FUNCTION access_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'access_log is append-only: % is refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER access_log_no_update_or_delete BEFORE UPDATE OR DELETE ON access_log
    FOR EACH ROW EXECUTE FUNCTION access_log_refuse_change();
CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log
    FOR EACH STATEMENT EXECUTE FUNCTION access_log_refuse_change();
REVOKE UPDATE, DELETE, TRUNCATE ON access_log FROM PUBLIC;
