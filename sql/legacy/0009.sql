-- A database made by the migrations of the first release (0001..0009,
-- with the API functions inside them; their checksums are in
-- 0009.checksums) has the tables, indexes and triggers of today's
-- 0001..0007 but keeps the functions its tables depend on in schema api,
-- which scripts/migrate.sh now drops and installs afresh on every run.
-- This moves them to schema core, where today's migrations create them:
-- the triggers and the index follow the functions (they refer to them,
-- not to their names), so at no moment is a trigger missing.  Their
-- bodies are the same as in today's migrations.  scripts/migrate.sh runs
-- this once, in the transaction that records the database as made by
-- today's migrations; the old API functions go with the reinstall.

CREATE SCHEMA core;

ALTER FUNCTION api.lower_array(text[]) SET SCHEMA core;
ALTER FUNCTION api.memberships_keep_admin() SET SCHEMA core;
ALTER FUNCTION api.rsvps_after_delete() SET SCHEMA core;
ALTER FUNCTION api.mentorships_before_insert() SET SCHEMA core;
ALTER FUNCTION api.mentorships_transition() SET SCHEMA core;
ALTER FUNCTION api.mentorships_fixed() SET SCHEMA core;
ALTER FUNCTION api.mentorships_notify() SET SCHEMA core;
ALTER FUNCTION api.check_ins_before_insert() SET SCHEMA core;
ALTER FUNCTION api.events_recap_at() SET SCHEMA core;
ALTER FUNCTION api.collaborations_status() SET SCHEMA core;
ALTER FUNCTION api.collaboration_participants_keep_owner() SET SCHEMA core;
