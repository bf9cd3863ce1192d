// Events: create/read/edit/cancel, the role matrix on every operation,
// input validation, RSVPs and the waitlist, RSVP visibility and the CSV
// export, attendance and the advocacy counts, invitations (consent,
// results, the 24-hour cap, spam reports), the list's filters and keyset
// pagination, notifications and the account export.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, get, post, patch, put, del, sql, uid, makeMember, makeOrg,
    assertProblem, newToken } from './lib.mjs';

const HOUR = 3600 * 1000;
const at = (hours) => new Date(Date.now() + hours * HOUR).toISOString().replace(/\.\d+Z$/, 'Z');

function eventBody(fields = {}) {
	return { title: `Meetup ${uid()}`, kind: 'meetup', starts_at: at(48), ends_at: at(50),
	    timezone: 'America/Chicago', city: 'Springfield', ...fields };
}

async function makeEvent(who, fields = {}) {
	const r = await post('/v1/events', eventBody(fields), { token: who.token });
	assert.equal(r.status, 201, r.text);
	return r.json;
}

async function addToOrg(org, admin, member, role = 'member') {
	const r = await post(`/v1/organizations/${org.id}/members`, { member_id: member.id, role },
	    { token: admin.token });
	assert.equal(r.status, 201, r.text);
}

async function rsvp(who, ev, response = 'going', guests) {
	const body = guests === undefined ? { response } : { response, guests };
	return put(`/v1/events/${ev.id}/rsvp`, body, { token: who.token });
}

async function notes(member, type) {
	const r = await get('/v1/me/notifications?limit=100', { token: member.token });
	assert.equal(r.status, 200, r.text);
	return r.json.data.filter((n) => !type || n.type === type);
}

async function eventRow(id) {
	return (await sql(`SELECT title, sequence, status, capacity, cancel_reason,
	    organization_id FROM events WHERE id = $1`, [id]))[0];
}

// Move an event into the past (SQL: the API refuses RSVPs once it has ended).
async function moveToPast(id, hoursAgo = 48) {
	await sql(`UPDATE events SET starts_at = now() - make_interval(hours => $2),
	    ends_at = now() - make_interval(hours => $2 - 2) WHERE id = $1`, [id, hoursAgo]);
}

// An organization event with a member in every role.
async function world(fields = {}) {
	const orgAdmin = await makeMember();
	const org = await makeOrg(orgAdmin);
	const creator = await makeMember();
	const coOrganizer = await makeMember();
	const member = await makeMember();
	const other = await makeMember();
	const siteAdmin = await makeMember({ role: 'admin' });
	await addToOrg(org, orgAdmin, creator, 'admin');
	const ev = await makeEvent(creator, { organization: org.slug, organizers: [coOrganizer.id],
	    capacity: 10, guest_limit: 2, ...fields });
	return { org, orgAdmin, creator, coOrganizer, member, other, siteAdmin, ev };
}

test('create, read and edit an event; organizers; sequence; Location', async () => {
	const w = await world({ tags: ['Zines', 'zines', ' Comics '], description: 'Bring a zine to swap.' });
	assert.deepEqual(w.ev.tags, ['zines', 'comics']);
	assert.equal(w.ev.organization.slug, w.org.slug);
	assert.deepEqual(w.ev.organizers.map((o) => o.id), [w.creator.id, w.coOrganizer.id]);
	assert.equal(w.ev.status, 'scheduled');
	assert.equal(w.ev.capacity, 10);
	assert.equal(w.ev.places_left, 10);
	assert.equal(w.ev.my_rsvp, null);
	assert.equal(w.ev.pledged_count, null);
	assert.equal(w.ev.sequence, 0);

	const anon = await get(`/v1/events/${w.ev.id}`);
	assert.equal(anon.status, 200);
	assert.equal(anon.json.title, w.ev.title);
	assert.ok(anon.headers.get('etag'));
	const again = await get(`/v1/events/${w.ev.id}`,
	    { headers: { 'if-none-match': anon.headers.get('etag') } });
	assert.equal(again.status, 304);
	assertProblem(await get('/v1/events/999999999999'), 404);
	assertProblem(await get('/v1/events/abc'), 404);

	const e = await patch(`/v1/events/${w.ev.id}`, { title: 'Zine swap', venue: 'Room 2',
	    organizers: [w.member.id] }, { token: w.coOrganizer.token,
	    contentType: 'application/merge-patch+json' });
	assert.equal(e.status, 200, e.text);
	assert.equal(e.json.title, 'Zine swap');
	assert.equal(e.json.sequence, 1);
	// The creator always stays; the co-organizer who was replaced is gone.
	assert.deepEqual(e.json.organizers.map((o) => o.id), [w.creator.id, w.member.id]);
	assertProblem(await patch(`/v1/events/${w.ev.id}`, { venue: 'x' },
	    { token: w.coOrganizer.token }), 403);
	assertProblem(await patch(`/v1/events/${w.ev.id}`, { organizers: [999999999999] },
	    { token: w.creator.token }), 400, 'organizers[0]');
	// A recap only once the event has started.
	assertProblem(await patch(`/v1/events/${w.ev.id}`, { recap: 'Great' },
	    { token: w.creator.token }), 409, 'recap');

	const own = await makeEvent(w.other, { title: 'My own' });
	assert.equal(own.organization, null);
	assert.deepEqual(own.organizers, [{ id: w.other.id, display_name: w.other.display_name }]);
	const loc = await post('/v1/events', eventBody(), { token: w.other.token });
	assert.match(loc.headers.get('location'), new RegExp(`/v1/events/${loc.json.id}$`));
});

// Malformed URLs (libcurl's parser reads them) are refused before they
// can be published into the feeds; well-formed ones are kept as sent.
const BAD_URLS = ['https://@', 'http://[::1', 'https://x.org:99999/', 'https:/x.org',
    'https:///x.org', 'https://x.org:0/', 'ftp://x.org/', 'https://x.org/a b'];

test('online_url: malformed URLs are 400 naming the field and never reach a feed', async () => {
	const m = await makeMember();
	const city = `Urlville ${uid()}`;
	for (const online_url of BAD_URLS) {
		const r = await post('/v1/events', eventBody({ city, online_url }), { token: m.token });
		assertProblem(r, 400, 'online_url');
		assert.equal(r.json.errors[0].message, 'must be an http or https URL');
	}
	const ev = await makeEvent(m, { city, online_url: 'http://[::1]:8080/room?a=1#b' });
	assert.equal(ev.online_url, 'http://[::1]:8080/room?a=1#b');
	for (const online_url of BAD_URLS)
		assertProblem(await patch(`/v1/events/${ev.id}`, { online_url }, { token: m.token }), 400,
		    'online_url');
	const feed = JSON.parse((await get(`/v1/events.json?city=${encodeURIComponent(city)}`)).text);
	assert.deepEqual(feed.items.map((i) => i._interlibrary.online_url), ['http://[::1]:8080/room?a=1#b']);
});

