-- An accepted outcome acting on a running order that the order refuses when the relay delivers it (the
-- order moved on after intake) is marked 'refused', with the order's reason in last_error, and copied to
-- rejected_outcomes for correction; a corrected resubmission under the same outcome_id takes its place.
ALTER TABLE inbox DROP CONSTRAINT inbox_relay_status_check;
ALTER TABLE inbox ADD CONSTRAINT inbox_relay_status_check
    CHECK (relay_status IN ('pending', 'started', 'refused'));
