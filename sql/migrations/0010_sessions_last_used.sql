-- A session or personal access token is "last used" when a request used
-- it: last_used_at is NULL until then (a new token reported last_used_at
-- equal to created_at before it was ever used).  The idle expiry of login
-- sessions counts from coalesce(last_used_at, created_at), as it counted
-- from the default before (sql/api/members.sql api.auth,
-- sql/api/sessions.sql).
ALTER TABLE sessions ALTER COLUMN last_used_at DROP NOT NULL,
    ALTER COLUMN last_used_at DROP DEFAULT;

-- Rows no request has touched since they were made (api.auth moves
-- last_used_at at most once a minute, so a row used only in its first
-- minute reads as unused: the closest the data can tell).
UPDATE sessions SET last_used_at = NULL WHERE last_used_at = created_at;