test('invalid input is 400 naming the field or parameter', async () => {
	const m = await makeMember();
	const cases = [
		[{ ends_at: at(47) }, 'ends_at'],
		[{ ends_at: at(48) }, 'ends_at'],
		[{ ends_at: at(48 + 24 * 32) }, 'ends_at'],
		[{ timezone: 'Mars/Olympus_Mons' }, 'timezone'],
		[{ capacity: -1 }, 'capacity'],
		[{ capacity: 0 }, 'capacity'],
		[{ guest_limit: 21 }, 'guest_limit'],
		[{ kind: 'party' }, 'kind'],
		[{ starts_at: '2026-02-30T10:00:00Z' }, 'starts_at'],
		[{ starts_at: 'tomorrow' }, 'starts_at'],
		[{ title: '' }, 'title'],
		[{ title: 'x'.repeat(201) }, 'title'],
		[{ online_url: 'javascript:alert(1)' }, 'online_url'],
		[{ target: 'City council' }, 'target'],
		[{ tags: Array.from({ length: 11 }, (_, i) => `t${i}`) }, 'tags'],
		[{ organization: 'no-such-library-anywhere' }, 'organization'],
		[{ status: 'cancelled' }, 'status'],
		[{ going_count: 3 }, 'going_count'],
		[{ recap: 'before' }, 'recap'],
		[{ surprise: 1 }, 'surprise'],
	];
	for (const [fields, field] of cases) {
		const r = await post('/v1/events', eventBody(fields), { token: m.token });
		assertProblem(r, 400, field);
	}
	const missing = { ...eventBody() };
	delete missing.timezone;
	assertProblem(await post('/v1/events', missing, { token: m.token }), 400, 'timezone');
	assert.equal((await sql('SELECT count(*)::int AS n FROM events WHERE created_by = $1',
	    [m.id]))[0].n, 0, 'a refused create wrote a row');

	// Guests over the event's guest_limit; a bad response.
	const ev = await makeEvent(m, { guest_limit: 1 });
	const u = await makeMember();
	assertProblem(await rsvp(u, ev, 'going', 2), 400, 'guests');
	assertProblem(await rsvp(u, ev, 'yes'), 400, 'response');
	assertProblem(await put(`/v1/events/${ev.id}/rsvp`, { response: 'going', status: 'going' },
	    { token: u.token }), 400, 'status');
	const none = await makeEvent(m);
	assertProblem(await rsvp(u, none, 'going', 1), 400, 'guests');

	// List parameters.
	for (const [qs, param] of [['from=yesterday', 'from'], ['from=2026-02-30T00:00:00Z', 'from'],
	    ['to=2026-13-01T00:00:00Z', 'to'], ['to=2020-01-01T00:00:00Z', 'to'],
	    ['kind=party', 'kind'], ['limit=0', 'limit'], ['limit=101', 'limit'], ['limit=abc', 'limit'],
	    ['cursor=bm9wZQ', 'cursor'], ['organization=no-such-library-anywhere', 'organization'],
	    ['q=%21%21', 'q'], ['tag=' + 'x'.repeat(41), 'tag'], ['bogus=1', 'bogus']]) {
		assertProblem(await get(`/v1/events?${qs}`), 400, param);
	}
	assertProblem(await get(`/v1/events/${ev.id}/rsvps?status=maybe&limit=0`,
	    { token: m.token }), 400, 'limit');
	assertProblem(await get('/v1/me/invitations?status=maybe', { token: m.token }), 400, 'status');
});

test('role matrix: edit, cancel, attendance, RSVP list and CSV', async () => {
	const w = await world();
	const before = await eventRow(w.ev.id);
	const refused = [[null, 401], [w.member, 403], [w.other, 403]];
	for (const [who, status] of refused) {
		const opt = who ? { token: who.token } : {};
		const p = await patch(`/v1/events/${w.ev.id}`, { title: 'Hijacked' }, opt);
		assertProblem(p, status);
		const c = await post(`/v1/events/${w.ev.id}/cancel`, { reason: 'Hijacked' }, opt);
		assertProblem(c, status);
		const a = await post(`/v1/events/${w.ev.id}/attendance`,
		    { records: [{ member_id: w.member.id, attended: true }] }, opt);
		assertProblem(a, status);
		const csv = await get(`/v1/events/${w.ev.id}/rsvps`,
		    { ...opt, headers: { accept: 'text/csv' } });
		assertProblem(csv, status);
		for (const r of [p, c, a, csv]) {
			assert.ok(!r.text.includes(w.creator.display_name), 'a refusal leaked a name');
			assert.ok(!r.text.includes('Hijacked'));
		}
	}
	assert.deepEqual(await eventRow(w.ev.id), before, 'a refused call changed the event');
	assert.equal((await sql('SELECT count(*)::int AS n FROM attendance WHERE event_id = $1',
	    [w.ev.id]))[0].n, 0);

	// Every kind of organizer may edit; each edit bumps sequence.
	let seq = before.sequence;
	for (const who of [w.creator, w.coOrganizer, w.orgAdmin, w.siteAdmin]) {
		const r = await patch(`/v1/events/${w.ev.id}`, { venue: `Room of ${who.id}` },
		    { token: who.token });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.sequence, ++seq);
		const l = await get(`/v1/events/${w.ev.id}/rsvps`, { token: who.token });
		assert.equal(l.json.view, 'organizer');
	}
	// An organizer of another event is nobody here.
	await makeEvent(w.other);
	assertProblem(await patch(`/v1/events/${w.ev.id}`, { venue: 'x' }, { token: w.other.token }), 403);
	// A read-only token cannot write.
	const ro = newToken();
	await sql(`INSERT INTO sessions (member_id, token_hash, kind, scope, name, expires_at)
	    VALUES ($1, $2, 'personal', 'read', 'ro', now() + interval '1 day')`, [w.creator.id, ro.hash]);
	assertProblem(await patch(`/v1/events/${w.ev.id}`, { venue: 'x' }, { token: ro.token }), 403);
	assertProblem(await rsvp({ token: ro.token }, w.ev), 403);
	// Anonymous RSVP, withdrawal, invitation and inbox: 401.
	assertProblem(await put(`/v1/events/${w.ev.id}/rsvp`, { response: 'going' }), 401);
	assertProblem(await del(`/v1/events/${w.ev.id}/rsvp`), 401);
	assertProblem(await post(`/v1/events/${w.ev.id}/invitations`, { member_ids: [w.member.id] }), 401);
	assertProblem(await get('/v1/me/invitations'), 401);
	assertProblem(await patch('/v1/me/invitations/1', { status: 'declined' }), 401);
	assertProblem(await post('/v1/events', eventBody()), 401);
	// Each organizer kind may cancel (a fresh event each).
	for (const who of [w.creator, w.coOrganizer, w.orgAdmin, w.siteAdmin]) {
		const ev = await makeEvent(w.creator, { organization: w.org.id,
		    organizers: [w.coOrganizer.id] });
		const r = await post(`/v1/events/${ev.id}/cancel`, {}, { token: who.token });
		assert.equal(r.status, 200, r.text);
	}
});

test('events of an organization are created only by its admins', async () => {
	const admin = await makeMember();
	const org = await makeOrg(admin);
	const member = await makeMember();
	const pending = await makeMember();
	const outsider = await makeMember();
	const siteAdmin = await makeMember({ role: 'admin' });
	await addToOrg(org, admin, member);
	assert.equal((await post(`/v1/organizations/${org.id}/members`, {},
	    { token: pending.token })).status, 201);
	for (const who of [member, pending, outsider]) {
		for (const ref of [org.id, org.slug]) {
			const title = `Sneaky ${uid()}`;
			const r = await post('/v1/events', eventBody({ organization: ref, title }),
			    { token: who.token });
			assertProblem(r, 403);
			assert.equal((await sql('SELECT count(*)::int AS n FROM events WHERE title = $1',
			    [title]))[0].n, 0);
		}
	}
	for (const who of [admin, siteAdmin]) {
		const r = await post('/v1/events', eventBody({ organization: org.slug }), { token: who.token });
		assert.equal(r.status, 201, r.text);
		assert.equal(r.json.organization.id, org.id);
	}
	// Moving an event to an organization needs admin rights there.
	const own = await makeEvent(member);
	assertProblem(await patch(`/v1/events/${own.id}`, { organization: org.id },
	    { token: member.token }), 403, 'organization');
	assert.equal((await eventRow(own.id)).organization_id, null);
	// An archived organization takes no new events; it cannot be deleted while it has events.
	assertProblem(await del(`/v1/organizations/${org.id}`, { token: admin.token }), 409);
	assert.equal((await patch(`/v1/organizations/${org.id}`, { archived: true },
	    { token: admin.token })).status, 200);
	assertProblem(await post('/v1/events', eventBody({ organization: org.id }),
	    { token: admin.token }), 409, 'organization');
});

