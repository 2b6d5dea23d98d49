-- Appends without a table lock: every event records the transaction that wrote it, and a reader that
-- follows the store pages by (transaction_id, global_position) below the oldest transaction still running
-- (`activities.event_reads`). Appends no longer take `LOCK TABLE events IN EXCLUSIVE MODE`.

-- Rows already stored committed under that lock, in position order, and all long ago: any transaction id
-- below every live one places them correctly, and 0 is below them all. A constant default is stored in the
-- catalogue, not written into each row, so adding the column rewrites nothing and updates no row (the
-- append-only trigger refuses UPDATE, and it is right to). Changing the default afterwards touches only
-- rows inserted from then on.
ALTER TABLE events ADD COLUMN transaction_id xid8 NOT NULL DEFAULT '0'::xid8;
ALTER TABLE events ALTER COLUMN transaction_id SET DEFAULT pg_current_xact_id();

-- The order readers follow: the row comparison (transaction_id, global_position) > (…) is an index range.
CREATE INDEX events_transaction_order ON events (transaction_id, global_position);

-- What an append reads before it writes, in one call (`activities.event_append`): it takes the guards of
-- the streams it appends to, then reads under them. A guard is a transaction-level advisory lock on the
-- hash of the stream id, held until commit, so appends to one stream run one at a time (its head version
-- and hash are read race-free, versions stay gap-free, the chain never forks) while appends to other
-- streams run alongside; the guards are taken in key order, so appends to overlapping streams cannot
-- deadlock (two ids that hash alike share a guard, which only serialises them). The reads are statements
-- of their own after the locks: a VOLATILE function takes a fresh snapshot for each statement, so they
-- see every append that held a guard before us. (One statement that both waited and read would read
-- from a snapshot taken before the wait.) A function rather than statements from the client because
-- PL/pgSQL keeps its plans for the session, and planning the reads cost more than running them; one
-- stream or event id at a time, because a kept plan over an array of them is planned for its values
-- again at every call (or, forced to be kept, stays the plan made when the table was empty).
--
-- Its arguments are JSON arrays (one parameter each, however many events): the stream ids, sorted; the
-- event ids; and the payloads, or NULL when jsonb would give them back unchanged. It returns, as one row:
-- the clock (clock_timestamp() read under the guards, not now(), which is when the transaction began,
-- before it waited, so recorded_at could run backwards within a stream; PostgreSQL keeps microseconds as
-- Python does, so the instant hashed is the instant stored); the payloads as jsonb returns them (jsonb
-- normalises numbers, 1e20 reads back as an integer, and the hash must be of what a read of the row
-- gives); which of the event ids are stored already; each stream's head version (0 for a new stream) and
-- hash, in the order given; and a new global position for each event id not yet stored, taken under the
-- guards, so positions rise with versions within each stream.
CREATE FUNCTION events_append_read(
    p_lock_timeout text, p_streams jsonb, p_ids jsonb, p_payloads jsonb,
    OUT recorded timestamptz, OUT payloads jsonb, OUT stored_ids uuid[], OUT head_versions integer[],
    OUT head_hashes text[], OUT positions bigint[]
)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    stream text;
    id uuid;
    key bigint;
    version integer;
    head text;
BEGIN
    -- SET LOCAL: a stuck guard (or a projection rebuild) becomes a retryable error, not a queue for ever.
    PERFORM set_config('lock_timeout', p_lock_timeout, true);
    FOREACH key IN ARRAY ARRAY(
        SELECT DISTINCT hashtextextended(s, 0) FROM jsonb_array_elements_text(p_streams) AS s ORDER BY 1
    ) LOOP
        PERFORM pg_advisory_xact_lock(key);
    END LOOP;
    -- From here each statement reads from a snapshot taken after the guards were granted.
    recorded := clock_timestamp();
    payloads := p_payloads;
    head_versions := '{}';
    head_hashes := '{}';
    FOR stream IN SELECT jsonb_array_elements_text(p_streams) LOOP
        SELECT e.stream_version, e.hash INTO version, head
        FROM events e WHERE e.stream_id = stream ORDER BY e.stream_version DESC LIMIT 1;
        head_versions := head_versions || coalesce(version, 0);
        head_hashes := head_hashes || head;
    END LOOP;
    stored_ids := '{}';
    positions := '{}';
    FOR id IN SELECT jsonb_array_elements_text(p_ids)::uuid LOOP
        IF EXISTS (SELECT 1 FROM events e WHERE e.event_id = id) THEN
            stored_ids := stored_ids || id;
        ELSE
            positions := positions || nextval('events_global_position_seq');
        END IF;
    END LOOP;
END;
$$;
