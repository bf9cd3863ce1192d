// Nearby (issue 19 part 3): positions of organizations and events, a
// member's coarse home area, near= lists of organizations, events,
// members (people nearby) and mentor suggestions, and positions in the
// feeds.  Distances are checked against a brute-force great-circle
// computation on the same earth model as PostgreSQL's earthdistance (a
// sphere of radius 6378.168 km) over 1,000 random organizations, every
// page read through the API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import ICAL from 'ical.js';
import { XMLParser } from 'fast-xml-parser';
import { get, post, patch, sql, uid, makeMember, makeOrg, assertProblem } from './lib.mjs';
import { pastEvent, at } from './relations.mjs';

const EARTH_KM = 6378.168;	/* earth() of earthdistance, in km */
const as = (who) => ({ token: who.token });
const rad = (d) => (d * Math.PI) / 180;

// Great-circle distance (haversine) on the earthdistance sphere.
function km(lat1, lon1, lat2, lon2) {
	const a = Math.sin(rad(lat2 - lat1) / 2) ** 2 + Math.cos(rad(lat1)) *
	    Math.cos(rad(lat2)) * Math.sin(rad(lon2 - lon1) / 2) ** 2;
	return 2 * EARTH_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

// A deterministic generator, so that a failure can be replayed.
function rng(seed) {
	let s = seed >>> 0;
	return () => {
		s = (s + 0x6d2b79f5) >>> 0;
		let t = s;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

// Every page of a near list, by cursor.
async function allPages(path, opts) {
	const rows = [];
	let url = path;
	for (let i = 0; i < 100; i++) {
		const r = await get(url, opts);
		assert.equal(r.status, 200, r.text);
		rows.push(...r.json.data);
		if (!r.json.next_cursor) return rows;
		url = `${path}&cursor=${encodeURIComponent(r.json.next_cursor)}`;
	}
	throw new Error('more than 100 pages');
}

// The API's near list against the brute force: the same members (but
// those within 1 m of the radius, where rounding may decide), nearest
// first then by id, distances within 0.5 % or 0.1 km.
function assertMatches(got, points, center, withinKm) {
	const want = points
	    .map((p) => ({ ...p, d: km(center[0], center[1], p.lat, p.lon) }))
	    .filter((p) => p.d <= withinKm)
	    .sort((a, b) => a.d - b.d || a.id - b.id);
	const edge = (p) => Math.abs(p.d - withinKm) < 0.001;
	const byId = new Map(points.map((p) => [p.id,
	    { ...p, d: km(center[0], center[1], p.lat, p.lon) }]));
	const gotIds = got.map((o) => Number(o.id)).filter((id) => !edge(byId.get(id)));
	const wantIds = want.filter((p) => !edge(p)).map((p) => p.id);
	assert.equal(gotIds.length, wantIds.length, 'how many are within the radius');
	for (let i = 0; i < got.length; i++) {
		const p = byId.get(Number(got[i].id));
		assert.ok(p, `row ${i} is not one of the points`);
		const tol = Math.max(0.1, p.d * 0.005);
		assert.ok(Math.abs(got[i].distance_km - p.d) <= tol,
		    `distance of ${p.id}: API ${got[i].distance_km}, brute force ${p.d}`);
		assert.equal(got[i].distance_km, Math.round(got[i].distance_km * 10) / 10,
		    'one decimal');
		if (i > 0) {
			const q = byId.get(Number(got[i - 1].id));
			// Nearest first (1 mm of slack between two earth models),
			// then by id at the same place.
			assert.ok(p.d >= q.d - 1e-6, `order at ${i}: ${q.d} then ${p.d}`);
			if (p.lat === q.lat && p.lon === q.lon) assert.ok(p.id > q.id, 'ties by id');
		}
	}
	// The same order as the brute force wherever distances differ by
	// more than a millimetre.
	const rank = new Map(wantIds.map((id, i) => [id, i]));
	for (let i = 1; i < gotIds.length; i++) {
		const a = byId.get(gotIds[i - 1]);
		const b = byId.get(gotIds[i]);
		if (Math.abs(a.d - b.d) > 1e-6) assert.ok(rank.get(gotIds[i - 1]) < rank.get(gotIds[i]));
	}
}

test('organizations near a point: 1,000 random organizations against a brute-force great-circle computation, every page', async () => {
	const next = rng(1903);
	const tag = `nearby${uid()}`;
	// A region of its own, so that no other test's organizations are near.
	const center = [-50 + next() * 100, -170 + next() * 340];
	const lats = [];
	const lons = [];
	for (let i = 0; i < 1000; i++) {
		// Up to about 2.5 degrees away: some within each radius, some not.
		let lat = center[0] + (next() - 0.5) * 5;
		let lon = center[1] + (next() - 0.5) * 5 / Math.cos(rad(center[0]));
		if (i % 50 === 49) {	/* some share a building: ties */
			lat = lats[i - 1];
			lon = lons[i - 1];
		}
		lats.push(Math.round(lat * 1e6) / 1e6);
		lons.push(Math.max(-180, Math.min(180, Math.round(lon * 1e6) / 1e6)));
	}
	const rows = await sql(`INSERT INTO organizations (slug, name, kind, city,
	    latitude, longitude)
	    SELECT $1 || '-' || o, 'Branch ' || $1 || ' ' || o, 'public_library', 'Nowhere',
	        lat, lon
	    FROM unnest($2::float8[], $3::float8[]) WITH ORDINALITY AS t(lat, lon, o)
	    RETURNING id, latitude AS lat, longitude AS lon`, [tag, lats, lons]);
	const points = rows.map((r) => ({ id: Number(r.id), lat: r.lat, lon: r.lon }));
	assert.equal(points.length, 1000);

	for (const within of [5, 40, 150]) {
		const near = `${center[0].toFixed(5)},${center[1].toFixed(5)}`;
		const got = await allPages(`/v1/organizations?q=${tag}&near=${near}` +
		    `&within_km=${within}&limit=100`);
		assert.ok(got.length > 0 || within === 5, `some within ${within} km`);
		assertMatches(got, points, [Number(center[0].toFixed(5)),
		    Number(center[1].toFixed(5))], within);
	}
	// Page sizes do not change the list.
	const near = `${center[0].toFixed(5)},${center[1].toFixed(5)}`;
	const a = await allPages(`/v1/organizations?q=${tag}&near=${near}&within_km=60&limit=7`);
	const b = await allPages(`/v1/organizations?q=${tag}&near=${near}&within_km=60&limit=100`);
	assert.deepEqual(a.map((o) => o.id), b.map((o) => o.id));
	assert.ok(a.length > 7);
	// Without near: by name, no distance.
	const plain = await get(`/v1/organizations?q=${tag}&limit=3`);
	assert.equal(plain.status, 200);
	assert.ok(plain.json.data.every((o) => !('distance_km' in o) && o.latitude !== null));
});

test('events near a point: positioned events that have not ended, by distance then id, with distance_km', async () => {
	const m = await makeMember();
	const next = rng(77);
	const center = [-45 + next() * 90, -170 + next() * 340];
	const made = [];
	for (let i = 0; i < 12; i++) {
		const lat = Math.round((center[0] + (next() - 0.5) * 0.8) * 1e5) / 1e5;
		const lon = Math.round((center[1] + (next() - 0.5) * 0.8) * 1e5) / 1e5;
		const r = await post('/v1/events', { title: `Story time ${i}`, kind: 'meetup',
		    starts_at: at(24 + i), ends_at: at(25 + i), timezone: 'UTC',
		    latitude: lat, longitude: lon }, as(m));
		assert.equal(r.status, 201, r.text);
		assert.equal(r.json.latitude, lat);
		assert.equal(r.json.longitude, lon);
		made.push({ id: r.json.id, lat, lon });
	}
	// One that has ended, at the very centre: not listed.
	const old = await pastEvent(m, []);
	await sql('UPDATE events SET latitude = $2, longitude = $3 WHERE id = $1',
	    [old, center[0], center[1]]);
	const near = `${center[0].toFixed(4)},${center[1].toFixed(4)}`;
	const got = await allPages(`/v1/events?near=${near}&within_km=80&limit=5`);
	assert.ok(!got.some((e) => e.id === old));
	assertMatches(got, made, [Number(center[0].toFixed(4)), Number(center[1].toFixed(4))], 80);
	assert.equal(got.length, made.filter((p) => km(Number(center[0].toFixed(4)),
	    Number(center[1].toFixed(4)), p.lat, p.lon) <= 80).length);
	// Signed in, the same list (with my_rsvp).
	const mine = await allPages(`/v1/events?near=${near}&within_km=80&limit=50`, as(m));
	assert.deepEqual(mine.map((e) => e.id), got.map((e) => e.id));
});

test('near, within_km and positions: 400 naming the field', async () => {
	const m = await makeMember();
	for (const bad of ['abc', '91,0', '0,181', '1,2,3', '1;2', 'nan,0', '1e5,2', ' ']) {
		const r = await get(`/v1/organizations?near=${encodeURIComponent(bad)}`);
		assertProblem(r, 400, 'near');
	}
	for (const w of ['0', '501', '-3', '2.5', 'x']) {
		assertProblem(await get(`/v1/events?near=1,2&within_km=${w}`), 400, 'within_km');
	}
	assertProblem(await get('/v1/organizations?within_km=10'), 400, 'within_km');
	// my_library: signed in, with an organization that has a position.
	assertProblem(await get('/v1/events?near=my_library'), 400, 'near');
	assertProblem(await get('/v1/organizations?near=my_library', as(m)), 400, 'near');
	assertProblem(await get('/v1/members?near=my_home', as(m)), 400, 'near');
	const org = await makeOrg(m, { latitude: 12.5, longitude: 101.25 });
	assert.equal(org.latitude, 12.5);
	let r = await get(`/v1/organizations?near=my_library&within_km=1`, as(m));
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.data[0].id, org.id);
	assert.equal(r.json.data[0].distance_km, 0);
	// A cursor of the list by name is not one of the list by distance.
	r = await get('/v1/organizations?limit=1');
	if (r.json.next_cursor) {
		assertProblem(await get(`/v1/organizations?near=1,2&limit=1&cursor=${r.json.next_cursor}`),
		    400, 'cursor');
	}
	// Both or neither, in range.
	assertProblem(await post('/v1/organizations', { name: 'Half', kind: 'other',
	    city: 'X', latitude: 10 }, as(m)), 400, 'longitude');
	assertProblem(await post('/v1/organizations', { name: 'Far', kind: 'other',
	    city: 'X', latitude: 91, longitude: 0 }, as(m)), 400, 'latitude');
	assertProblem(await post('/v1/organizations', { name: 'Str', kind: 'other',
	    city: 'X', latitude: '10', longitude: 0 }, as(m)), 400, 'latitude');
	assertProblem(await patch(`/v1/organizations/${org.id}`, { latitude: null }, as(m)),
	    400, 'longitude');
	r = await patch(`/v1/organizations/${org.id}`, { latitude: null, longitude: null }, as(m));
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.latitude, null);
	r = await patch(`/v1/organizations/${org.id}`, { latitude: -33.8688, longitude: 151.2093 },
	    as(m));
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.longitude, 151.2093);
	assertProblem(await patch('/v1/me', { home_longitude: 3 }, as(m)), 400, 'home_latitude');
	assertProblem(await patch('/v1/me', { home_latitude: -90.5, home_longitude: 3 }, as(m)),
	    400, 'home_latitude');
});

