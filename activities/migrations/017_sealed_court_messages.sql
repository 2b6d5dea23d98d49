-- Court messages sealed (`activities.court_messages`): the inbox and the rejected list keep each message
-- whole only as AES-256-GCM ciphertext under a data key of the row's own, stored wrapped by the
-- personal-data master key; `body` keeps the clear part (no names, no date of birth) for lists, filters
-- and reports. Erasing the child's record destroys the keys of its messages (`erased_at` says when), and a
-- destroyed key is never restored. Rows written before this migration, or with no master key configured,
-- keep `sealed` NULL and their message in clear, as before.
ALTER TABLE inbox
    ADD COLUMN sealed        bytea,
    ADD COLUMN sealed_key    bytea,
    ADD COLUMN sealed_key_id text,
    ADD COLUMN erased_at     timestamptz;
ALTER TABLE rejected_outcomes
    ADD COLUMN sealed        bytea,
    ADD COLUMN sealed_key    bytea,
    ADD COLUMN sealed_key_id text,
    ADD COLUMN erased_at     timestamptz,
    ALTER COLUMN body_text DROP NOT NULL;

ALTER TABLE inbox ADD CONSTRAINT inbox_sealed_whole CHECK (
    sealed IS NULL OR (sealed_key_id IS NOT NULL AND (sealed_key IS NULL) = (erased_at IS NOT NULL))
);
ALTER TABLE rejected_outcomes ADD CONSTRAINT rejected_sealed_whole CHECK (
    (sealed IS NULL OR (sealed_key_id IS NOT NULL AND (sealed_key IS NULL) = (erased_at IS NOT NULL)))
    AND (body_text IS NOT NULL OR sealed IS NOT NULL OR erased_at IS NOT NULL)
);

CREATE FUNCTION court_messages_stay_erased() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.erased_at IS NOT NULL AND (NEW.erased_at IS NULL OR NEW.sealed_key IS NOT NULL
                                       OR NEW.sealed IS DISTINCT FROM OLD.sealed) THEN
        RAISE EXCEPTION '%: the message of % was erased with its child''s record and cannot be restored',
            TG_TABLE_NAME, OLD.outcome_id USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER inbox_stays_erased BEFORE UPDATE ON inbox
    FOR EACH ROW EXECUTE FUNCTION court_messages_stay_erased();
CREATE TRIGGER rejected_outcomes_stay_erased BEFORE UPDATE ON rejected_outcomes
    FOR EACH ROW EXECUTE FUNCTION court_messages_stay_erased();

-- Erasure finds a child's messages by the clear part.
CREATE INDEX inbox_child ON inbox ((body ->> 'yjs'), (body -> 'child' ->> 'id'));
CREATE INDEX rejected_outcomes_child ON rejected_outcomes ((body ->> 'yjs'), (body -> 'child' ->> 'id'));
