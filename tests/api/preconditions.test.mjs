// If-Match on the writes of events, organizations, collaborations,
// mentorships and the own profile: a stale version is 412
// precondition_failed and changes nothing; the version covers what the
// write can change (other members' RSVPs, memberships, participants and
// updates never move it); the write's answer carries the new version as
// its ETag; without If-Match nothing changes in how writes work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, get, post, patch, put, del, sql, uid, makeMember, makeOrg,
    assertProblem } from './lib.mjs';

const HOUR = 3600 * 1000;
const at = (hours) => new Date(Date.now() + hours * HOUR).toISOString().replace(/\.\d+Z$/, 'Z');
const tag = (version) => `"v${version}"`;

// A write with an If-Match header (null: none).
function write(method, path, body, who, ifMatch) {
	const headers = ifMatch === null ? {} : { 'if-match': ifMatch };
	return call(method, path, { token: who.token, body, headers });
}

function assertStale(r) {
	assertProblem(r, 412);
	assert.equal(r.json.code, 'precondition_failed');
	assert.equal(r.headers.get('etag'), null, 'a 412 carries no version');
}

function assertVersioned(r, status = 200) {
	assert.equal(r.status, status, r.text);
	assert.equal(r.headers.get('etag'), tag(r.json.version));
}

async function makeEvent(who, fields = {}) {
	const r = await post('/v1/events', { title: `Book swap ${uid()}`, kind: 'meetup',
	    starts_at: at(48), ends_at: at(50), timezone: 'Europe/Paris', ...fields },
	    { token: who.token });
	assert.equal(r.status, 201, r.text);
	return r.json;
}

test('two organizers edit one event: the stale one gets 412 and the first change is kept', async () => {
	const creator = await makeMember();
	const co = await makeMember();
	const ev = await makeEvent(creator, { organizers: [co.id] });
	const url = `/v1/events/${ev.id}`;
	// Both open the edit form.
	const seenByCreator = await get(url, { token: creator.token });
	const seenByCo = await get(url, { token: co.token });
	assert.equal(seenByCreator.json.version, ev.version);
	assert.equal(seenByCo.json.version, ev.version);
	assert.equal(ev.version, ev.sequence);
	// The GET's ETag is a hash of the body (for If-None-Match), not the version.
	assert.match(seenByCreator.headers.get('etag'), /^"[0-9a-f]{32}"$/);

	const first = await write('PATCH', url, { title: 'Book swap, upstairs' }, creator,
	    tag(seenByCreator.json.version));
	assertVersioned(first);
	assert.equal(first.json.version, ev.version + 1);
	assert.equal(first.json.title, 'Book swap, upstairs');

	const second = await write('PATCH', url, { title: 'Book swap, downstairs', capacity: 5 }, co,
	    tag(seenByCo.json.version));
	assertStale(second);
	const now = (await get(url)).json;
	assert.equal(now.title, 'Book swap, upstairs', 'the first change was kept');
	assert.equal(now.capacity, null);
	assert.equal(now.version, first.json.version);

	// Read again, then the change goes through.
	const retry = await write('PATCH', url, { title: 'Book swap, downstairs' }, co, tag(now.version));
	assertVersioned(retry);
	assert.equal(retry.json.title, 'Book swap, downstairs');

	// What If-Match accepts: the version among others, or *; never the
	// GET's body hash, a weak tag or something else.
	const v = retry.json.version;
	for (const bad of ['"deadbeef"', seenByCreator.headers.get('etag'), `W/${tag(v)}`, tag(v - 1),
	    `v${v}`, 'v']) {
		assertStale(await write('PATCH', url, { description: 'x' }, creator, bad));
	}
	assertVersioned(await write('PATCH', url, { description: 'a' }, creator, `"v0", ${tag(v)}`));
	assertVersioned(await write('PATCH', url, { description: 'b' }, creator, '*'));
	// Without If-Match a write is made as before.
	assertVersioned(await write('PATCH', url, { description: 'c' }, creator, null));
	assert.equal((await get(url)).json.description, 'c');

	// Cancelling honours it too.
	const cur = (await get(url)).json.version;
	assertStale(await write('POST', `${url}/cancel`, { reason: 'x' }, co, tag(cur - 1)));
	assert.equal((await get(url)).json.status, 'scheduled');
	const cancelled = await write('POST', `${url}/cancel`, { reason: 'Flood' }, co, tag(cur));
	assertVersioned(cancelled);
	assert.equal(cancelled.json.status, 'cancelled');
	assert.equal(cancelled.json.version, cur + 1);
});