test('feeds carry the position: iCalendar GEO, RSS geo:lat/geo:long, JSON Feed _interlibrary', async () => {
	const m = await makeMember();
	const city = `Geo${uid()}`;
	const r = await post('/v1/events', { title: 'Map walk', kind: 'tour', city,
	    starts_at: at(30), ends_at: at(32), timezone: 'America/Chicago',
	    venue: 'Central Library', latitude: 39.801234, longitude: -89.643219 }, as(m));
	assert.equal(r.status, 201, r.text);
	const id = r.json.id;
	const plain = await post('/v1/events', { title: 'No map', kind: 'tour', city,
	    starts_at: at(33), ends_at: at(34), timezone: 'UTC' }, as(m));
	assert.equal(plain.status, 201, plain.text);

	let f = await get(`/v1/events/${id}.ics`, { validate: false });
	assert.equal(f.status, 200);
	const ev = new ICAL.Component(ICAL.parse(f.text)).getFirstSubcomponent('vevent');
	assert.deepEqual(ev.getFirstPropertyValue('geo'), [39.801234, -89.643219]);

	f = await get(`/v1/events.ics?city=${city}`);
	const evs = new ICAL.Component(ICAL.parse(f.text)).getAllSubcomponents('vevent');
	assert.equal(evs.length, 2);
	assert.equal(evs.filter((e) => e.getFirstProperty('geo')).length, 1);

	f = await get(`/v1/events.rss?city=${city}`);
	assert.equal(f.status, 200);
	const rss = new XMLParser().parse(f.text).rss;
	const items = [].concat(rss.channel.item);
	const withGeo = items.find((i) => i.title === 'Map walk');
	assert.equal(withGeo['geo:lat'], 39.801234);
	assert.equal(withGeo['geo:long'], -89.643219);
	assert.equal(items.find((i) => i.title === 'No map')['geo:lat'], undefined);
	assert.match(f.text, /xmlns:geo="http:\/\/www\.w3\.org\/2003\/01\/geo\/wgs84_pos#"/);

	f = await get(`/v1/events.json?city=${city}`);
	assert.equal(f.status, 200);
	const byTitle = Object.fromEntries(f.json.items.map((i) => [i.title, i._interlibrary]));
	assert.equal(byTitle['Map walk'].latitude, 39.801234);
	assert.equal(byTitle['Map walk'].longitude, -89.643219);
	assert.equal(byTitle['No map'].latitude, null);
});

