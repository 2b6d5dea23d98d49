-- A court's changed resend held for a manager is a court message too (`activities.court_messages`): the
-- previous and new outcomes, the difference and the court's whole message are kept sealed under a key of
-- the row's own, and in clear only their names-free parts (the difference without the values of the
-- child's fields). The same changed resend is found again by a keyed digest of the new outcome
-- (`new_digest`, HMAC-SHA256 under a key derived from the master key) instead of md5 of the body, which
-- now holds only the clear part. Erasing the child's record destroys the key, as for the inbox.
ALTER TABLE court_result_amendments
    ADD COLUMN sealed        bytea,
    ADD COLUMN sealed_key    bytea,
    ADD COLUMN sealed_key_id text,
    ADD COLUMN erased_at     timestamptz,
    ADD COLUMN new_digest    text,
    ALTER COLUMN message_text DROP NOT NULL;
ALTER TABLE court_result_amendments ADD CONSTRAINT court_result_amendments_sealed_whole CHECK (
    (sealed IS NULL OR (sealed_key_id IS NOT NULL AND new_digest IS NOT NULL
                        AND (sealed_key IS NULL) = (erased_at IS NOT NULL)))
    AND (message_text IS NOT NULL OR sealed IS NOT NULL OR erased_at IS NOT NULL)
);
DROP INDEX court_result_amendments_once;
CREATE UNIQUE INDEX court_result_amendments_once
    ON court_result_amendments (outcome_id, (coalesce(new_digest, md5(new_body::text))));
CREATE TRIGGER court_result_amendments_stay_erased BEFORE UPDATE ON court_result_amendments
    FOR EACH ROW EXECUTE FUNCTION court_messages_stay_erased();
CREATE INDEX court_result_amendments_child
    ON court_result_amendments ((new_body ->> 'yjs'), (new_body -> 'child' ->> 'id'));