test('two edits at once with the same version: exactly one is made', async () => {
	const creator = await makeMember();
	const ev = await makeEvent(creator);
	const url = `/v1/events/${ev.id}`;
	const rs = await Promise.all(['A', 'B', 'C', 'D'].map((t) =>
	    write('PATCH', url, { title: `Take ${t}` }, creator, tag(ev.version))));
	const ok = rs.filter((r) => r.status === 200);
	assert.equal(ok.length, 1, rs.map((r) => r.status).join());
	for (const r of rs.filter((x) => x.status !== 200)) assertStale(r);
	const now = (await get(url)).json;
	assert.equal(now.title, ok[0].json.title);
	assert.equal(now.version, ev.version + 1);
});

test('other members\' RSVPs, invitations and withdrawals never break an organizer\'s If-Match', async () => {
	const organizer = await makeMember();
	const ev = await makeEvent(organizer, { capacity: 2 });
	const url = `/v1/events/${ev.id}`;
	const seen = await get(url, { token: organizer.token });
	const people = [];
	for (let i = 0; i < 5; i++) people.push(await makeMember({ invitations: 'anyone' }));
	// Two going, two waitlisted, one maybe; one going withdraws (the
	// waitlist moves up); an invitation.
	for (const p of people.slice(0, 4)) {
		assert.equal((await put(`${url}/rsvp`, { response: 'going' }, { token: p.token })).status, 200);
	}
	assert.equal((await put(`${url}/rsvp`, { response: 'maybe' }, { token: people[4].token })).status, 200);
	assert.equal((await del(`${url}/rsvp`, { token: people[0].token })).status, 204);
	const inv = await post(`${url}/invitations`, { member_ids: [people[0].id] },
	    { token: people[1].token });
	assert.equal(inv.status, 200, inv.text);
	const after = await get(url, { token: organizer.token });
	assert.equal(after.json.going_count, 2);
	assert.equal(after.json.waitlist_count, 1);
	assert.notEqual(after.headers.get('etag'), seen.headers.get('etag'), 'the body changed');
	assert.equal(after.json.version, seen.json.version, 'the version did not');
	const r = await write('PATCH', url, { capacity: 3 }, organizer, tag(seen.json.version));
	assertVersioned(r);
	assert.equal(r.json.going_count, 3, 'the waitlist moved up');
});

test('organizations: a stale PATCH or DELETE is 412 and changes nothing; memberships do not move the version', async () => {
	const admin = await makeMember();
	const other = await makeMember();
	const org = await makeOrg(admin);
	const url = `/v1/organizations/${org.id}`;
	assert.equal(org.version, 1);
	// Members joining and leaving are not the organization's editable state.
	const joiner = await makeMember();
	assert.equal((await post(`${url}/members`, { member_id: other.id, role: 'admin' },
	    { token: admin.token })).status, 201);
	assert.equal((await post(`${url}/members`, {}, { token: joiner.token })).status, 201);
	assert.equal((await get(url)).json.version, 1);

	const a = await write('PATCH', url, { description: 'Our branch' }, admin, tag(1));
	assertVersioned(a);
	assert.equal(a.json.version, 2);
	assertStale(await write('PATCH', url, { city: 'Shelbyville' }, other, tag(1)));
	assertStale(await write('DELETE', url, undefined, other, tag(1)));
	const now = (await get(url)).json;
	assert.equal(now.city, org.city);
	assert.equal(now.description, 'Our branch');
	// A patch that changes nothing leaves the version as it is.
	assertVersioned(await write('PATCH', url, { description: 'Our branch' }, other, tag(2)));
	assert.equal((await get(url)).json.version, 2);
	const gone = await write('DELETE', url, undefined, other, tag(2));
	assert.equal(gone.status, 204, gone.text);
	assertProblem(await get(url), 404);
});

