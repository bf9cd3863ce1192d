// Mentorships: the full status machine (every state x every target x
// mentor/mentee/stranger, checked in the database), the refusals of a
// request, concurrency (parallel accepts, capacity, the open-request
// limit), privacy, check-ins, notifications, sharing, the mentor list,
// the export, and the ranking of mentor suggestions on a constructed
// fixture with events and attendance made in SQL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { get, post, patch, sql, db, uid, makeMember, makeOrg, assertProblem } from './lib.mjs';

const STATES = ['requested', 'accepted', 'declined', 'withdrawn', 'completed', 'cancelled'];
// from -> to -> who may (the contract in api.md).
const MACHINE = {
	requested: { accepted: 'mentor', declined: 'mentor', withdrawn: 'mentee' },
	accepted: { completed: 'either', cancelled: 'either' },
};

function mentorFields(extra = {}) {
	return { mentoring_available: true, mentoring_capacity: 3,
	    mentoring_topics: ['archives', 'preservation'], ...extra };
}

const makeMentor = (extra) => makeMember(mentorFields(extra));

async function ask(mentee, mentor, extra = {}) {
	return post('/v1/mentorships', { mentor_id: mentor.id, topic: 'archives',
	    message: 'Could you help me get started in archives?',
	    goals: ['finish a finding aid', 'visit a reading room'], ...extra },
	    { token: mentee.token });
}

async function row(id) {
	return (await sql(`SELECT status, status_reason, mentor_shares, mentee_shares,
	    accepted_at, ended_at, status_changed_by FROM mentorships WHERE id = $1`, [id]))[0];
}

async function setStatus(id, who, status, extra = {}) {
	const r = await patch(`/v1/mentorships/${id}`, { status, ...extra }, { token: who.token });
	assert.equal(r.status, 200, r.text);
	return r;
}

// A fresh mentor and mentee with a mentorship driven to state through the API.
async function inState(state, mentorExtra = {}) {
	const mentor = await makeMentor(mentorExtra);
	const mentee = await makeMember();
	const r = await ask(mentee, mentor);
	assert.equal(r.status, 201, r.text);
	const id = r.json.id;
	if (state === 'accepted' || state === 'completed' || state === 'cancelled')
		await setStatus(id, mentor, 'accepted');
	if (state === 'declined') await setStatus(id, mentor, 'declined');
	if (state === 'withdrawn') await setStatus(id, mentee, 'withdrawn');
	if (state === 'completed') await setStatus(id, mentee, 'completed');
	if (state === 'cancelled') await setStatus(id, mentor, 'cancelled');
	assert.equal((await row(id)).status, state);
	return { id, mentor, mentee };
}

async function notes(member, type) {
	return sql(`SELECT type, subject_type, subject_id::int AS subject_id, text
	    FROM notifications WHERE member_id = $1 AND ($2::text IS NULL OR type = $2)
	    ORDER BY id`, [member.id, type ?? null]);
}

test('the full transition table: every state x target x party, checked in the database', async () => {
	const stranger = await makeMember();
	let cases = 0;
	for (const from of STATES) {
		for (const to of STATES) {
			for (const actor of ['mentor', 'mentee', 'stranger']) {
				const w = await inState(from);
				const who = actor === 'stranger' ? stranger : w[actor];
				const r = await patch(`/v1/mentorships/${w.id}`,
				    { status: to, reason: 'a reason' }, { token: who.token });
				const rule = MACHINE[from]?.[to];
				let want;
				if (actor === 'stranger') want = 404;
				else if (!rule) want = 409;
				else if (rule === 'either' || rule === actor) want = 200;
				else want = 403;
				const label = `${from} -> ${to} by ${actor}`;
				assert.equal(r.status, want, `${label}: ${r.text}`);
				const db = await row(w.id);
				assert.equal(db.status, want === 200 ? to : from, label);
				if (want === 200) {
					assert.equal(r.json.status, to, label);
					assert.equal(r.json.status_reason, 'a reason');
					assert.equal(Number(db.status_changed_by), who.id);
					assert.equal(r.json.role, actor);
					if (to === 'accepted') assert.ok(db.accepted_at && !db.ended_at, label);
					else assert.ok(db.ended_at, label);
				} else {
					assertProblem(r, want);
				}
				if (want === 409) {
					assert.equal(r.json.code, 'invalid_transition', label);
					assert.deepEqual(r.json.errors.map((e) => e.field), ['status']);
					if (from === 'requested')
						assert.match(r.json.detail, /accepted or declined \(by the mentor\).*withdrawn \(by the mentee\)/, label);
					else if (from === 'accepted')
						assert.match(r.json.detail, /cancelled or completed \(by either party\)/, label);
					else
						assert.match(r.json.detail, /final/, label);
				}
				if (want === 403) assert.equal(r.json.code, 'forbidden');
				cases++;
			}
		}
	}
	assert.equal(cases, 108);
});