test('people nearby: two members who met at a party both appear in each other\'s list, in bands, with consent', async () => {
	// Springfield-ish, far from any other test's home areas (a random
	// offset in the southern hemisphere).
	const base = [-20 - Math.random() * 20, 20 + Math.random() * 100];
	const ana = await makeMember({ display_name: `Ana ${uid()}` });
	const ben = await makeMember({ display_name: `Ben ${uid()}` });
	await pastEvent(ana, [ana, ben], { title: 'Winter party' });

	// Ana's exact home is stored coarse (0.01 degree), never shown to others.
	let r = await patch('/v1/me', { home_latitude: base[0] + 0.004321,
	    home_longitude: base[1] + 0.001234 }, as(ana));
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.home_latitude, Math.round((base[0] + 0.004321) * 100) / 100);
	assert.equal(r.json.home_longitude, Math.round((base[1] + 0.001234) * 100) / 100);
	const [row] = await sql('SELECT home_latitude::text AS lat FROM members WHERE id = $1', [ana.id]);
	assert.match(row.lat, /^-?\d+\.\d{2}$/);
	// Ben lives about 2.5 km away.
	r = await patch('/v1/me', { home_latitude: base[0] + 0.02,
	    home_longitude: base[1] + 0.015 }, as(ben));
	assert.equal(r.status, 200, r.text);

	// Cleo is 12 km away; Dan close but keeps his profile private; Eve
	// close but never set a home area.
	const cleo = await makeMember({ home_latitude: (base[0] + 0.11).toFixed(2),
	    home_longitude: base[1].toFixed(2) });
	const dan = await makeMember({ home_latitude: base[0].toFixed(2),
	    home_longitude: base[1].toFixed(2), visibility_about: 'private' });
	const eve = await makeMember();

	const list = async (who, within) => {
		const res = await get(`/v1/members?near=my_home&within_km=${within}&limit=100`, as(who));
		assert.equal(res.status, 200, res.text);
		return res.json.data;
	};
	const anaSees = await list(ana, 5);
	const benSees = await list(ben, 5);
	assert.deepEqual(anaSees.map((p) => p.id), [ben.id]);
	assert.deepEqual(benSees.map((p) => p.id), [ana.id]);
	assert.equal(anaSees[0].distance_band, 'under_5_km');
	assert.equal(benSees[0].distance_band, 'under_5_km');
	for (const p of [...anaSees, ...benSees]) {
		assert.ok(!('home_latitude' in p) && !('distance_km' in p), JSON.stringify(p));
	}
	// Farther: Cleo in the 5 to 20 km band, after Ben.
	const wide = await list(ana, 30);
	assert.deepEqual(wide.map((p) => p.id), [ben.id, cleo.id]);
	assert.deepEqual(wide.map((p) => p.distance_band), ['under_5_km', '5_to_20_km']);
	assert.ok(!wide.some((p) => p.id === dan.id || p.id === eve.id));
	// Removing a home area takes one off the lists.
	r = await patch('/v1/me', { home_latitude: null, home_longitude: null }, as(ben));
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.home_latitude, null);
	assert.deepEqual((await list(ana, 30)).map((p) => p.id), [cleo.id]);
	assertProblem(await get('/v1/members?near=my_home', as(ben)), 400, 'near');
	// Another member's profile never carries a home area.
	r = await get(`/v1/members/${ana.id}`, as(cleo));
	assert.equal(r.status, 200);
	assert.ok(!('home_latitude' in r.json));
});