test('collaborations and mentorships: stale If-Match is 412; participants and updates do not move the version', async () => {
	const owner = await makeMember();
	const helper = await makeMember();
	const c = (await post('/v1/collaborations', { title: `Zine fair ${uid()}`,
	    summary: 'A zine fair across branches' }, { token: owner.token })).json;
	const url = `/v1/collaborations/${c.id}`;
	const p = await post(`${url}/participants`, { message: 'Count me in' }, { token: helper.token });
	assert.equal(p.status, 201, p.text);
	assert.equal((await patch(`${url}/participants/${p.json.id}`, { status: 'approved' },
	    { token: owner.token })).status, 200);
	assert.equal((await post(`${url}/updates`, { body: 'Venue booked' }, { token: helper.token })).status, 201);
	assert.equal((await get(url)).json.version, c.version);
	const moved = await write('PATCH', url, { status: 'seeking_partners' }, owner, tag(c.version));
	assertVersioned(moved);
	assertStale(await write('PATCH', url, { title: 'Stale title' }, owner, tag(c.version)));
	assert.notEqual((await get(url)).json.title, 'Stale title');

	const mentor = await makeMember({ mentoring_available: true, mentoring_capacity: 2,
	    mentoring_topics: ['archives'], visibility_mentoring: 'members' });
	const mentee = await makeMember();
	const m = await post('/v1/mentorships', { mentor_id: mentor.id, topic: 'archives',
	    message: 'Could you help me?' }, { token: mentee.token });
	assert.equal(m.status, 201, m.text);
	const murl = `/v1/mentorships/${m.json.id}`;
	const accepted = await write('PATCH', murl, { status: 'accepted' }, mentor, tag(m.json.version));
	assertVersioned(accepted);
	// The mentee read it before the mentor accepted.
	assertStale(await write('PATCH', murl, { status: 'withdrawn' }, mentee, tag(m.json.version)));
	assert.equal((await get(murl, { token: mentee.token })).json.status, 'accepted');
	// Check-ins are not the mentorship's editable state.
	assert.equal((await post(`${murl}/check-ins`, { note: 'First call' }, { token: mentee.token })).status, 201);
	assertVersioned(await write('PATCH', murl, { status: 'completed' }, mentee,
	    tag(accepted.json.version)));
});

test('the own profile: PATCH and DELETE /v1/me honour If-Match; a login or a new password does not move the version', async () => {
	const me = await makeMember();
	const v1 = (await get('/v1/me', { token: me.token })).json.version;
	const a = await write('PATCH', '/v1/me', { bio: 'Cataloguer' }, me, tag(v1));
	assertVersioned(a);
	// Another tab still has the old version.
	assertStale(await write('PATCH', '/v1/me', { bio: 'Archivist' }, me, tag(v1)));
	assert.equal((await get('/v1/me', { token: me.token })).json.bio, 'Cataloguer');
	// Logging in and changing the password are not profile edits.
	const login = await post('/v1/sessions', { email: me.email, password: 'correct horse battery staple' },
	    { validate: false });
	assert.equal(login.status, 201, login.text);
	const pw = await put('/v1/me/password', { current_password: 'correct horse battery staple',
	    new_password: `another long password ${uid()}` }, { token: me.token });
	assert.equal(pw.status, 204, pw.text);
	assert.equal((await get('/v1/me', { token: me.token })).json.version, a.json.version);
	assertStale(await write('DELETE', '/v1/me', undefined, me, tag(v1)));
	assert.equal((await sql('SELECT count(*)::int AS n FROM members WHERE id = $1', [me.id]))[0].n, 1);
	const gone = await write('DELETE', '/v1/me', undefined, me, tag(a.json.version));
	assert.equal(gone.status, 204, gone.text);
});

test('CORS lets browsers send If-Match and read the ETag of a write', async () => {
	const r = await call('OPTIONS', '/v1/events/1', { headers: { origin: 'https://library.example',
	    'access-control-request-method': 'PATCH', 'access-control-request-headers': 'if-match' },
	    validate: false });
	assert.equal(r.status, 204);
	assert.match(r.headers.get('access-control-allow-headers'), /\bIf-Match\b/);
	const me = await makeMember();
	const w = await write('PATCH', '/v1/me', { pronouns: 'they/them' }, me, null);
	assert.match(w.headers.get('access-control-expose-headers'), /\bETag\b/);
	assert.equal(w.headers.get('etag'), tag(w.json.version));
});