test('RSVPs: idempotent PUT, maybe and not_going, guests, withdraw', async () => {
	const host = await makeMember();
	const ev = await makeEvent(host, { capacity: 5, guest_limit: 2 });
	const a = await makeMember();
	let r = await rsvp(a, ev, 'going', 1);
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json, { response: 'going', status: 'going', waitlist_position: null, guests: 1 });
	const first = (await sql('SELECT id, requested_at FROM rsvps WHERE event_id = $1 AND member_id = $2',
	    [ev.id, a.id]))[0];
	r = await rsvp(a, ev, 'going', 1);
	assert.deepEqual(r.json, { response: 'going', status: 'going', waitlist_position: null, guests: 1 });
	const same = (await sql('SELECT id, requested_at FROM rsvps WHERE event_id = $1 AND member_id = $2',
	    [ev.id, a.id]))[0];
	assert.deepEqual(same, first, 'an idempotent PUT made a new request');
	let e = (await get(`/v1/events/${ev.id}`, { token: a.token })).json;
	assert.equal(e.going_count, 1);
	assert.equal(e.places_taken, 2);
	assert.equal(e.places_left, 3);
	assert.deepEqual(e.my_rsvp, { response: 'going', status: 'going', waitlist_position: null, guests: 1 });

	r = await rsvp(a, ev, 'maybe');
	assert.deepEqual(r.json, { response: 'maybe', status: 'maybe', waitlist_position: null, guests: 0 });
	e = (await get(`/v1/events/${ev.id}`)).json;
	assert.equal(e.places_taken, 0);
	r = await rsvp(a, ev, 'not_going', 0);
	assert.equal(r.json.status, 'not_going');
	assert.equal(r.json.guests, 0);
	r = await rsvp(a, ev, 'going', 2);
	assert.equal(r.json.status, 'going');
	assert.equal((await get(`/v1/events/${ev.id}`)).json.places_taken, 3);
	// Asking for more guests than there are places: 409, RSVP unchanged.
	const b = await makeMember();
	assert.equal((await rsvp(b, ev, 'going', 1)).json.status, 'going');
	assertProblem(await rsvp(b, ev, 'going', 2), 409, 'guests');
	assert.equal((await sql('SELECT guests FROM rsvps WHERE event_id = $1 AND member_id = $2',
	    [ev.id, b.id]))[0].guests, 1);
	// Withdraw: 204, twice.
	assert.equal((await del(`/v1/events/${ev.id}/rsvp`, { token: b.token })).status, 204);
	assert.equal((await del(`/v1/events/${ev.id}/rsvp`, { token: b.token })).status, 204);
	assert.equal((await sql('SELECT count(*)::int AS n FROM rsvps WHERE event_id = $1 AND member_id = $2',
	    [ev.id, b.id]))[0].n, 0);
	assertProblem(await rsvp(b, { id: 999999999999 }), 404);
});

test('waitlist: positions, promotion in order with notifications, capacity changes', async () => {
	const host = await makeMember();
	const ev = await makeEvent(host, { capacity: 3, guest_limit: 2 });
	const m = [];
	for (let i = 0; i < 6; i++) m.push(await makeMember());
	assert.equal((await rsvp(m[0], ev)).json.status, 'going');
	assert.equal((await rsvp(m[1], ev, 'going', 1)).json.status, 'going');
	// Full: the next ones wait, in order.
	let r = await rsvp(m[2], ev, 'going', 2);
	assert.deepEqual(r.json, { response: 'going', status: 'waitlisted', waitlist_position: 1, guests: 2 });
	r = await rsvp(m[3], ev);
	assert.equal(r.json.waitlist_position, 2);
	r = await rsvp(m[4], ev);
	assert.equal(r.json.waitlist_position, 3);
	// Asking again keeps the position.
	assert.equal((await rsvp(m[3], ev)).json.waitlist_position, 2);
	let e = (await get(`/v1/events/${ev.id}`, { token: m[4].token })).json;
	assert.equal(e.waitlist_count, 3);
	assert.equal(e.places_left, 0);
	assert.equal(e.my_rsvp.waitlist_position, 3);

	// m[0] leaves: one place frees, but the head of the waitlist (3
	// places) does not fit, and nobody behind it jumps the queue.
	assert.equal((await del(`/v1/events/${ev.id}/rsvp`, { token: m[0].token })).status, 204);
	e = (await get(`/v1/events/${ev.id}`)).json;
	assert.equal(e.going_count, 1);
	assert.equal(e.waitlist_count, 3);
	assert.equal(e.places_left, 1);
	// A newcomer waits too: strict first come, first served.
	assert.equal((await rsvp(m[5], ev)).json.waitlist_position, 4);

	// m[1] turns maybe: 3 places free: m[2]'s party (3) is promoted, then stop.
	await rsvp(m[1], ev, 'maybe');
	assert.equal((await rsvp(m[2], ev, 'going', 2)).json.status, 'going');
	assert.equal((await get(`/v1/events/${ev.id}`, { token: m[3].token })).json.my_rsvp.waitlist_position, 1);
	const promoted = await notes(m[2], 'rsvp_promoted');
	assert.equal(promoted.length, 1);
	assert.deepEqual(promoted[0].subject, { type: 'event', id: ev.id });
	assert.match(promoted[0].text, new RegExp(ev.title));
	assert.equal((await notes(m[3], 'rsvp_promoted')).length, 0);

	// Capacity up by 2 promotes m[3] and m[4], in order, each notified.
	r = await patch(`/v1/events/${ev.id}`, { capacity: 5 }, { token: host.token });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.going_count, 3);
	assert.equal(r.json.waitlist_count, 1);
	for (const x of [m[3], m[4]]) assert.equal((await notes(x, 'rsvp_promoted')).length, 1);
	assert.equal((await get(`/v1/events/${ev.id}`, { token: m[5].token })).json.my_rsvp.waitlist_position, 1);

	// Capacity down never demotes anyone.
	r = await patch(`/v1/events/${ev.id}`, { capacity: 1 }, { token: host.token });
	assert.equal(r.json.going_count, 3);
	assert.equal(r.json.places_taken, 5);
	assert.equal(r.json.places_left, 0);
	const statuses = await sql(`SELECT member_id, status FROM rsvps WHERE event_id = $1
	    ORDER BY member_id`, [ev.id]);
	assert.deepEqual(statuses.filter((s) => s.status === 'going').map((s) => Number(s.member_id)),
	    [m[2].id, m[3].id, m[4].id].sort((x, y) => x - y));
	// Leaving now frees nothing usable (5 taken > capacity 1): nobody promoted.
	await del(`/v1/events/${ev.id}/rsvp`, { token: m[4].token });
	assert.equal((await get(`/v1/events/${ev.id}`)).json.waitlist_count, 1);
	// Unlimited capacity promotes everyone left.
	r = await patch(`/v1/events/${ev.id}`, { capacity: null }, { token: host.token });
	assert.equal(r.json.waitlist_count, 0);
	assert.equal(r.json.places_left, null);
	assert.equal((await notes(m[5], 'rsvp_promoted')).length, 1);
});

test('cancel: 409 for RSVPs afterwards; everyone with an RSVP notified; reason kept', async () => {
	const w = await world();
	const going = await makeMember();
	const maybe = await makeMember();
	const waiting = await makeMember();
	await patch(`/v1/events/${w.ev.id}`, { capacity: 1 }, { token: w.creator.token });
	await rsvp(going, w.ev);
	await rsvp(maybe, w.ev, 'maybe');
	assert.equal((await rsvp(waiting, w.ev)).json.status, 'waitlisted');
	const r = await post(`/v1/events/${w.ev.id}/cancel`, { reason: 'The branch flooded' },
	    { token: w.orgAdmin.token });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.status, 'cancelled');
	assert.equal(r.json.cancel_reason, 'The branch flooded');
	assert.ok(r.json.cancelled_at);
	assert.equal(r.json.sequence, 2);
	const read = (await get(`/v1/events/${w.ev.id}`)).json;
	assert.equal(read.status, 'cancelled');
	assert.equal(read.cancel_reason, 'The branch flooded');
	for (const who of [going, maybe, waiting]) {
		const n = await notes(who, 'event_cancelled');
		assert.equal(n.length, 1, `no event_cancelled for ${who.id}`);
		assert.deepEqual(n[0].subject, { type: 'event', id: w.ev.id });
		assert.match(n[0].text, /The branch flooded/);
		assert.equal(n[0].read, false);
	}
	assert.equal((await notes(w.other, 'event_cancelled')).length, 0);
	assertProblem(await rsvp(w.other, w.ev), 409);
	assert.equal((await rsvp(w.other, w.ev)).json.code, 'event_cancelled');
	assertProblem(await del(`/v1/events/${w.ev.id}/rsvp`, { token: going.token }), 409);
	assertProblem(await post(`/v1/events/${w.ev.id}/cancel`, {}, { token: w.creator.token }), 409);
	assertProblem(await patch(`/v1/events/${w.ev.id}`, { title: 'x' }, { token: w.creator.token }), 409);
	assertProblem(await post(`/v1/events/${w.ev.id}/invitations`, { member_ids: [w.other.id] },
	    { token: w.creator.token }), 409);
	assert.equal((await sql('SELECT count(*)::int AS n FROM events WHERE id = $1', [w.ev.id]))[0].n, 1);
	// Mark one read through the contract's PATCH.
	const n = (await notes(going, 'event_cancelled'))[0];
	const m = await patch(`/v1/me/notifications/${n.id}`, { read: true }, { token: going.token });
	assert.equal(m.json.read, true);
	// A cancel without a body (Content-Length: 0).
	const ev2 = await makeEvent(w.creator);
	const c2 = await call('POST', `/v1/events/${ev2.id}/cancel`, { token: w.creator.token,
	    rawBody: '', headers: { 'content-length': '0' } });
	assert.equal(c2.status, 200, c2.text);
	assert.equal(c2.json.cancel_reason, null);
});

