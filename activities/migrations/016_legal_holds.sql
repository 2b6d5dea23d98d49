-- Legal holds on personal records (`domain.retention`): a record under a hold is never erased, whatever its
-- retention rule says. A hold is placed and lifted with a reason and by whom; rows are never deleted, and
-- each placing and lifting is also an event on the record's stream.
CREATE TABLE legal_holds (
    id          bigserial   PRIMARY KEY,
    record_kind text        NOT NULL CHECK (record_kind IN ('child_record', 'victim_details')),
    yjs         text        NOT NULL,
    subject     text        NOT NULL,
    child_id    text        NOT NULL,
    reason      text        NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
    placed_by   text        NOT NULL,
    placed_at   timestamptz NOT NULL DEFAULT now(),
    lifted_by   text,
    lifted_at   timestamptz,
    lift_reason text,
    CONSTRAINT legal_holds_lifted_whole CHECK (
        (lifted_at IS NULL AND lifted_by IS NULL AND lift_reason IS NULL)
        OR (lifted_at IS NOT NULL AND lifted_by IS NOT NULL AND lift_reason IS NOT NULL)
    )
);
-- One hold in force per record.
CREATE UNIQUE INDEX legal_holds_in_force ON legal_holds (record_kind, yjs, subject) WHERE lifted_at IS NULL;

CREATE FUNCTION legal_holds_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.lifted_at IS NULL AND NEW.lifted_at IS NOT NULL
       AND (NEW.record_kind, NEW.yjs, NEW.subject, NEW.child_id, NEW.reason, NEW.placed_by, NEW.placed_at)
           = (OLD.record_kind, OLD.yjs, OLD.subject, OLD.child_id, OLD.reason, OLD.placed_by, OLD.placed_at) THEN
        RETURN NEW;  -- lifting, and nothing else
    END IF;
    RAISE EXCEPTION 'legal_holds: % refused (a hold is only ever lifted, with a reason)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER legal_holds_guard_row BEFORE UPDATE OR DELETE ON legal_holds
    FOR EACH ROW EXECUTE FUNCTION legal_holds_guard();
CREATE TRIGGER legal_holds_no_truncate BEFORE TRUNCATE ON legal_holds
    FOR EACH STATEMENT EXECUTE FUNCTION legal_holds_guard();
