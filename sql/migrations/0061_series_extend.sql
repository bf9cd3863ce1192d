-- Extending open-ended series as time passes (issue 18).  A series
-- without COUNT or UNTIL has its occurrences materialized for a rolling
-- window (RECUR_MAX_YEARS, at most RECUR_MAX_COUNT ahead); the series job
-- of il-sender (api/sender/series.c) extends it through
-- api.series_extend (sql/api/series.sql).  The unique index on
-- events (series_id, recurrence_id) (0060) keeps any run, however many
-- run at once, from making an occurrence twice.

ALTER TABLE series
	-- When the job last extended (or looked at) the series.
	ADD COLUMN extended_at timestamptz,
	-- The rule's first start past the materialized window, as the job
	-- last found it (null: not looked at yet, or the rule has no more):
	-- the series needs work again once the window reaches it.
	ADD COLUMN next_start timestamptz;

-- The job's candidates: open-ended series, those extended longest ago
-- first.
CREATE INDEX series_open_idx ON series (extended_at NULLS FIRST)
    WHERE count IS NULL AND until_at IS NULL AND until_date IS NULL;
