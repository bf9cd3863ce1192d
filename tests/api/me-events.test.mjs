// "My events" (GET /v1/me/events): the events the caller organizes, is
// going to, is waitlisted for or is invited to, upcoming (soonest first)
// or past (latest first), each with its relations and the caller's RSVP
// (status, waitlist position); keyset pages whose cursors belong to the
// caller and the filters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { get, post, put, sql, makeMember, makeMembers, assertProblem } from './lib.mjs';
import { at, going, pastEvent, upcomingEvent } from './relations.mjs';

const as = (who) => ({ token: who.token });
const mine = async (who, qs = '') => {
	const r = await get(`/v1/me/events${qs}`, as(who));
	assert.equal(r.status, 200, r.text);
	return r.json;
};
const brief = (list) => list.data.map((x) => ({ id: x.event.id, relations: x.relations,
    status: x.event.my_rsvp?.status ?? null, position: x.event.my_rsvp?.waitlist_position ?? null }));

test('upcoming and past, each relation, the RSVP status and waitlist position', async () => {
	const [me, host, other] = await makeMembers(3);
	// Soonest first: full (me waitlisted, 2nd), open (me going), my own
	// (organizing), invited, cancelled (me going: still listed).
	const full = await upcomingEvent(host, { capacity: 1, starts_at: at(10), ends_at: at(12) });
	const open = await upcomingEvent(host, { starts_at: at(20), ends_at: at(22) });
	const own = await upcomingEvent(me, { starts_at: at(30), ends_at: at(32) });
	const invited = await upcomingEvent(host, { starts_at: at(40), ends_at: at(42) });
	const cancelled = await upcomingEvent(host, { starts_at: at(50), ends_at: at(52) });
	const unrelated = await upcomingEvent(host, { starts_at: at(15), ends_at: at(16) });
	await going(full, other);
	const waiter = await makeMember();
	assert.equal((await going(full, waiter)).status, 'waitlisted');
	assert.equal((await going(full, me)).status, 'waitlisted');
	await going(open, me);
	await going(cancelled, me);
	await put(`/v1/events/${unrelated.id}/rsvp`, { response: 'maybe' }, as(me));
	let r = await post(`/v1/events/${cancelled.id}/cancel`, { reason: 'Snow' }, as(host));
	assert.equal(r.status, 200, r.text);
	await sql(`INSERT INTO invitations (event_id, sender_id, recipient_id, reason)
	    VALUES ($1, $2, $3, 'you both like zines')`, [invited.id, host.id, me.id]);
	const pastGoing = await pastEvent(host, [me], { agoHours: 48 });
	const pastOwn = await pastEvent(me, [], { agoHours: 24 });

	assert.deepEqual(brief(await mine(me)), [
		{ id: full.id, relations: ['waitlisted'], status: 'waitlisted', position: 2 },
		{ id: open.id, relations: ['going'], status: 'going', position: null },
		{ id: own.id, relations: ['organizing'], status: null, position: null },
		{ id: invited.id, relations: ['invited'], status: null, position: null },
		{ id: cancelled.id, relations: ['going'], status: 'going', position: null },
	]);
	assert.deepEqual(brief(await mine(me, '?when=upcoming')), brief(await mine(me)));
	const list = await mine(me);
	assert.equal(list.data[4].event.status, 'cancelled');
	assert.equal(list.data[0].event.title, full.title);

	// Past: latest first.
	assert.deepEqual(brief(await mine(me, '?when=past')), [
		{ id: pastOwn, relations: ['organizing'], status: null, position: null },
		{ id: pastGoing, relations: ['going'], status: 'going', position: null },
	]);
	// One relation.
	const ids = async (qs) => (await mine(me, qs)).data.map((x) => x.event.id);
	assert.deepEqual(await ids('?relation=waitlisted'), [full.id]);
	assert.deepEqual(await ids('?relation=going'), [open.id, cancelled.id]);
	assert.deepEqual(await ids('?relation=organizing'), [own.id]);
	assert.deepEqual(await ids('?relation=invited'), [invited.id]);
	assert.deepEqual(await ids('?when=past&relation=going'), [pastGoing]);
	// The host organizes the five upcoming ones.
	assert.equal((await mine(host, '?relation=organizing&limit=100')).data.length, 5);

	// Once the invitation is answered "accepted", the member is going: one relation.
	await sql(`UPDATE invitations SET status = 'accepted' WHERE event_id = $1`, [invited.id]);
	assert.deepEqual(await ids('?relation=invited'), []);

	// A member with nothing: an empty page.
	const nobody = await makeMember();
	assert.deepEqual(await mine(nobody), { data: [], next_cursor: null });
});

test('keyset pages; cursors belong to the caller, the list and its filters', async () => {
	const [me, them] = await makeMembers(2);
	const evs = [];
	for (let i = 0; i < 5; i++) evs.push(await upcomingEvent(me, { starts_at: at(100 + i), ends_at: at(101 + i) }));
	// Two start at the same time: the id breaks the tie.
	evs.push(await upcomingEvent(me, { starts_at: at(102), ends_at: at(103) }));
	const all = (await mine(me, '?limit=100')).data.map((x) => x.event.id);
	assert.equal(all.length, 6);
	const seen = [];
	let cursor = null;
	let pages = 0;
	do {
		const r = await get(`/v1/me/events?limit=2${cursor ? `&cursor=${cursor}` : ''}`, as(me));
		assert.equal(r.status, 200, r.text);
		seen.push(...r.json.data.map((x) => x.event.id));
		cursor = r.json.next_cursor;
		if (cursor) assert.match(r.headers.get('link') || '', /rel="next"/);
		pages++;
	} while (cursor && pages < 10);
	assert.deepEqual(seen, all);
	assert.equal(pages, 3);

	const first = await mine(me, '?limit=2');
	assertProblem(await get(`/v1/me/events?limit=2&relation=going&cursor=${first.next_cursor}`, as(me)), 400, 'cursor');
	assertProblem(await get(`/v1/me/events?limit=2&when=past&cursor=${first.next_cursor}`, as(me)), 400, 'cursor');
	assertProblem(await get(`/v1/me/events?limit=2&cursor=${first.next_cursor}`, as(them)), 400, 'cursor');
	// The limit may change.
	const r = await get(`/v1/me/events?limit=3&cursor=${first.next_cursor}`, as(me));
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json.data.map((x) => x.event.id), all.slice(2, 5));
});

test('bad input and no token', async () => {
	const me = await makeMember();
	assertProblem(await get('/v1/me/events'), 401);
	assertProblem(await get('/v1/me/events?when=soon', as(me)), 400, 'when');
	assertProblem(await get('/v1/me/events?relation=maybe', as(me)), 400, 'relation');
	assertProblem(await get('/v1/me/events?limit=0', as(me)), 400, 'limit');
	assertProblem(await get('/v1/me/events?cursor=nonsense', as(me)), 400, 'cursor');
});