test('allowed_statuses tells each party what it may do; a site admin reads but may not change', async () => {
	const w = await inState('requested');
	const admin = await makeMember({ role: 'admin' });
	const asMentor = await get(`/v1/mentorships/${w.id}`, { token: w.mentor.token });
	assert.deepEqual(asMentor.json.allowed_statuses, ['accepted', 'declined']);
	assert.equal(asMentor.json.role, 'mentor');
	const asMentee = await get(`/v1/mentorships/${w.id}`, { token: w.mentee.token });
	assert.deepEqual(asMentee.json.allowed_statuses, ['withdrawn']);
	assert.deepEqual(asMentee.json.goals, ['finish a finding aid', 'visit a reading room']);
	const asAdmin = await get(`/v1/mentorships/${w.id}`, { token: admin.token });
	assert.equal(asAdmin.status, 200);
	assert.equal(asAdmin.json.role, null);
	assert.deepEqual(asAdmin.json.allowed_statuses, []);
	assertProblem(await patch(`/v1/mentorships/${w.id}`, { status: 'declined' },
	    { token: admin.token }), 403);
	assertProblem(await post(`/v1/mentorships/${w.id}/check-ins`, { note: 'x' },
	    { token: admin.token }), 403);
	assert.equal((await row(w.id)).status, 'requested');
	// No code path bypasses the machine: a raw UPDATE without an actor
	// fails, and with one it still follows the table and its parties.
	await assert.rejects(sql(`UPDATE mentorships SET status = 'completed' WHERE id = $1`, [w.id]));
	const client = await db.connect();
	try {
		const attempt = async (actor, status) => {
			await client.query('BEGIN');
			try {
				await client.query(`SELECT set_config('il.actor', $1, true)`, [String(actor)]);
				await client.query('UPDATE mentorships SET status = $2 WHERE id = $1', [w.id, status]);
				return 'updated';
			} catch (e) {
				return e.code;
			} finally {
				await client.query('ROLLBACK');
			}
		};
		assert.equal(await attempt(w.mentee.id, 'accepted'), 'IL403');
		assert.equal(await attempt(w.mentor.id, 'completed'), 'IL409');
		assert.equal(await attempt(admin.id, 'declined'), 'IL403');
		assert.equal(await attempt(w.mentor.id, 'accepted'), 'updated');
	} finally {
		client.release();
	}
	assert.equal((await row(w.id)).status, 'requested');
});

test('POST refusals: yourself, unknown, unavailable, hidden, full, duplicate, a sixth request', async () => {
	const me = await makeMember();
	const mentor = await makeMentor({ mentoring_capacity: 1 });
	assertProblem(await ask(me, me), 400, 'mentor_id');
	assertProblem(await ask(me, { id: 999999999999 }), 400, 'mentor_id');
	const off = await makeMember(mentorFields({ mentoring_available: false }));
	const r1 = await ask(me, off);
	assertProblem(r1, 409, 'mentor_id');
	assert.equal(r1.json.code, 'mentor_unavailable');
	const hidden = await makeMentor({ visibility_mentoring: 'private' });
	const r2 = await ask(me, hidden);
	assertProblem(r2, 409, 'mentor_id');
	assert.equal(r2.json.code, 'mentor_unavailable');
	assert.equal(r2.json.detail, r1.json.detail, 'hidden and unavailable read alike');
	const suspended = await makeMentor({ suspended_at: new Date() });
	assertProblem(await ask(me, suspended), 400, 'mentor_id');

	// Full: capacity 1, one accepted.
	const other = await makeMember();
	const first = await ask(other, mentor);
	await setStatus(first.json.id, mentor, 'accepted');
	const full = await ask(me, mentor);
	assertProblem(full, 409, 'mentor_id');
	assert.equal(full.json.code, 'mentor_full');

	// Duplicate open request (requested or accepted) to the same mentor.
	const m2 = await makeMentor();
	const a = await ask(me, m2);
	assert.equal(a.status, 201, a.text);
	assert.equal(a.json.status, 'requested');
	assert.match(a.headers.get('location'), new RegExp(`/v1/mentorships/${a.json.id}$`));
	const dup = await ask(me, m2, { topic: 'preservation' });
	assertProblem(dup, 409, 'mentor_id');
	assert.equal(dup.json.code, 'duplicate_request');
	await setStatus(a.json.id, m2, 'accepted');
	assert.equal((await ask(me, m2)).json.code, 'duplicate_request');
	// Once it has ended, asking again is fine.
	await setStatus(a.json.id, me, 'completed');
	const again = await ask(me, m2);
	assert.equal(again.status, 201, again.text);
	await setStatus(again.json.id, me, 'withdrawn');

	// At most 5 requested at once.
	const mentee = await makeMember();
	const mentors = [];
	for (let i = 0; i < 6; i++) mentors.push(await makeMentor());
	for (let i = 0; i < 5; i++) assert.equal((await ask(mentee, mentors[i])).status, 201);
	const sixth = await ask(mentee, mentors[5]);
	assertProblem(sixth, 409);
	assert.equal(sixth.json.code, 'request_limit');
	// Accepted ones do not count: one accepted frees a place.
	const open = await get('/v1/mentorships?role=mentee&status=requested', { token: mentee.token });
	assert.equal(open.json.data.length, 5);
	await setStatus(open.json.data[0].id, mentors[4], 'accepted');
	assert.equal((await ask(mentee, mentors[5])).status, 201);

	// Body validation names the field.
	assertProblem(await post('/v1/mentorships', { mentor_id: m2.id, message: 'x' },
	    { token: mentee.token }), 400, 'topic');
	assertProblem(await post('/v1/mentorships', { mentor_id: m2.id, topic: 'x',
	    message: 'x', status: 'accepted' }, { token: mentee.token }), 400, 'status');
	assertProblem(await post('/v1/mentorships', { mentor_id: m2.id, topic: 'x',
	    message: 'x', goals: Array(11).fill('g') }, { token: mentee.token }), 400, 'goals');
	assertProblem(await post('/v1/mentorships', { mentor_id: m2.id, topic: '   ',
	    message: 'x' }, { token: mentee.token }), 400, 'topic');
	assertProblem(await post('/v1/mentorships', { mentor_id: m2.id, topic: 'x',
	    message: 'x' }), 401);
});

test('concurrency: 50 parallel accepts give exactly one 200', async () => {
	const w = await inState('requested');
	const rs = await Promise.all(Array.from({ length: 50 }, () =>
	    patch(`/v1/mentorships/${w.id}`, { status: 'accepted' }, { token: w.mentor.token })));
	const codes = rs.map((r) => r.status).sort();
	assert.equal(codes.filter((c) => c === 200).length, 1, codes.join(','));
	assert.equal(codes.filter((c) => c === 409).length, 49, codes.join(','));
	assert.equal((await row(w.id)).status, 'accepted');
	assert.equal((await notes(w.mentee, 'mentorship_accepted')).length, 1);
});

