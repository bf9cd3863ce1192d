-- Nearby (issue 19 part 3): where organizations and events are, and a
-- member's approximate home area.  The API side is in sql/api/
-- (api.near_point in foundation.sql, the near= lists of organizations,
-- events, members and mentor suggestions).
--
-- Distances come from the contrib earthdistance module (a sphere of
-- radius earth(), 6378.168 km): ll_to_earth(latitude, longitude) is a
-- point of that sphere as a 3-D cube, the GiST indexes below serve both
-- "within N km" (earth_box(...) @> point) and "nearest first" (the
-- cube's <-> distance, a straight chord through the sphere, which orders
-- points as their great-circle distance does; earth_distance turns it
-- into the great-circle distance).  No trigonometry of our own.
--
-- Invariants in the schema:
--   * a position is both coordinates or neither, each in range;
--   * a member's home area is coarse: numeric(4,2) and numeric(5,2)
--     keep it to 0.01 degree (about 1 km), whatever is written; the API
--     rounds, and shows others only a distance band.

CREATE EXTENSION IF NOT EXISTS cube;
CREATE EXTENSION IF NOT EXISTS earthdistance;

ALTER TABLE organizations
	ADD COLUMN latitude double precision
	    CHECK (latitude BETWEEN -90 AND 90),
	ADD COLUMN longitude double precision
	    CHECK (longitude BETWEEN -180 AND 180),
	ADD CONSTRAINT organizations_position_check
	    CHECK ((latitude IS NULL) = (longitude IS NULL));

CREATE INDEX organizations_position_idx ON organizations
    USING gist (ll_to_earth(latitude, longitude));

ALTER TABLE events
	ADD COLUMN latitude double precision
	    CHECK (latitude BETWEEN -90 AND 90),
	ADD COLUMN longitude double precision
	    CHECK (longitude BETWEEN -180 AND 180),
	ADD CONSTRAINT events_position_check
	    CHECK ((latitude IS NULL) = (longitude IS NULL));

CREATE INDEX events_position_idx ON events
    USING gist (ll_to_earth(latitude, longitude));

ALTER TABLE members
	ADD COLUMN home_latitude numeric(4,2)
	    CHECK (home_latitude BETWEEN -90 AND 90),
	ADD COLUMN home_longitude numeric(5,2)
	    CHECK (home_longitude BETWEEN -180 AND 180),
	ADD CONSTRAINT members_home_area_check
	    CHECK ((home_latitude IS NULL) = (home_longitude IS NULL));

CREATE INDEX members_home_area_idx ON members
    USING gist (ll_to_earth(home_latitude::double precision,
        home_longitude::double precision));
