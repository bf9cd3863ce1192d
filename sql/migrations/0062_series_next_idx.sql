-- GET /v1/events?collapse=series lists a series by its next occurrence:
-- an occurrence is listed when no earlier one of its series has not ended
-- (api.event_rows).  That check reads the occurrences of one series by
-- start, from a month before the list's start (an event lasts at most 31
-- days, 0004_events.sql) up to the occurrence: a few rows, where the
-- (series_id, recurrence_id) index made it read every occurrence of the
-- series, the past ones included.
CREATE INDEX events_series_start_idx ON events (series_id, starts_at, id)
    INCLUDE (ends_at) WHERE series_id IS NOT NULL;