test('concurrency: a mentor with capacity 1 accepting 8 requests at once accepts exactly one', async () => {
	const mentor = await makeMentor({ mentoring_capacity: 1 });
	const ids = [];
	for (let i = 0; i < 8; i++) {
		const r = await ask(await makeMember(), mentor);
		assert.equal(r.status, 201, r.text);
		ids.push(r.json.id);
	}
	const rs = await Promise.all(ids.map((id) =>
	    patch(`/v1/mentorships/${id}`, { status: 'accepted' }, { token: mentor.token })));
	const ok = rs.filter((r) => r.status === 200);
	assert.equal(ok.length, 1, rs.map((r) => r.status).join(','));
	for (const r of rs.filter((x) => x.status !== 200)) {
		assertProblem(r, 409);
		assert.equal(r.json.code, 'mentor_full');
	}
	const n = await sql(`SELECT count(*)::int AS n FROM mentorships
	    WHERE mentor_id = $1 AND status = 'accepted'`, [mentor.id]);
	assert.equal(n[0].n, 1);
	// The list shows no open slot, and new requests are refused.
	const r = await ask(await makeMember(), mentor);
	assert.equal(r.json.code, 'mentor_full');
});

test('concurrency: 12 parallel requests by one mentee stop at 5 requested', async () => {
	const mentee = await makeMember();
	const mentors = [];
	for (let i = 0; i < 12; i++) mentors.push(await makeMentor());
	const rs = await Promise.all(mentors.map((m) => ask(mentee, m)));
	assert.equal(rs.filter((r) => r.status === 201).length, 5, rs.map((r) => r.status).join(','));
	assert.ok(rs.filter((r) => r.status !== 201).every((r) => r.json.code === 'request_limit'));
	// The same mentor asked 10 times at once: one request.
	const m = await makeMentor();
	const other = await makeMember();
	const dup = await Promise.all(Array.from({ length: 10 }, () => ask(other, m)));
	assert.equal(dup.filter((r) => r.status === 201).length, 1);
	assert.ok(dup.filter((r) => r.status !== 201).every((r) => r.json.code === 'duplicate_request'));
});

