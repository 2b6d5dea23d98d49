-- yjflow schema v8: what a victim worker types on a victim contact's step (a reason, a note), sealed
-- under the victim's own data key, so that erasing the victim (destroying the key) covers it too.
--
-- The event keeps only the note's reference (`victim-note:<note_id>`) in its envelope's `reason`: the
-- hash-chained event log is permanent and crypto-shredding cannot reach clear text stored there.
-- The ciphertext is AES-256-GCM under the victim's data key (`victim_keys`), with the victim ref and the
-- note id as associated data, so a note copied to another victim or another reference does not decrypt.
CREATE TABLE victim_step_notes (
    note_id     uuid        PRIMARY KEY,
    victim_ref  text        NOT NULL REFERENCES victim_keys (victim_ref),
    workflow_id text        NOT NULL,
    ciphertext  bytea       NOT NULL,
    nonce       bytea       NOT NULL CHECK (octet_length(nonce) = 12),
    recorded_at timestamptz NOT NULL DEFAULT now(),
    recorded_by text        NOT NULL
);
CREATE INDEX victim_step_notes_contact ON victim_step_notes (workflow_id);

-- A sealed note is never changed or deleted: a correction is a later step with a note of its own, and
-- erasure is the victim's key being destroyed.
CREATE FUNCTION victim_step_notes_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'victim_step_notes: % is refused (erase the victim by destroying its key instead)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER victim_step_notes_no_update_or_delete BEFORE UPDATE OR DELETE ON victim_step_notes
    FOR EACH ROW EXECUTE FUNCTION victim_step_notes_refuse_change();
CREATE TRIGGER victim_step_notes_no_truncate BEFORE TRUNCATE ON victim_step_notes
    FOR EACH STATEMENT EXECUTE FUNCTION victim_step_notes_refuse_change();
REVOKE UPDATE, DELETE, TRUNCATE ON victim_step_notes FROM PUBLIC;
