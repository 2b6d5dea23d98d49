-- yjflow schema v12: when a deadline's meeting step was recorded, not only the day it says it was done.
--
-- A step entered weeks late with its true (earlier) date makes a missed deadline "met on time" by its
-- effective date, though the deadline was escalated all along (the Rochdale case: work antedated for an
-- inspection). The reports tell those apart: `met_recorded_at` is the recorded time of the DeadlineMet
-- event, `escalations_before_met` how many escalations had fired by then (none fire after it: the
-- workflow stops escalating a met deadline), `missed_before_met` whether the miss was recorded first
-- (which says the step came late whatever the clocks say).
ALTER TABLE deadlines
    ADD COLUMN met_recorded_at timestamptz,
    ADD COLUMN escalations_before_met integer,
    ADD COLUMN missed_before_met boolean;

-- Deadlines met before this migration: the latest DeadlineMet of each (a reschedule clears met_on, so
-- a met row's latest DeadlineMet is the one that met it), and its escalations so far, which are all it
-- will ever have.
UPDATE deadlines d
SET met_recorded_at = m.recorded_at, escalations_before_met = d.escalations,
    missed_before_met = EXISTS (
        SELECT 1 FROM events x
        WHERE x.stream_id = d.stream_id AND x.event_type = 'DeadlineMissed'
          AND x.payload ->> 'deadline_id' = d.deadline_id AND x.global_position < m.global_position
    )
FROM (
    SELECT DISTINCT ON (stream_id, payload ->> 'deadline_id')
           stream_id, payload ->> 'deadline_id' AS deadline_id, recorded_at, global_position
    FROM events
    WHERE event_type = 'DeadlineMet'
    ORDER BY stream_id, payload ->> 'deadline_id', global_position DESC
) m
WHERE d.stream_id = m.stream_id AND d.deadline_id = m.deadline_id AND d.met_on IS NOT NULL;

-- The compliance reports count from these columns too: keep them index-only scans.
DROP INDEX deadlines_compliance_yjs;
DROP INDEX deadlines_compliance;
CREATE INDEX deadlines_compliance_yjs ON deadlines (yjs, due_date)
    INCLUDE (rule_id, status, met_on, days_late, due_at, met_recorded_at, escalations_before_met, missed_before_met);
CREATE INDEX deadlines_compliance ON deadlines (due_date)
    INCLUDE (rule_id, status, met_on, days_late, due_at, met_recorded_at, escalations_before_met, missed_before_met);
