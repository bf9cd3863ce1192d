-- Foundation: extensions and the schema of what tables depend on.
--
-- The database holds three kinds of things, each in its place:
--   tables, constraints, indexes and triggers   sql/migrations/ (here),
--       applied once each, in order, by scripts/migrate.sh;
--   schema "core": functions that tables depend on (trigger functions,
--       functions used in index expressions), created by the migration
--       that creates their table and changed only by a migration, so
--       they never disappear while the tables exist;
--   schema "api": the endpoint functions and their helpers, one file per
--       resource in sql/api/, installed afresh (DROP SCHEMA api CASCADE,
--       then every file) by scripts/migrate.sh on every run, in one
--       transaction.  Nothing outside schema api may depend on it.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE SCHEMA core;