test('a new time or place notifies everyone going or waitlisted, not the organizer who made it', async () => {
	const w = await world({ capacity: 3, venue: 'Main Library', timezone: 'Europe/Paris' });
	const maybe = await makeMember();
	const notGoing = await makeMember();
	for (const who of [w.creator, w.coOrganizer, w.member]) {
		assert.equal((await rsvp(who, w.ev)).json.status, 'going');
	}
	assert.equal((await rsvp(w.other, w.ev)).json.status, 'waitlisted');
	await rsvp(maybe, w.ev, 'maybe');
	await rsvp(notGoing, w.ev, 'not_going');
	const everyone = [w.creator, w.coOrganizer, w.member, w.other, maybe, notGoing, w.orgAdmin];
	const counts = async () => Promise.all(everyone.map(async (m) =>
	    (await notes(m, 'event_changed')).length));
	const edit = async (who, body) => {
		const r = await patch(`/v1/events/${w.ev.id}`, body, { token: who.token });
		assert.equal(r.status, 200, r.text);
	};

	// Neither time nor place, or the same values again: nobody.
	await edit(w.creator, { title: `Renamed ${uid()}`, description: 'More words',
	    accessibility_notes: 'Step-free', tags: ['x'] });
	await edit(w.creator, { starts_at: w.ev.starts_at, venue: 'Main Library', city: 'Springfield' });
	assert.deepEqual(await counts(), [0, 0, 0, 0, 0, 0, 0]);

	// A new time, by the creator: the others going and the waitlisted.
	await edit(w.creator, { starts_at: at(72), ends_at: at(74) });
	assert.deepEqual(await counts(), [0, 1, 1, 1, 0, 0, 0]);
	const [n] = await notes(w.member, 'event_changed');
	assert.deepEqual(n.subject, { type: 'event', id: w.ev.id });
	assert.match(n.text, /has a new time: \d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d \(Europe\/Paris\)\.$/);
	assert.equal(n.read, false);

	// A new place, by a co-organizer: the creator is told this time.
	await edit(w.coOrganizer, { venue: 'Branch Library', address: '1 Elm Street' });
	assert.deepEqual(await counts(), [1, 1, 2, 2, 0, 0, 0]);
	assert.match((await notes(w.other, 'event_changed'))[0].text,
	    /has a new place: Branch Library, 1 Elm Street, Springfield\.$/);

	// The time zone alone is a new time; the online link alone a new place.
	await edit(w.orgAdmin, { timezone: 'Europe/Berlin' });
	await edit(w.orgAdmin, { online_url: 'https://meet.example.org/storytime' });
	assert.deepEqual(await counts(), [3, 3, 4, 4, 0, 0, 0]);
	// Both at once: one notification.
	await edit(w.creator, { ends_at: at(75), city: 'Shelbyville' });
	assert.deepEqual(await counts(), [3, 4, 5, 5, 0, 0, 0]);
	assert.match((await notes(w.member, 'event_changed'))[0].text, /has a new time and place: .* at Branch Library/);
});

test('past events: RSVP 409 event_ended', async () => {
	const host = await makeMember();
	const ev = await makeEvent(host);
	const a = await makeMember();
	await rsvp(a, ev);
	await moveToPast(ev.id);
	const r = await rsvp(await makeMember(), ev);
	assertProblem(r, 409);
	assert.equal(r.json.code, 'event_ended');
	assertProblem(await rsvp(a, ev, 'not_going'), 409);
	assertProblem(await del(`/v1/events/${ev.id}/rsvp`, { token: a.token }), 409);
	assertProblem(await post(`/v1/events/${ev.id}/cancel`, {}, { token: host.token }), 409);
	assert.equal((await sql('SELECT status FROM rsvps WHERE event_id = $1', [ev.id]))[0].status, 'going');
});

test('RSVP list: organizers see all, going members see going, others counts; CSV for organizers', async () => {
	const w = await world({ capacity: 2, guest_limit: 1 });
	const g1 = await makeMember({ display_name: '=HYPERLINK("http://evil.example")' });
	const g2 = await makeMember({ display_name: 'Ann "Nan" Lee, MLIS' });
	const wl = await makeMember();
	const mb = await makeMember();
	await rsvp(g1, w.ev);
	await rsvp(g2, w.ev);
	await rsvp(wl, w.ev);
	await rsvp(mb, w.ev, 'maybe');
	const counts = { going_count: 2, guest_count: 0, waitlist_count: 1, maybe_count: 1, not_going_count: 0 };

	const org = await get(`/v1/events/${w.ev.id}/rsvps`, { token: w.coOrganizer.token });
	assert.equal(org.status, 200, org.text);
	assert.equal(org.json.view, 'organizer');
	for (const [k, v] of Object.entries(counts)) assert.equal(org.json[k], v, k);
	assert.deepEqual(org.json.data.map((x) => [x.member.id, x.status, x.waitlist_position]),
	    [[g1.id, 'going', null], [g2.id, 'going', null], [wl.id, 'waitlisted', 1], [mb.id, 'maybe', null]]);
	const only = await get(`/v1/events/${w.ev.id}/rsvps?status=waitlisted`, { token: w.orgAdmin.token });
	assert.deepEqual(only.json.data.map((x) => x.member.id), [wl.id]);
	// Keyset pages.
	const p1 = await get(`/v1/events/${w.ev.id}/rsvps?limit=3`, { token: w.creator.token });
	assert.equal(p1.json.data.length, 3);
	assert.match(p1.headers.get('link'), /rel="next"/);
	const p2 = await get(`/v1/events/${w.ev.id}/rsvps?limit=3&cursor=${p1.json.next_cursor}`,
	    { token: w.creator.token });
	assert.deepEqual(p2.json.data.map((x) => x.member.id), [mb.id]);
	assert.equal(p2.json.next_cursor, null);

	const going = await get(`/v1/events/${w.ev.id}/rsvps`, { token: g2.token });
	assert.equal(going.json.view, 'going');
	assert.deepEqual(going.json.data, [{ member: { id: g1.id, display_name: g1.display_name } },
	    { member: { id: g2.id, display_name: g2.display_name } }]);
	assert.ok(!going.text.includes(wl.display_name) && !going.text.includes(mb.display_name));
	for (const opt of [{}, { token: wl.token }, { token: mb.token }, { token: w.other.token }]) {
		const c = await get(`/v1/events/${w.ev.id}/rsvps`, opt);
		assert.equal(c.status, 200, c.text);
		assert.equal(c.json.view, 'counts');
		assert.equal(c.json.data, null);
		for (const [k, v] of Object.entries(counts)) assert.equal(c.json[k], v, k);
		assert.ok(!c.text.includes(g1.display_name) && !c.text.includes('"member"'));
		assertProblem(await get(`/v1/events/${w.ev.id}/rsvps?status=going`, opt), 403);
	}

	// CSV: organizers only.
	const csv = await get(`/v1/events/${w.ev.id}/rsvps`,
	    { token: w.creator.token, headers: { accept: 'text/csv, application/json;q=0.5' } });
	assert.equal(csv.status, 200, csv.text);
	assert.match(csv.headers.get('content-type'), /^text\/csv/);
	assert.match(csv.headers.get('content-disposition'), new RegExp(`event-${w.ev.id}-rsvps\\.csv`));
	const rows = parseCsv(csv.text);
	assert.deepEqual(rows[0], ['member_id', 'display_name', 'response', 'status',
	    'waitlist_position', 'guests', 'requested_at', 'attended', 'signups']);
	assert.equal(rows.length, 5);
	assert.deepEqual(rows.slice(1).map((x) => [Number(x[0]), x[3], x[4]]),
	    [[g1.id, 'going', ''], [g2.id, 'going', ''], [wl.id, 'waitlisted', '1'], [mb.id, 'maybe', '']]);
	// Formula injection is defused; quotes and commas survive.
	assert.equal(rows[1][1], `'${g1.display_name}`);
	assert.equal(rows[2][1], g2.display_name);
	assert.ok(csv.text.endsWith('\r\n'));
	// JSON preferred, or only wildcards: JSON.
	for (const accept of ['application/json, text/csv;q=0.5', '*/*', 'text/*']) {
		const j = await get(`/v1/events/${w.ev.id}/rsvps`, { token: w.creator.token, headers: { accept } });
		assert.match(j.headers.get('content-type'), /^application\/json/, accept);
	}
	for (const [who, status] of [[null, 401], [g1, 403], [w.other, 403]]) {
		const r = await get(`/v1/events/${w.ev.id}/rsvps`,
		    { ...(who ? { token: who.token } : {}), headers: { accept: 'text/csv' } });
		assertProblem(r, status);
		assert.ok(!r.text.includes(g2.display_name));
	}
});

