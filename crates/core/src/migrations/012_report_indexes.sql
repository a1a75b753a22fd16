-- Issue 15's upward report counts each figure by the date of its own event (a transfer, an
-- outcome, a decision), whatever the case's receipt date: the period's events of one type are
-- read by this index rather than by scanning every case's journal.
CREATE INDEX events_type_at ON events(type, at_utc);
-- Inquiries answered in a period, by station.
CREATE INDEX inquiries_station_received ON inquiries(station, received_utc);
-- Cases closed after a period's end were open at its end (`Stats::open`).
CREATE INDEX cases_outcome ON cases(outcome_utc) WHERE outcome_utc IS NOT NULL;
-- Whether a case's journal has anything after a period's end (open at the end is then read
-- from its events, otherwise from its row), answered from the index alone.
CREATE INDEX events_case_at ON events(case_id, at_utc, type);