// Two transactions in the database itself: the second must wait for the
// first (observed in pg_stat_activity, not by sleeping), then fail.
async function secondWaitsThenFails(first, second) {
	const a = await db.connect();
	const b = await db.connect();
	try {
		await a.query('BEGIN');
		await first(a);
		await b.query('BEGIN');
		const pid = (await b.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
		let done = false;
		const pending = second(b).then(() => 'ok', (e) => e.code).finally(() => { done = true; });
		for (;;) {
			const w = await sql('SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1', [pid]);
			if (done || w[0]?.wait_event_type === 'Lock') break;
		}
		assert.equal(done, false, 'the second transaction must wait for the first');
		await a.query('COMMIT');
		const outcome = await pending;
		await b.query('ROLLBACK');
		return outcome;
	} finally {
		a.release();
		b.release();
	}
}

test('the schema serializes accepts per mentor and requests per mentee', async () => {
	const mentor = await makeMentor({ mentoring_capacity: 1 });
	const r1 = await ask(await makeMember(), mentor);
	const r2 = await ask(await makeMember(), mentor);
	const accept = (id) => async (c) => {
		await c.query(`SELECT set_config('il.actor', $1, true)`, [String(mentor.id)]);
		await c.query(`UPDATE mentorships SET status = 'accepted' WHERE id = $1`, [id]);
	};
	assert.equal(await secondWaitsThenFails(accept(r1.json.id), accept(r2.json.id)), 'IL409');
	assert.deepEqual((await sql(`SELECT status FROM mentorships WHERE id = ANY ($1) ORDER BY id`,
	    [[r1.json.id, r2.json.id]])).map((x) => x.status), ['accepted', 'requested']);

	const mentee = await makeMember();
	for (let i = 0; i < 4; i++) assert.equal((await ask(mentee, await makeMentor())).status, 201);
	const [m5, m6] = [await makeMentor(), await makeMentor()];
	const request = (m) => (c) => c.query(`INSERT INTO mentorships (mentor_id, mentee_id, topic, message)
	    VALUES ($1, $2, 'archives', 'hello')`, [m.id, mentee.id]);
	assert.equal(await secondWaitsThenFails(request(m5), request(m6)), 'IL409');
	const n = await sql(`SELECT count(*)::int AS n FROM mentorships WHERE mentee_id = $1
	    AND status = 'requested'`, [mentee.id]);
	assert.equal(n[0].n, 5);
});

test('privacy: only the parties and site admins see a mentorship; lists are own only', async () => {
	const w = await inState('accepted');
	const stranger = await makeMember();
	for (const [method, path, body] of [
		['GET', `/v1/mentorships/${w.id}`],
		['PATCH', `/v1/mentorships/${w.id}`, { status: 'completed' }],
		['PATCH', `/v1/mentorships/${w.id}`, { share_publicly: true }],
		['GET', `/v1/mentorships/${w.id}/check-ins`],
		['POST', `/v1/mentorships/${w.id}/check-ins`, { note: 'hello' }],
	]) {
		const r = method === 'GET' ? await get(path, { token: stranger.token })
		    : method === 'PATCH' ? await patch(path, body, { token: stranger.token })
		    : await post(path, body, { token: stranger.token });
		assertProblem(r, 404);
		const missing = path.replace(String(w.id), '999999999999');
		const r2 = method === 'GET' ? await get(missing, { token: stranger.token })
		    : method === 'PATCH' ? await patch(missing, body, { token: stranger.token })
		    : await post(missing, body, { token: stranger.token });
		assertProblem(r2, 404);
		assert.equal(r2.text, r.text, 'a hidden mentorship reads exactly like a missing one');
	}
	assertProblem(await get(`/v1/mentorships/${w.id}`), 401);
	const list = await get('/v1/mentorships', { token: stranger.token });
	assert.deepEqual(list.json.data, []);
	const asMentor = await get('/v1/mentorships?role=mentor', { token: w.mentor.token });
	assert.deepEqual(asMentor.json.data.map((x) => x.id), [w.id]);
	assert.deepEqual((await get('/v1/mentorships?role=mentee', { token: w.mentor.token })).json.data, []);
	const asMentee = await get('/v1/mentorships', { token: w.mentee.token });
	assert.deepEqual(asMentee.json.data.map((x) => x.id), [w.id]);
	assertProblem(await get('/v1/mentorships?role=boss', { token: w.mentee.token }), 400, 'role');
	assertProblem(await get('/v1/mentorships?status=open', { token: w.mentee.token }), 400, 'status');
});

test('lists: role and status filters, keyset pagination with Link', async () => {
	const mentee = await makeMember();
	const made = [];
	for (let i = 0; i < 4; i++) {
		const m = await makeMentor();
		const r = await ask(mentee, m);
		made.push(r.json.id);
		if (i % 2) await setStatus(r.json.id, m, 'accepted');
	}
	const p1 = await get('/v1/mentorships?limit=3', { token: mentee.token });
	assert.deepEqual(p1.json.data.map((x) => x.id), made.slice().reverse().slice(0, 3));
	assert.match(p1.headers.get('link'), /rel="next"/);
	const p2 = await get(`/v1/mentorships?limit=3&cursor=${p1.json.next_cursor}`, { token: mentee.token });
	assert.deepEqual(p2.json.data.map((x) => x.id), [made[0]]);
	assert.equal(p2.json.next_cursor, null);
	const acc = await get('/v1/mentorships?status=accepted', { token: mentee.token });
	assert.deepEqual(acc.json.data.map((x) => x.id), [made[3], made[1]]);
	assertProblem(await get('/v1/mentorships?cursor=nonsense', { token: mentee.token }), 400, 'cursor');
	assertProblem(await get('/v1/mentorships?limit=0', { token: mentee.token }), 400, 'limit');
});

test('check-ins: only while accepted, by either party; readable afterwards; validated', async () => {
	const w = await inState('requested');
	const early = await post(`/v1/mentorships/${w.id}/check-ins`, { note: 'Too soon' },
	    { token: w.mentee.token });
	assertProblem(early, 409);
	assert.equal(early.json.code, 'not_active');
	await setStatus(w.id, w.mentor, 'accepted');
	const today = new Date().toISOString().slice(0, 10);
	const a = await post(`/v1/mentorships/${w.id}/check-ins`, { note: 'Read the DACS chapters',
	    goals: ['finish a finding aid'] }, { token: w.mentee.token });
	assert.equal(a.status, 201, a.text);
	assert.equal(a.json.date, today);
	assert.deepEqual(a.json.goals, ['finish a finding aid']);
	assert.equal(a.json.author.id, w.mentee.id);
	const yesterday = new Date(Date.now() - 86400000).toISOString().slice(0, 10);
	const b = await post(`/v1/mentorships/${w.id}/check-ins`, { note: 'Reviewed the draft',
	    date: yesterday }, { token: w.mentor.token });
	assert.equal(b.status, 201, b.text);
	assertProblem(await post(`/v1/mentorships/${w.id}/check-ins`, { note: 'x',
	    goals: ['learn Latin'] }, { token: w.mentor.token }), 400, 'goals[0]');
	assertProblem(await post(`/v1/mentorships/${w.id}/check-ins`, { note: 'x',
	    date: '2099-01-01' }, { token: w.mentor.token }), 400, 'date');
	assertProblem(await post(`/v1/mentorships/${w.id}/check-ins`, { note: 'x',
	    date: '2026-02-30' }, { token: w.mentor.token }), 400, 'date');
	assertProblem(await post(`/v1/mentorships/${w.id}/check-ins`, { note: 'x',
	    date: 'yesterday!' }, { token: w.mentor.token }), 400, 'date');
	assertProblem(await post(`/v1/mentorships/${w.id}/check-ins`, { note: '' },
	    { token: w.mentor.token }), 400, 'note');
	assertProblem(await post(`/v1/mentorships/${w.id}/check-ins`, { note: 'x', id: 3 },
	    { token: w.mentor.token }), 400, 'id');
	const list = await get(`/v1/mentorships/${w.id}/check-ins?limit=1`, { token: w.mentor.token });
	assert.deepEqual(list.json.data.map((c) => c.id), [a.json.id]);
	const next = await get(`/v1/mentorships/${w.id}/check-ins?limit=1&cursor=${list.json.next_cursor}`,
	    { token: w.mentee.token });
	assert.deepEqual(next.json.data.map((c) => c.id), [b.json.id]);
	assert.equal(next.json.next_cursor, null);
	assert.equal((await get(`/v1/mentorships/${w.id}`, { token: w.mentee.token })).json.check_in_count, 2);
	await setStatus(w.id, w.mentor, 'completed');
	const late = await post(`/v1/mentorships/${w.id}/check-ins`, { note: 'After the end' },
	    { token: w.mentee.token });
	assertProblem(late, 409);
	assert.equal(late.json.code, 'not_active');
	const after = await get(`/v1/mentorships/${w.id}/check-ins`, { token: w.mentee.token });
	assert.equal(after.json.data.length, 2, 'history stays readable');
	// The schema refuses a check-in on a mentorship that is not accepted.
	await assert.rejects(sql(`INSERT INTO mentorship_check_ins (mentorship_id, author_id, on_date, note)
	    VALUES ($1, $2, current_date, 'sneaky')`, [w.id, w.mentor.id]));
});

test('notifications: requested, accepted, declined, cancelled, completed, in the same transaction', async () => {
	const w = await inState('requested');
	const req = await notes(w.mentor, 'mentorship_requested');
	assert.equal(req.length, 1);
	assert.equal(req[0].subject_type, 'mentorship');
	assert.equal(req[0].subject_id, w.id);
	assert.match(req[0].text, new RegExp(`${w.mentee.display_name} asked you to be their mentor in archives`));
	const api = await get('/v1/me/notifications', { token: w.mentor.token });
	assert.equal(api.json.data[0].type, 'mentorship_requested');
	assert.deepEqual(api.json.data[0].subject, { type: 'mentorship', id: w.id });

	await setStatus(w.id, w.mentor, 'accepted');
	const acc = await notes(w.mentee, 'mentorship_accepted');
	assert.equal(acc.length, 1);
	assert.match(acc[0].text, new RegExp(`${w.mentor.display_name} accepted`));
	// A refused change writes nothing.
	await patch(`/v1/mentorships/${w.id}`, { status: 'declined' }, { token: w.mentor.token });
	assert.equal((await notes(w.mentee)).length, 1);
	await setStatus(w.id, w.mentee, 'cancelled', { reason: 'new job, no time' });
	const can = await notes(w.mentor, 'mentorship_cancelled');
	assert.equal(can.length, 1);
	assert.match(can[0].text, /new job, no time/);
	assert.equal((await notes(w.mentee, 'mentorship_cancelled')).length, 0, 'not to the actor');

	const d = await inState('requested');
	await setStatus(d.id, d.mentor, 'declined', { reason: 'fully booked this term' });
	const dec = await notes(d.mentee, 'mentorship_declined');
	assert.equal(dec.length, 1);
	assert.match(dec[0].text, /declined .*fully booked this term/);

	const c = await inState('accepted');
	await setStatus(c.id, c.mentor, 'completed');
	assert.equal((await notes(c.mentee, 'mentorship_completed')).length, 1);
	assert.equal((await notes(c.mentor, 'mentorship_completed')).length, 0);

	const x = await inState('requested');
	await setStatus(x.id, x.mentee, 'withdrawn');
	assert.deepEqual((await notes(x.mentor)).map((n) => n.type), ['mentorship_requested']);
});

test('sharing: each side consents for itself, completed only; public when both agreed', async () => {
	const w = await inState('accepted');
	const early = await patch(`/v1/mentorships/${w.id}`, { share_publicly: true },
	    { token: w.mentee.token });
	assertProblem(early, 409, 'share_publicly');
	assert.equal(early.json.code, 'not_completed');
	const done = await patch(`/v1/mentorships/${w.id}`, { status: 'completed', share_publicly: true },
	    { token: w.mentor.token });
	assert.equal(done.status, 200, done.text);
	assert.deepEqual(done.json.sharing, { mentor: true, mentee: false, public: false });
	const both = await patch(`/v1/mentorships/${w.id}`, { share_publicly: true },
	    { token: w.mentee.token });
	assert.deepEqual(both.json.sharing, { mentor: true, mentee: true, public: true });
	let db = await row(w.id);
	assert.equal(db.mentor_shares, true);
	assert.equal(db.mentee_shares, true);
	const back = await patch(`/v1/mentorships/${w.id}`, { share_publicly: false },
	    { token: w.mentor.token }, );
	assert.deepEqual(back.json.sharing, { mentor: false, mentee: true, public: false });
	db = await row(w.id);
	assert.equal(db.mentor_shares, false);
	assertProblem(await patch(`/v1/mentorships/${w.id}`, { reason: 'why' },
	    { token: w.mentor.token }), 400, 'reason');
	assertProblem(await patch(`/v1/mentorships/${w.id}`, { share_publicly: 'yes' },
	    { token: w.mentor.token }), 400, 'share_publicly');
	assertProblem(await patch(`/v1/mentorships/${w.id}`, { topic: 'other' },
	    { token: w.mentor.token }), 400, 'topic');
	const same = await patch(`/v1/mentorships/${w.id}`, {}, { token: w.mentor.token });
	assert.equal(same.status, 200);
	// The schema keeps consent to completed mentorships.
	const r = await inState('accepted');
	await assert.rejects(sql('UPDATE mentorships SET mentee_shares = true WHERE id = $1', [r.id]));
});

test('GET /v1/mentors: visible available mentors, topic and city filters, open slots, pages', async () => {
	const tag = `topic-${uid()}`;
	const city = `Mentorville ${uid()}`;
	const viewer = await makeMember();
	const a = await makeMentor({ display_name: `Aa ${tag}`, mentoring_topics: [tag.toUpperCase()],
	    city, visibility_about: 'members', mentoring_capacity: 2 });
	const b = await makeMentor({ display_name: `Bb ${tag}`, mentoring_topics: [tag], city: 'Elsewhere' });
	const c = await makeMentor({ display_name: `Cc ${tag}`, mentoring_topics: [tag], city,
	    visibility_about: 'private' });
	await makeMentor({ display_name: `Dd ${tag}`, mentoring_topics: [tag], visibility_mentoring: 'private' });
	await makeMember(mentorFields({ display_name: `Ee ${tag}`, mentoring_topics: [tag],
	    mentoring_available: false }));
	const r = await get(`/v1/mentors?topic=${tag}`, { token: viewer.token });
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json.data.map((x) => x.member.id), [a.id, b.id, c.id]);
	assert.equal(r.json.data[0].open_slots, 2);
	assert.deepEqual(r.json.data[0].member.mentoring.topics, [tag.toUpperCase()]);
	const acc = await ask(await makeMember(), a);
	await setStatus(acc.json.id, a, 'accepted');
	const r1 = await get(`/v1/mentors?topic=${tag}&limit=1`, { token: viewer.token });
	assert.equal(r1.json.data[0].open_slots, 1);
	const r2 = await get(`/v1/mentors?topic=${tag}&limit=2&cursor=${r1.json.next_cursor}`,
	    { token: viewer.token });
	assert.deepEqual(r2.json.data.map((x) => x.member.id), [b.id, c.id]);
	assert.equal(r2.json.next_cursor, null);
	// City only where the about group is visible (c hides it).
	const byCity = await get(`/v1/mentors?topic=${tag}&city=${encodeURIComponent(city.toLowerCase())}`,
	    { token: viewer.token });
	assert.deepEqual(byCity.json.data.map((x) => x.member.id), [a.id]);
	assertProblem(await get('/v1/mentors'), 401);
	assertProblem(await get(`/v1/mentors?topic=${'x'.repeat(41)}`, { token: viewer.token }), 400, 'topic');
	assertProblem(await get('/v1/mentors?skill=x', { token: viewer.token }), 400, 'skill');
});