function parseCsv(text) {
	const rows = [];
	let row = [], field = '', q = false;
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		if (q) {
			if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
			else if (c === '"') q = false;
			else field += c;
		} else if (c === '"') q = true;
		else if (c === ',') { row.push(field); field = ''; }
		else if (c === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; }
		else field += c;
	}
	assert.equal(field, '', 'the CSV does not end with CRLF');
	return rows;
}

test('attendance: only after the start; advocacy pledged and attended counts', async () => {
	const w = await world({ kind: 'advocacy', target: 'Springfield City Council budget hearing',
	    talking_points: 'Libraries return $5 for every $1.', capacity: null });
	assert.equal(w.ev.pledged_count, 0);
	assert.equal(w.ev.attended_count, null);
	assert.equal(w.ev.target, 'Springfield City Council budget hearing');
	const a = await makeMember();
	const b = await makeMember();
	const walkIn = await makeMember();
	await rsvp(a, w.ev);
	await rsvp(b, w.ev);
	assert.equal((await get(`/v1/events/${w.ev.id}`)).json.pledged_count, 2);
	const rec = { records: [{ member_id: a.id, attended: true }] };
	const early = await post(`/v1/events/${w.ev.id}/attendance`, rec, { token: w.creator.token });
	assertProblem(early, 409);
	assert.equal(early.json.code, 'not_started');
	// Started (an hour ago), not ended: attendance may be recorded.
	await sql(`UPDATE events SET starts_at = now() - interval '1 hour',
	    ends_at = now() + interval '1 hour' WHERE id = $1`, [w.ev.id]);
	const r = await post(`/v1/events/${w.ev.id}/attendance`, { records: [
	    { member_id: a.id, attended: true }, { member_id: b.id, attended: false },
	    { member_id: walkIn.id, attended: true }] }, { token: w.coOrganizer.token });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.attended_count, 2);
	assert.equal(r.json.absent_count, 1);
	assert.deepEqual(r.json.records.map((x) => [x.member.id, x.attended]),
	    [[a.id, true], [b.id, false], [walkIn.id, true]]);
	let e = (await get(`/v1/events/${w.ev.id}`)).json;
	assert.equal(e.pledged_count, 2);
	assert.equal(e.attended_count, 2);
	// Upsert: b came after all.
	const r2 = await post(`/v1/events/${w.ev.id}/attendance`,
	    { records: [{ member_id: b.id, attended: true }] }, { token: w.orgAdmin.token });
	assert.equal(r2.json.attended_count, 3);
	assert.equal(r2.json.absent_count, 0);
	e = (await get(`/v1/events/${w.ev.id}`)).json;
	assert.equal(e.attended_count, 3);
	// Bad records.
	assertProblem(await post(`/v1/events/${w.ev.id}/attendance`, { records: [] },
	    { token: w.creator.token }), 400, 'records');
	assertProblem(await post(`/v1/events/${w.ev.id}/attendance`,
	    { records: [{ member_id: 999999999999, attended: true }] }, { token: w.creator.token }),
	    400, 'records[0].member_id');
	assertProblem(await post(`/v1/events/${w.ev.id}/attendance`, { records: [
	    { member_id: a.id, attended: true }, { member_id: a.id, attended: false }] },
	    { token: w.creator.token }), 400, 'records[0].member_id');
	assertProblem(await post(`/v1/events/${w.ev.id}/attendance`,
	    { records: [{ member_id: a.id }] }, { token: w.creator.token }), 400, 'records[0].attended');
	assertProblem(await post(`/v1/events/${w.ev.id}/attendance`, rec, { token: a.token }), 403);
	// A recap once started.
	const rc = await patch(`/v1/events/${w.ev.id}`, { recap: '42 of us spoke; the cut was reversed.' },
	    { token: w.creator.token });
	assert.equal(rc.status, 200, rc.text);
	assert.equal(rc.json.recap, '42 of us spoke; the cut was reversed.');
	// The CSV carries attendance.
	const csv = await get(`/v1/events/${w.ev.id}/rsvps`, { token: w.creator.token,
	    headers: { accept: 'text/csv' } });
	const rows = parseCsv(csv.text);
	assert.deepEqual(rows.slice(1).map((x) => x[7]), ['t', 't']);
	// Non-advocacy events have no counts.
	const plain = await makeEvent(w.creator);
	assert.equal(plain.pledged_count, null);
	assert.equal(plain.attended_count, null);
	assert.equal(plain.target, null);
});

// A past event where a and b both went (recorded by its organizer).
async function meetAt(host, people, absent = []) {
	const ev = await makeEvent(host, { title: `Reader advisory roundtable ${uid()}` });
	for (const p of [...people, ...absent]) assert.equal((await rsvp(p, ev)).status, 200);
	await moveToPast(ev.id);
	const r = await post(`/v1/events/${ev.id}/attendance`, { records: [
	    ...people.map((p) => ({ member_id: p.id, attended: true })),
	    ...absent.map((p) => ({ member_id: p.id, attended: false }))] }, { token: host.token });
	assert.equal(r.status, 200, r.text);
	return ev;
}