test('mentor suggestions near a point: mentors with a visible home area, nearest first, in bands', async () => {
	const base = [10 + Math.random() * 30, -60 - Math.random() * 50];
	const me = await makeMember({ interests: ['archives'] });
	const mentor = (dLat, extra = {}) => makeMember({ mentoring_available: true,
	    mentoring_capacity: 2, mentoring_topics: ['archives'],
	    home_latitude: (base[0] + dLat).toFixed(2), home_longitude: base[1].toFixed(2),
	    ...extra });
	const far = await mentor(0.1);
	const near = await mentor(0.01);
	const hidden = await mentor(0.01, { visibility_about: 'private' });
	const full = await mentor(0.02, { mentoring_capacity: 0 });
	const r = await get(`/v1/mentors/suggestions?near=${base[0].toFixed(2)},${
	    base[1].toFixed(2)}&within_km=25`, as(me));
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json.data.map((s) => s.member.id), [near.id, far.id]);
	assert.deepEqual(r.json.data.map((s) => s.distance_band), ['under_5_km', '5_to_20_km']);
	assert.equal(r.json.data[0].reasons[0], 'Based under 5 km away');
	assert.ok(r.json.data[0].reasons.some((x) => /archives/.test(x)));
	assert.ok(!r.json.data.some((s) => s.member.id === hidden.id || s.member.id === full.id));
	assertProblem(await get('/v1/mentors/suggestions?within_km=3', as(me)), 400, 'within_km');
});