test('export: mentorships as mentor and mentee, with check-ins, next to the earlier data', async () => {
	const w = await inState('accepted');
	await post(`/v1/mentorships/${w.id}/check-ins`, { note: 'First meeting' }, { token: w.mentor.token });
	const other = await makeMentor();
	const mine = await ask(w.mentor, other);
	const r = await get('/v1/me/export', { token: w.mentor.token });
	assert.equal(r.status, 200, r.text);
	assert.ok(Array.isArray(r.json.rsvps) && Array.isArray(r.json.events_organized));
	assert.deepEqual(r.json.mentorships.map((x) => [x.id, x.role]), [[w.id, 'mentor'], [mine.json.id, 'mentee']]);
	assert.deepEqual(r.json.mentorships[0].check_ins.map((c) => c.note), ['First meeting']);
	assert.deepEqual(r.json.mentorships[1].check_ins, []);
});

// --- Suggestions -----------------------------------------------------------

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
function day(d) {
	const y = d.getUTCFullYear() === new Date().getUTCFullYear() ? '' : ` ${d.getUTCFullYear()}`;
	return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}${y}`;
}

async function makeEvent(title, venue, endedAgoMs, extra = {}) {
	const ends = new Date(Date.now() - endedAgoMs);
	const starts = new Date(ends.getTime() - 2 * 3600000);
	const cancelled = extra.cancelled === true;
	const rows = await sql(`INSERT INTO events (title, kind, starts_at, ends_at, timezone,
	    venue, city, status, cancelled_at)
	    VALUES ($1, 'social', $2, $3, 'UTC', $4, 'Springfield', $5, $6) RETURNING id`,
	    [title, starts, ends, venue, cancelled ? 'cancelled' : 'scheduled',
	        cancelled ? new Date() : null]);
	return { id: Number(rows[0].id), title, venue, starts, ends };
}

async function attend(event, member, attended = true) {
	await sql(`INSERT INTO attendance (event_id, member_id, attended) VALUES ($1, $2, $3)`,
	    [event.id, member.id, attended]);
}

async function going(event, member) {
	await sql(`INSERT INTO rsvps (event_id, member_id, response, status)
	    VALUES ($1, $2, 'going', 'going')`, [event.id, member.id]);
}

async function joinOrg(org, member, status = 'active') {
	await sql(`INSERT INTO memberships (organization_id, member_id, role, status)
	    VALUES ($1, $2, 'member', $3)`, [org.id, member.id, status]);
}

test('suggestions: the ranking on a fixture of 25 mentors, and what reasons may say', async () => {
	const t = uid();
	const tA = `ta-${t}`, tB = `tb-${t}`, tC = `tc-${t}`;
	const city = `Ranktown ${t}`;
	const WEEK = 7 * 86400000;
	const orgs = [];
	for (const n of ['O1', 'O2']) {
		const r = await sql(`INSERT INTO organizations (slug, name, kind, city)
		    VALUES ($1, $2, 'public_library', 'X') RETURNING id, name`,
		    [`${n.toLowerCase()}-${t}`, `${n} Library ${t}`]);
		orgs.push({ id: Number(r[0].id), name: r[0].name });
	}
	const [O1, O2] = orgs;
	const me = await makeMember(mentorFields({ interests: [tA, tB, tC, 'knitting'], city }));
	const E1 = await makeEvent(`Winter Social ${t}`, 'Central Library', 2 * 86400000);
	const E2 = await makeEvent(`Spring Meetup ${t}`, 'Riverside Branch', 10 * WEEK + 86400000);
	const E3 = await makeEvent(`Cancelled Tour ${t}`, null, 3 * 86400000, { cancelled: true });
	const E4 = await makeEvent(`Future Training ${t}`, 'Online', -5 * 86400000);
	const E5 = await makeEvent(`Old Conference ${t}`, 'Hall', 3 * 365 * 86400000);
	await attend(E1, me);
	await attend(E2, me);
	await going(E3, me);
	await going(E4, me);
	await going(E5, me);
	await joinOrg(O1, me);
	await joinOrg(O2, me);

	// Each mentor: how it is set up and the score it must get (0: absent).
	const M = {};
	const spec = [];
	async function mentor(name, fields, setup, score) {
		const m = await makeMentor({ display_name: `${name} ${t}`, mentoring_topics: ['zz-unrelated'],
		    ...fields });
		if (setup) await setup(m);
		M[name] = m;
		spec.push({ name, id: m.id, score });
	}
	await mentor('M1', {}, async (m) => { await attend(E1, m); await joinOrg(O1, m); }, 1099 + 100);
	await mentor('M2', {}, async (m) => attend(E2, m), 1089);
	await mentor('M3', { city }, async (m) => { await going(E1, m); await attend(E1, m, false); }, 1);
	await mentor('M4', { mentoring_topics: [tA] }, async (m) => going(E2, m), 1089 + 10);
	await mentor('M5', {}, async (m) => going(E3, m), 0);
	await mentor('M6', {}, async (m) => going(E4, m), 0);
	await mentor('M7', { mentoring_topics: [tA], city }, async (m) => {
		await joinOrg(O1, m); await joinOrg(O2, m);
	}, 211);
	await mentor('M8', { mentoring_topics: [tB], visibility_affiliations: 'private' },
	    async (m) => joinOrg(O1, m), 10);
	await mentor('M9', {}, async (m) => joinOrg(O2, m), 100);
	await mentor('M10', { mentoring_topics: [tA, tB, tC], city }, null, 31);
	await mentor('M11', { mentoring_topics: [tA.toUpperCase()] }, null, 10);
	await mentor('M12', { city: city.toUpperCase() }, null, 1);
	await mentor('M13', { city, visibility_about: 'private' }, null, 0);
	await mentor('M14', { mentoring_available: false }, async (m) => attend(E1, m), 0);
	await mentor('M15', { mentoring_capacity: 1 }, async (m) => {
		await attend(E1, m);
		const r = await ask(await makeMember(), m);
		await setStatus(r.json.id, m, 'accepted');
	}, 0);
	await mentor('M16', { visibility_mentoring: 'private' }, async (m) => attend(E1, m), 0);
	await mentor('M17', {}, async (m) => {
		await attend(E1, m);
		assert.equal((await ask(me, m)).status, 201);
	}, 0);
	await mentor('M18', { suspended_at: new Date() }, async (m) => attend(E1, m), 0);
	await mentor('M19', { mentoring_topics: [tC] }, async (m) => joinOrg(O1, m, 'pending'), 10);
	await mentor('M20', {}, async (m) => attend(E5, m), 1000);
	await mentor('M21', {}, async (m) => { await attend(E1, m); await going(E2, m); }, 1099);
	await mentor('M22', {}, async (m) => {
		await attend(E2, m);
		const r = await ask(me, m);
		await setStatus(r.json.id, m, 'accepted');
		await setStatus(r.json.id, me, 'completed');
	}, 1089);
	await mentor('M23', {}, async (m) => {
		// The caller mentors M23: an open mentorship the other way round.
		await attend(E1, m);
		assert.equal((await ask(m, me)).status, 201);
	}, 0);
	await mentor('M24', { visibility_mentoring: 'public', visibility_about: 'public', city,
	    mentoring_topics: [tB, tC] }, async (m) => { await joinOrg(O2, m); await attend(E2, m); },
	    1089 + 100 + 20 + 1);
	await mentor('M25', {}, async (m) => { await going(E1, m); }, 1099);

	const expected = spec.filter((s) => s.score > 0)
	    .sort((a, b) => b.score - a.score || a.id - b.id);
	assert.equal(spec.length, 25);
	assert.equal(expected.length, 16, '16 of the 25 have a visible reason');
	const r = await get('/v1/mentors/suggestions?limit=50', { token: me.token });
	assert.equal(r.status, 200, r.text);
	const mine = new Set(spec.map((s) => s.id));
	const got = r.json.data.filter((x) => mine.has(x.member.id));
	assert.equal(got.length, r.json.data.length, 'nobody outside the fixture has a reason');
	const names = (list) => list.map((x) => spec.find((s) => s.id === (x.id ?? x.member.id)).name);
	assert.deepEqual(names(got), names(expected));
	assert.deepEqual(got.map((x) => x.score), expected.map((s) => s.score));

	const by = (name) => got.find((x) => x.member.id === M[name].id);
	assert.deepEqual(by('M1').reasons, [
		`You both attended ${E1.title} at Central Library on ${day(E1.starts)}`,
		`You both belong to ${O1.name}`,
	]);
	assert.equal(by('M21').reasons[0],
	    `You both attended ${E1.title} at Central Library on ${day(E1.starts)} and 1 other event`);
	assert.deepEqual(by('M7').reasons, [`You both belong to ${O1.name} and ${O2.name}`,
	    `Mentors in ${tA}, which you are interested in`, `Also based in ${city}`]);
	assert.deepEqual(by('M10').reasons, [`Mentors in ${tA}, ${tB} and ${tC}, which you are interested in`,
	    `Also based in ${city}`]);
	// A hidden affiliation is neither counted nor named.
	assert.deepEqual(by('M8').reasons, [`Mentors in ${tB}, which you are interested in`]);
	for (const x of r.json.data) {
		for (const reason of x.reasons) {
			if (x.member.id === M.M8.id) assert.ok(!reason.includes(O1.name));
		}
		assert.ok(x.reasons.length > 0);
	}
	assert.deepEqual(by('M20').reasons, [`You both attended ${E5.title} at Hall on ${day(E5.starts)}`]);
	// Limits.
	const top3 = await get('/v1/mentors/suggestions?limit=3', { token: me.token });
	assert.deepEqual(top3.json.data.map((x) => x.member.id), got.slice(0, 3).map((x) => x.member.id));
	assertProblem(await get('/v1/mentors/suggestions?limit=51', { token: me.token }), 400, 'limit');
	assertProblem(await get('/v1/mentors/suggestions?limit=0', { token: me.token }), 400, 'limit');
	assertProblem(await get('/v1/mentors/suggestions?cursor=abc', { token: me.token }), 400, 'cursor');
	assertProblem(await get('/v1/mentors/suggestions'), 401);
	// Another viewer for whom M8's affiliations are visible would see them;
	// the caller's own request, once made, removes the mentor.
	assert.equal((await ask(me, M.M1)).status, 201);
	const after = await get('/v1/mentors/suggestions?limit=50', { token: me.token });
	assert.ok(!after.json.data.some((x) => x.member.id === M.M1.id));
});

// The ranking a suggestions page reads is kept per caller (mentor_rankings,
// 0130): after each change that ranks a mentor, the page must be the one
// the same data make afresh (the kept ranking dropped), and must show the
// change.
test('suggestions: a kept ranking follows every change that ranks a mentor', async () => {
	const t = uid();
	const tA = `ka-${t}`, tB = `kb-${t}`, city = `Keeptown ${t}`;
	const admin = await makeMember({ role: 'admin' });
	const me = await makeMember({ interests: [tA, tB], city });
	const [O, O2] = [await makeOrg(admin), await makeOrg(admin)];
	await joinOrg(O, me);
	await joinOrg(O2, me);
	const M = {};
	for (let i = 1; i <= 9; i++) {
		M[i] = await makeMentor({ display_name: `K${i} ${t}`, mentoring_topics: [`zz-${t}`] });
		await joinOrg(O, M[i]);
	}
	const page = async () => {
		const r = await get('/v1/mentors/suggestions?limit=50', { token: me.token });
		assert.equal(r.status, 200, r.text);
		return r.json.data.map((x) => ({ id: x.member.id, score: x.score, reasons: x.reasons }));
	};
	const scoreOf = (p, m) => p.find((x) => x.id === m.id)?.score;
	// The page, which must equal the one made without the kept ranking.
	const fresh = async () => {
		const kept = await page();
		await sql('DELETE FROM mentor_rankings WHERE member_id = $1', [me.id]);
		assert.deepEqual(await page(), kept);
		return kept;
	};
	let p = await fresh();
	assert.deepEqual(p.map((x) => x.id), [1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => M[i].id));
	assert.equal((await sql('SELECT count(*)::int AS n FROM mentor_rankings WHERE member_id = $1',
	    [me.id]))[0].n, 1, 'the ranking is kept');

	// What the mentors change.
	const changes = [
		['a mentor adds a topic', () => patch('/v1/me', { mentoring: { topics: [tA] } },
		    { token: M[1].token }), (q) => scoreOf(q, M[1]) === 110],
		['a mentor joins another organization of the caller', () => joinOrg(O2, M[2]),
		    (q) => scoreOf(q, M[2]) === 200],
		['a mentor leaves', () => sql('DELETE FROM memberships WHERE member_id = $1 AND organization_id = $2',
		    [M[3].id, O.id]), (q) => scoreOf(q, M[3]) === undefined],
		['a mentor hides their affiliations', () => patch('/v1/me',
		    { visibility: { affiliations: 'private' } }, { token: M[4].token }),
		    (q) => scoreOf(q, M[4]) === undefined],
		['a mentor stops mentoring', () => patch('/v1/me', { mentoring: { available: false } },
		    { token: M[5].token }), (q) => scoreOf(q, M[5]) === undefined],
		['a mentor is suspended', () => post(`/v1/members/${M[6].id}/suspend`, undefined,
		    { token: admin.token }), (q) => scoreOf(q, M[6]) === undefined],
		['a mentor moves to the caller\'s city', () => patch('/v1/me', { city: city.toUpperCase() },
		    { token: M[7].token }), (q) => scoreOf(q, M[7]) === 101],
		['a mentor hides their mentoring', () => patch('/v1/me',
		    { visibility: { mentoring: 'private' } }, { token: M[8].token }),
		    (q) => scoreOf(q, M[8]) === undefined],
		['a member becomes a mentor', async () => {
			M[10] = await makeMember({ display_name: `K10 ${t}` });
			await joinOrg(O, M[10]);
			await patch('/v1/me', { mentoring: { available: true, capacity: 2, topics: [tA, tB] } },
			    { token: M[10].token });
		}, (q) => scoreOf(q, M[10]) === 120],
		['a new mentor signs up in the caller\'s city', async () => {
			M[11] = await makeMentor({ display_name: `K11 ${t}`, city });
		}, (q) => scoreOf(q, M[11]) === 1],
		// And what the caller changes.
		['the caller changes interests', () => patch('/v1/me', { interests: [tB] },
		    { token: me.token }), (q) => scoreOf(q, M[1]) === 100 && scoreOf(q, M[10]) === 110],
		['the caller moves', () => patch('/v1/me', { city: `Elsewhere ${t}` },
		    { token: me.token }), (q) => scoreOf(q, M[7]) === 100 && scoreOf(q, M[11]) === undefined],
		['an organization of the caller is archived', () => patch(`/v1/organizations/${O2.id}`,
		    { archived: true }, { token: admin.token }), (q) => scoreOf(q, M[2]) === 100],
		['the caller leaves', () => sql('DELETE FROM memberships WHERE member_id = $1 AND organization_id = $2',
		    [me.id, O.id]), (q) => q.length === 1 && scoreOf(q, M[10]) === 10],
		['the caller becomes a site admin', async () => {
			await joinOrg(O, me);
			await sql(`UPDATE members SET role = 'admin' WHERE id = $1`, [me.id]);
		}, (q) => scoreOf(q, M[8]) === 100 && scoreOf(q, M[4]) === 100],
	];
	for (const [what, change, shows] of changes) {
		const before = await page();
		const r = await change();
		if (r?.status) assert.ok(r.status < 300, `${what}: ${r.status} ${r.text}`);
		p = await fresh();
		assert.ok(shows(p), `${what}: ${JSON.stringify(p.map((x) => [x.id, x.score]))}`);
		assert.notDeepEqual(p, before, what);
	}
});

// The kept ranking holds the first 200 mentors: when all of them are out
// (open mentorships), the page reads the whole ranking.
test('suggestions: past the 200 kept, the rest of the ranking is read', async () => {
	const t = uid();
	const admin = await makeMember();
	const me = await makeMentor({ city: `Farville ${t}` });
	await sql('INSERT INTO email_preferences (member_id, mentorship) VALUES ($1, false)', [me.id]);
	const O = await makeOrg(admin);
	await joinOrg(O, me);
	const ids = (await sql(`WITH m AS (
	        INSERT INTO members (email, display_name, password_hash, mentoring_available,
	            mentoring_capacity, mentoring_topics)
	        SELECT 'far-' || $1 || '-' || i || '@example.org', 'Far ' || $1 || ' ' || i, 'x',
	            true, 1, '{}'
	        FROM generate_series(1, 205) i ORDER BY i RETURNING id)
	    INSERT INTO memberships (organization_id, member_id, role, status)
	    SELECT $2, id, 'member', 'active' FROM m RETURNING member_id`, [t, O.id]))
	    .map((r) => Number(r.member_id)).sort((a, b) => a - b);
	const first = await get('/v1/mentors/suggestions?limit=5', { token: me.token });
	assert.deepEqual(first.json.data.map((x) => x.member.id), ids.slice(0, 5));
	// The first 201 ask the caller for mentoring: open either way, so out.
	await sql(`INSERT INTO mentorships (mentor_id, mentee_id, topic, message)
	    SELECT $1, m, 'archives', 'hello' FROM unnest($2::bigint[]) m`, [me.id, ids.slice(0, 201)]);
	const kept = await sql('SELECT cardinality(ids) AS n, complete FROM mentor_rankings WHERE member_id = $1',
	    [me.id]);
	assert.deepEqual(kept, [{ n: 200, complete: false }]);
	const r = await get('/v1/mentors/suggestions?limit=5', { token: me.token });
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json.data.map((x) => x.member.id), ids.slice(201));
	assert.deepEqual(r.json.data.map((x) => x.score), [100, 100, 100, 100]);
});