test('invitations: consent, results, reasons, inbox, answers', async () => {
	const sender = await makeMember({ display_name: `Sender ${uid()}` });
	const host = await makeMember();
	const orgAdmin = await makeMember();
	const org = await makeOrg(orgAdmin, { name: `Central Library ${uid()}` });
	await addToOrg(org, orgAdmin, sender);
	const anyone = await makeMember({ invitations: 'anyone' });
	const sameOrg = await makeMember();	// default: organizations
	await addToOrg(org, orgAdmin, sameOrg);
	const stranger = await makeMember();	// organizations, no shared org
	const nobody = await makeMember({ invitations: 'nobody' });
	await addToOrg(org, orgAdmin, nobody);
	const metHer = await makeMember({ invitations: 'met' });
	const notMet = await makeMember({ invitations: 'met' });
	await addToOrg(org, orgAdmin, notMet);	// sharing an org is not meeting
	const absent = await makeMember({ invitations: 'met' });
	const suspended = await makeMember({ invitations: 'anyone', suspended_at: new Date() });
	const past = await meetAt(host, [sender, metHer], [absent]);

	const ev = await makeEvent(host, { title: `Makerspace night ${uid()}` });
	const ids = [anyone.id, sameOrg.id, stranger.id, nobody.id, metHer.id, notMet.id, absent.id,
	    suspended.id, sender.id, 999999999999];
	const r = await post(`/v1/events/${ev.id}/invitations`, { member_ids: ids }, { token: sender.token });
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json.results, [
		{ member_id: anyone.id, result: 'invited' },
		{ member_id: sameOrg.id, result: 'invited' },
		{ member_id: stranger.id, result: 'not_accepting' },
		{ member_id: nobody.id, result: 'not_accepting' },
		{ member_id: metHer.id, result: 'invited' },
		{ member_id: notMet.id, result: 'not_accepting' },
		{ member_id: absent.id, result: 'not_accepting' },
		{ member_id: suspended.id, result: 'not_accepting' },
		{ member_id: sender.id, result: 'not_accepting' },
		{ member_id: 999999999999, result: 'not_found' },
	]);
	assert.equal(r.json.remaining, 197);
	// Already invited, by anyone.
	const again = await post(`/v1/events/${ev.id}/invitations`, { member_ids: [anyone.id] },
	    { token: host.token });
	assert.deepEqual(again.json.results, [{ member_id: anyone.id, result: 'already_invited' }]);

	const inbox = async (who) => (await get('/v1/me/invitations', { token: who.token })).json.data;
	const [ia] = await inbox(anyone);
	assert.equal(ia.event.id, ev.id);
	assert.equal(ia.sender.id, sender.id);
	assert.equal(ia.status, 'pending');
	assert.equal(ia.reason, 'open to invitations from anyone');
	assert.equal((await inbox(sameOrg))[0].reason, `you both belong to ${org.name}`);
	assert.match((await inbox(metHer))[0].reason, new RegExp(`^you both went to ${past.title} on \\d{1,2} [A-Z][a-z]{2}`));
	assert.deepEqual(await inbox(stranger), []);
	// The notification, with the reason.
	const n = await notes(sameOrg, 'invitation_received');
	assert.equal(n.length, 1);
	assert.deepEqual(n[0].subject, { type: 'invitation', id: (await inbox(sameOrg))[0].id });
	assert.match(n[0].text, new RegExp(`${sender.display_name} invited you to ${ev.title}`));

	// Answers: accepted makes an RSVP going; declined; someone else's: 404.
	const acc = await patch(`/v1/me/invitations/${ia.id}`, { status: 'accepted' }, { token: anyone.token });
	assert.equal(acc.status, 200, acc.text);
	assert.equal(acc.json.status, 'accepted');
	assert.ok(acc.json.responded_at);
	assert.deepEqual(acc.json.rsvp, { response: 'going', status: 'going', waitlist_position: null, guests: 0 });
	assert.equal((await get(`/v1/events/${ev.id}`)).json.going_count, 1);
	const same = await patch(`/v1/me/invitations/${ia.id}`, {}, { token: anyone.token });
	assert.equal(same.status, 200, same.text);
	assert.equal(same.json.rsvp.status, 'going');
	assertProblem(await patch(`/v1/me/invitations/${ia.id}`, { status: 'declined' },
	    { token: sameOrg.token }), 404);
	assertProblem(await patch(`/v1/me/invitations/${ia.id}`, { status: 'maybe' },
	    { token: anyone.token }), 400, 'status');
	assertProblem(await patch(`/v1/me/invitations/${ia.id}`, { reason: 'x' },
	    { token: anyone.token }), 400, 'reason');
	const is = (await inbox(sameOrg))[0];
	const dec = await patch(`/v1/me/invitations/${is.id}`, { status: 'declined' }, { token: sameOrg.token });
	assert.equal(dec.json.status, 'declined');
	assert.equal(dec.json.rsvp, null);
	const filtered = await get('/v1/me/invitations?status=pending', { token: sameOrg.token });
	assert.deepEqual(filtered.json.data, []);
	// Spam is final.
	const im = (await inbox(metHer))[0];
	assert.equal((await patch(`/v1/me/invitations/${im.id}`, { status: 'reported_spam' },
	    { token: metHer.token })).json.status, 'reported_spam');
	assertProblem(await patch(`/v1/me/invitations/${im.id}`, { status: 'accepted' },
	    { token: metHer.token }), 409);
	// 1..50 ids.
	assertProblem(await post(`/v1/events/${ev.id}/invitations`, { member_ids: [] },
	    { token: sender.token }), 400, 'member_ids');
	assertProblem(await post(`/v1/events/${ev.id}/invitations`,
	    { member_ids: Array.from({ length: 51 }, (_, i) => i + 1) }, { token: sender.token }),
	    400, 'member_ids');
	assertProblem(await post(`/v1/events/${ev.id}/invitations`, { member_ids: [0] },
	    { token: sender.token }), 400, 'member_ids[0]');
	assertProblem(await post('/v1/events/999999999999/invitations', { member_ids: [anyone.id] },
	    { token: sender.token }), 404);
	// Ended events take no invitations.
	assertProblem(await post(`/v1/events/${past.id}/invitations`, { member_ids: [anyone.id] },
	    { token: sender.token }), 409);
	// Inbox keyset pages with Link.
	const ev2 = await makeEvent(host);
	const ev3 = await makeEvent(host);
	await post(`/v1/events/${ev2.id}/invitations`, { member_ids: [anyone.id] }, { token: sender.token });
	await post(`/v1/events/${ev3.id}/invitations`, { member_ids: [anyone.id] }, { token: sender.token });
	const p1 = await get('/v1/me/invitations?limit=2', { token: anyone.token });
	assert.deepEqual(p1.json.data.map((i) => i.event.id), [ev3.id, ev2.id]);
	assert.match(p1.headers.get('link'), /cursor=.*rel="next"/);
	const p2 = await get(`/v1/me/invitations?limit=2&cursor=${p1.json.next_cursor}`, { token: anyone.token });
	assert.deepEqual(p2.json.data.map((i) => i.event.id), [ev.id]);
	assert.equal(p2.json.next_cursor, null);
});

test('invitation reasons never reveal hidden affiliations', async () => {
	const orgAdmin = await makeMember();
	const secret = await makeOrg(orgAdmin, { name: `Hidden Branch ${uid()}` });
	const sender = await makeMember({ visibility_affiliations: 'private' });
	const to = await makeMember();
	await addToOrg(secret, orgAdmin, sender);
	await addToOrg(secret, orgAdmin, to);
	const ev = await makeEvent(sender);
	const r = await post(`/v1/events/${ev.id}/invitations`, { member_ids: [to.id] }, { token: sender.token });
	assert.deepEqual(r.json.results, [{ member_id: to.id, result: 'invited' }]);
	const [inv] = (await get('/v1/me/invitations', { token: to.token })).json.data;
	assert.equal(inv.reason, 'you both belong to one of your organizations');
	assert.ok(!JSON.stringify(inv).includes(secret.name));
	const [n] = await notes(to, 'invitation_received');
	assert.match(n.text, /you both belong to one of your organizations/);
	assert.ok(!n.text.includes(secret.name));
});

test('invitations: 200 per rolling 24 hours, all or nothing, 429 with Retry-After', async () => {
	const sender = await makeMember();
	const ev = await makeEvent(sender);
	// 195 invitations sent 23 hours ago (to 195 fresh members, at another event).
	const other = await makeEvent(sender);
	await sql(`WITH m AS (
	    INSERT INTO members (email, display_name, password_hash)
	    SELECT 'cap-' || $2 || '-' || i || '@example.org', 'Cap ' || i, 'x'
	    FROM generate_series(1, 195) i RETURNING id)
	    INSERT INTO invitations (event_id, sender_id, recipient_id, reason, created_at)
	    SELECT $1, $3, id, 'open to invitations from anyone', now() - interval '23 hours' FROM m`,
	    [other.id, uid(), sender.id]);
	const to = [];
	for (let i = 0; i < 6; i++) to.push(await makeMember({ invitations: 'anyone' }));
	const count = async () => (await sql('SELECT count(*)::int AS n FROM invitations WHERE sender_id = $1',
	    [sender.id]))[0].n;
	const r = await post(`/v1/events/${ev.id}/invitations`, { member_ids: to.map((m) => m.id) },
	    { token: sender.token });
	assertProblem(r, 429);
	assert.equal(r.json.code, 'rate_limited');
	const retry = Number(r.headers.get('retry-after'));
	assert.ok(retry > 3500 && retry <= 3600, `Retry-After ${retry}`);
	assert.equal(await count(), 195, 'a refused request sent invitations');
	for (const m of to) assert.equal((await notes(m)).length, 0);
	// Non-invited results do not count: 5 invited + 1 already invited later.
	const ok = await post(`/v1/events/${ev.id}/invitations`, { member_ids: to.slice(0, 5).map((m) => m.id) },
	    { token: sender.token });
	assert.equal(ok.status, 200, ok.text);
	assert.equal(ok.json.remaining, 0);
	const dup = await post(`/v1/events/${ev.id}/invitations`, { member_ids: [to[0].id] },
	    { token: sender.token });
	assert.equal(dup.status, 200, dup.text);
	assert.deepEqual(dup.json.results, [{ member_id: to[0].id, result: 'already_invited' }]);
	const last = await post(`/v1/events/${ev.id}/invitations`, { member_ids: [to[5].id] },
	    { token: sender.token });
	assertProblem(last, 429);
	assert.equal(await count(), 200);
	// Once the oldest are more than 24 hours old, there is room again.
	await sql(`UPDATE invitations SET created_at = now() - interval '25 hours'
	    WHERE sender_id = $1 AND event_id = $2`, [sender.id, other.id]);
	const later = await post(`/v1/events/${ev.id}/invitations`, { member_ids: [to[5].id] },
	    { token: sender.token });
	assert.equal(later.status, 200, later.text);
	assert.equal(later.json.remaining, 194);
});

test('spam: 3 open reports from 3 members suspend the sender\'s invitations', async () => {
	const sender = await makeMember();
	const ev = await makeEvent(sender);
	const to = [];
	for (let i = 0; i < 5; i++) to.push(await makeMember({ invitations: 'anyone' }));
	const r = await post(`/v1/events/${ev.id}/invitations`, { member_ids: to.slice(0, 4).map((m) => m.id) },
	    { token: sender.token });
	assert.equal(r.status, 200);
	const report = async (m) => {
		const [inv] = (await get('/v1/me/invitations', { token: m.token })).json.data;
		const x = await patch(`/v1/me/invitations/${inv.id}`, { status: 'reported_spam' }, { token: m.token });
		assert.equal(x.status, 200, x.text);
	};
	await report(to[0]);
	await report(to[1]);
	// Two reports: still allowed.
	const ev2 = await makeEvent(sender);
	assert.equal((await post(`/v1/events/${ev2.id}/invitations`, { member_ids: [to[4].id] },
	    { token: sender.token })).status, 200);
	await report(to[2]);
	const ev3 = await makeEvent(sender);
	const blocked = await post(`/v1/events/${ev3.id}/invitations`, { member_ids: [to[3].id] },
	    { token: sender.token });
	assertProblem(blocked, 403);
	assert.equal(blocked.json.code, 'invitations_suspended');
	assert.equal((await sql('SELECT count(*)::int AS n FROM invitations WHERE event_id = $1',
	    [ev3.id]))[0].n, 0);
	// The sender's export never shows the reports.
	const ex = await get('/v1/me/export', { token: sender.token });
	assert.ok(ex.json.invitations_sent.every((i) => i.status !== 'reported_spam'));
	// Each mark is a report in the site admins' queue, by its recipient.
	const admin = await makeMember({ role: 'admin' });
	const marked = (await sql(`SELECT id, recipient_id FROM invitations WHERE sender_id = $1
	    AND status = 'reported_spam' ORDER BY id`, [sender.id]));
	assert.equal(marked.length, 3);
	const queue = [];
	for (let url = '/v1/reports?status=open&subject_type=invitation&limit=100'; url;) {
		const page = await get(url, { token: admin.token });
		assert.equal(page.status, 200, page.text);
		queue.push(...page.json.data);
		url = page.json.next_cursor ? `/v1/reports?status=open&subject_type=invitation&limit=100&cursor=${page.json.next_cursor}` : null;
	}
	const mine = queue.filter((x) => marked.some((i) => Number(i.id) === x.subject.id));
	assert.deepEqual(mine.map((x) => [x.subject.id, x.reporter.id]).sort(),
	    marked.map((i) => [Number(i.id), Number(i.recipient_id)]).sort());
	for (const x of mine) {
		assert.equal(x.status, 'open');
		assert.match(x.reason, new RegExp(`^Marked as spam by its recipient: an invitation from .* \\(member ${sender.id}\\) to "${ev.title}"`));
	}
	// Marking again makes no second report; a report of the same
	// invitation made before the mark stands for it.
	const [again] = (await get('/v1/me/invitations', { token: to[0].token })).json.data;
	assert.equal((await patch(`/v1/me/invitations/${again.id}`, { status: 'reported_spam' },
	    { token: to[0].token })).status, 200);
	const [i4] = (await get('/v1/me/invitations', { token: to[3].token })).json.data;
	const pre = await post('/v1/reports', { subject_type: 'invitation', subject_id: i4.id,
	    reason: 'Spam, I think' }, { token: to[3].token });
	assert.equal(pre.status, 201, pre.text);
	assert.equal((await patch(`/v1/me/invitations/${i4.id}`, { status: 'reported_spam' },
	    { token: to[3].token })).status, 200);
	const count = async (id) => (await sql(`SELECT count(*)::int AS n FROM reports
	    WHERE subject_type = 'invitation' AND subject_id = $1`, [id]))[0].n;
	assert.equal(await count(again.id), 1);
	assert.equal(await count(i4.id), 1);
	// A site admin resolves them through the queue: the sender may invite again.
	for (const x of [...mine, pre.json]) {
		const res = await patch(`/v1/reports/${x.id}`, { status: 'resolved' }, { token: admin.token });
		assert.equal(res.status, 200, res.text);
	}
	assert.equal((await post(`/v1/events/${ev3.id}/invitations`, { member_ids: [to[3].id] },
	    { token: sender.token })).status, 200);
});

test('invitations: at most 3 a day from one sender to one recipient, under concurrent requests too', async () => {
	const sender = await makeMember();
	const to = await makeMember({ invitations: 'anyone' });
	const bystander = await makeMember({ invitations: 'anyone' });
	const evs = [];
	for (let i = 0; i < 8; i++) evs.push(await makeEvent(sender));
	// Eight requests at once, one event each.
	const rs = await Promise.all(evs.map((ev) => post(`/v1/events/${ev.id}/invitations`,
	    { member_ids: [to.id] }, { token: sender.token })));
	for (const r of rs) assert.equal(r.status, 200, r.text);
	const results = rs.map((r) => r.json.results[0].result).sort();
	assert.deepEqual(results, ['invited', 'invited', 'invited', 'not_accepting',
	    'not_accepting', 'not_accepting', 'not_accepting', 'not_accepting']);
	// The refused ones were sent to nobody and do not count toward the 200.
	assert.equal(Math.min(...rs.map((r) => r.json.remaining)), 197);
	assert.equal((await sql('SELECT count(*)::int AS n FROM invitations WHERE sender_id = $1',
	    [sender.id]))[0].n, 3);
	assert.equal((await notes(to, 'invitation_received')).length, 3);
	// Another recipient is another count.  A ninth event: any of the eight
	// may be one of the three that invited the recipient already.
	const spare = await makeEvent(sender);
	const other = await post(`/v1/events/${spare.id}/invitations`,
	    { member_ids: [bystander.id, to.id] }, { token: sender.token });
	assert.deepEqual(other.json.results, [{ member_id: bystander.id, result: 'invited' },
	    { member_id: to.id, result: 'not_accepting' }]);
	assert.equal(other.json.remaining, 196);
	// A rolling day: once the first are older than 24 hours, room again.
	await sql(`UPDATE invitations SET created_at = now() - interval '25 hours'
	    WHERE sender_id = $1 AND recipient_id = $2`, [sender.id, to.id]);
	const later = await post(`/v1/events/${spare.id}/invitations`, { member_ids: [to.id] },
	    { token: sender.token });
	assert.deepEqual(later.json.results, [{ member_id: to.id, result: 'invited' }]);
});

test('list: from, to, organization (id and slug), kind, city, tag, q; keyset pages with Link', async () => {
	const admin = await makeMember();
	const org = await makeOrg(admin);
	const city = `Ogdenville ${uid()}`;
	const word = `zq${uid()}`;
	const tag = `t${uid()}`;
	const mk = (h, fields) => makeEvent(admin, { city, starts_at: at(h), ends_at: at(h + 2), ...fields });
	const e1 = await mk(24, { kind: 'training', tags: [tag], organization: org.id });
	const e2 = await mk(48, { title: `Budget ${word} hearing`, kind: 'advocacy' });
	const e3 = await mk(72, { tags: [tag.toUpperCase()] });
	const e4 = await mk(96, { organization: org.slug, description: `Bring ${word}s` });
	const e5 = await mk(24 * 30, { kind: 'training' });
	const old = await mk(24, {});
	await moveToPast(old.id, 72);
	const running = await mk(24, {});
	await sql(`UPDATE events SET starts_at = now() - interval '1 hour', ends_at = now() + interval '1 hour'
	    WHERE id = $1`, [running.id]);
	const ids = async (qs, opt) => {
		const r = await get(`/v1/events?city=${encodeURIComponent(city)}&limit=100${qs}`, opt);
		assert.equal(r.status, 200, r.text);
		return r.json.data.map((e) => e.id);
	};
	// Upcoming by default: events not yet ended, in start order.
	assert.deepEqual(await ids(''), [running.id, e1.id, e2.id, e3.id, e4.id, e5.id]);
	assertProblem(await get(`/v1/events?city=a&city=b`), 400, 'city');
	assert.deepEqual(await ids(`&from=${encodeURIComponent(at(-24 * 4))}`),
	    [old.id, running.id, e1.id, e2.id, e3.id, e4.id, e5.id]);
	assert.deepEqual(await ids(`&to=${encodeURIComponent(at(60))}`), [running.id, e1.id, e2.id]);
	assert.deepEqual(await ids(`&from=${encodeURIComponent(at(30))}&to=${encodeURIComponent(at(80))}`),
	    [e2.id, e3.id]);
	assert.deepEqual(await ids(`&organization=${org.id}`), [e1.id, e4.id]);
	assert.deepEqual(await ids(`&organization=${org.slug}`), [e1.id, e4.id]);
	assert.deepEqual(await ids('&kind=training'), [e1.id, e5.id]);
	assert.deepEqual(await ids(`&tag=${tag}`), [e1.id, e3.id]);
	assert.deepEqual(await ids(`&tag=${tag.toUpperCase()}`), [e1.id, e3.id]);
	assert.deepEqual(await ids(`&q=${word}`), [e2.id, e4.id]);
	assert.deepEqual(await ids(`&q=${word.slice(0, -2)}&kind=advocacy`), [e2.id]);
	const byCity = await get(`/v1/events?city=${encodeURIComponent(city.toUpperCase())}`);
	assert.equal(byCity.json.data.length, 6, 'city is case-insensitive');

	// Keyset pages of 2: no gaps, no repeats, Link until the last page.
	const seen = [];
	let url = `/v1/events?city=${encodeURIComponent(city)}&limit=2`;
	for (let page = 0; page < 5 && url; page++) {
		const r = await get(url);
		seen.push(...r.json.data.map((e) => e.id));
		const link = r.headers.get('link');
		if (r.json.next_cursor) {
			const m = /^<([^>]+)>; rel="next"$/.exec(link);
			assert.ok(m, link);
			const next = new URL(m[1]);
			assert.equal(next.searchParams.get('cursor'), r.json.next_cursor);
			assert.equal(next.searchParams.get('city'), city);
			url = next.pathname + next.search;
		} else {
			assert.equal(link, null);
			url = null;
		}
	}
	assert.deepEqual(seen, [running.id, e1.id, e2.id, e3.id, e4.id, e5.id]);
	// my_rsvp for a signed-in caller.
	const m = await makeMember();
	await rsvp(m, e2);
	const mine = await get(`/v1/events?city=${encodeURIComponent(city)}&kind=advocacy`, { token: m.token });
	assert.equal(mine.json.data[0].my_rsvp.status, 'going');
	assert.equal(mine.json.data[0].pledged_count, 1);
});

test('export: events organized, RSVPs, attendance, invitations received and sent', async () => {
	const host = await makeMember();
	const me = await makeMember({ invitations: 'anyone' });
	const ev = await makeEvent(host);
	await post(`/v1/events/${ev.id}/invitations`, { member_ids: [me.id] }, { token: host.token });
	await rsvp(me, ev, 'maybe');
	const past = await meetAt(host, [me]);
	const mine = await makeEvent(me);
	const ex = await get('/v1/me/export', { token: me.token });
	assert.equal(ex.status, 200, ex.text);
	assert.deepEqual(ex.json.events_organized.map((e) => e.id), [mine.id]);
	assert.deepEqual(ex.json.rsvps.map((r) => [r.event.id, r.status]),
	    [[ev.id, 'maybe'], [past.id, 'going']]);
	assert.deepEqual(ex.json.attendance.map((a) => [a.event.id, a.attended]), [[past.id, true]]);
	assert.deepEqual(ex.json.invitations_received.map((i) => i.event.id), [ev.id]);
	assert.deepEqual(ex.json.invitations_sent, []);
	const hx = await get('/v1/me/export', { token: host.token });
	assert.deepEqual(hx.json.invitations_sent.map((i) => [i.recipient.id, i.status]), [[me.id, 'pending']]);
	assert.deepEqual(hx.json.events_organized.map((e) => e.id), [ev.id, past.id]);
});

test('deleting an account withdraws its RSVPs and promotes the waitlist', async () => {
	const host = await makeMember();
	const ev = await makeEvent(host, { capacity: 1 });
	const leaver = await makeMember();
	const next = await makeMember();
	await rsvp(leaver, ev);
	assert.equal((await rsvp(next, ev)).json.status, 'waitlisted');
	assert.equal((await del('/v1/me', { token: leaver.token })).status, 204);
	const e = (await get(`/v1/events/${ev.id}`, { token: next.token })).json;
	assert.equal(e.my_rsvp.status, 'going');
	assert.equal((await notes(next, 'rsvp_promoted')).length, 1);
});

// The list without filters reads its rows from the stored documents, which
// carry each event's time, kind and hiding (sql/migrations/0120); a
// filter reads the events themselves.  Both must always agree: after the
// event is moved, made advocacy and hidden, a page without filters is
// byte for byte the page with a filter that keeps everything (to, far
// ahead), for an organizer and for anyone else, first pages, keyset pages
// and events under way at `from` alike.
test('the list without filters follows an event moved, changed and hidden', async () => {
	const host = await makeMember();
	const stranger = await makeMember();
	const admin = await makeMember({ role: 'admin' });
	// A stretch of time no other test uses (as the RSVP burst test does).
	const base = Date.now() + (24 * 500 + Math.floor(Math.random() * 5000)) * HOUR;
	const iso = (h) => new Date(base + h * HOUR).toISOString().replace(/\.\d+Z$/, 'Z');
	const mk = (h, fields = {}) => makeEvent(host, { starts_at: iso(h), ends_at: iso(h + 2),
	    ...fields });
	const a = await mk(0, { title: `Moving ${uid()}` });
	const b = await mk(5);
	const c = await mk(10);
	await rsvp(stranger, c, 'maybe');
	const far = encodeURIComponent(iso(24 * 365 * 20));
	// Two pages (of two) from `from`, without filters and with one: the same
	// rows in the same bytes (each walks its own cursor, which names its
	// filters).  Returns the rows of the first page and the ids of both
	// pages among a, b and c.
	const walk = async (who, from, limit = 2) => {
		const opt = { token: who.token };
		const shapes = [`from=${encodeURIComponent(from)}`,
		    `from=${encodeURIComponent(from)}&to=${far}`];
		const pages = [];
		for (const qs of shapes) {
			const got = [];
			let cursor = null;
			for (let n = 0; n < 2; n++) {
				const r = await get(`/v1/events?limit=${limit}&${qs}${cursor ? `&cursor=${cursor}` : ''}`, opt);
				assert.equal(r.status, 200, r.text);
				got.push(r.text.slice(0, r.text.lastIndexOf('], "next_cursor"')), r.json.data);
				cursor = r.json.next_cursor;
				if (!cursor) break;
			}
			pages.push(got);
		}
		assert.deepEqual(pages[0], pages[1]);
		const rows = pages[0].filter((x) => Array.isArray(x)).flat();
		return { first: pages[0][1], ids: rows.map((e) => e.id)
		    .filter((id) => [a.id, b.id, c.id].includes(id)) };
	};
	const page = async (who, from, limit) => (await walk(who, from, limit)).first;
	const ids = async (who, from) => (await walk(who, from)).ids;
	assert.deepEqual(await ids(stranger, iso(0)), [a.id, b.id, c.id]);
	assert.equal((await page(stranger, iso(10)))[0].my_rsvp.response, 'maybe');

	// Moved after b: read at its new place, with its new times.
	const moved = await patch(`/v1/events/${a.id}`, { starts_at: iso(7), ends_at: iso(9) },
	    { token: host.token });
	assert.equal(moved.status, 200, moved.text);
	assert.deepEqual(await ids(stranger, iso(0)), [b.id, a.id, c.id]);
	assert.equal((await page(stranger, iso(7))).find((e) => e.id === a.id).starts_at, iso(7));
	// Under way at `from`: read from the ongoing branch.
	assert.deepEqual(await ids(stranger, iso(8)), [a.id, c.id]);

	// Made advocacy and started: the attendance count is shown.
	const kind = await patch(`/v1/events/${a.id}`, { kind: 'advocacy' }, { token: host.token });
	assert.equal(kind.status, 200, kind.text);
	const [{ started }] = await sql(`UPDATE events
	    SET starts_at = date_trunc('second', now()) - interval '1 hour',
	        ends_at = date_trunc('second', now()) + interval '1 hour'
	    WHERE id = $1 RETURNING to_char(starts_at AT TIME ZONE 'UTC',
	        'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS started`, [a.id]);
	// (Other tests' events may be under way then too.)
	const shown = (await page(stranger, started, 100)).find((e) => e.id === a.id);
	assert.equal(shown.attended_count, 0);
	await sql(`UPDATE events SET starts_at = $2, ends_at = $3 WHERE id = $1`,
	    [a.id, iso(7), iso(9)]);

	// Hidden (a report resolved): gone for others, still listed for its host.
	const report = await post('/v1/reports', { subject_type: 'event', subject_id: a.id,
	    reason: 'spam' }, { token: stranger.token });
	assert.equal(report.status, 201, report.text);
	const done = await patch(`/v1/reports/${report.json.id}`,
	    { status: 'resolved', hide_subject: true }, { token: admin.token });
	assert.equal(done.status, 200, done.text);
	assert.deepEqual(await ids(stranger, iso(0)), [b.id, c.id]);
	assert.deepEqual(await ids(host, iso(0)), [b.id, a.id, c.id]);
});
