// RSVPs and invitations under concurrency: 400 simultaneous RSVPs at an
// event with 100 places (exactly 100 going, a gapless FCFS waitlist),
// then 50 simultaneous withdrawals promoting exactly the first 50 of the
// waitlist, three times over; and the invitation cap under two
// simultaneous requests.  The API runs with few pooled connections
// (tests/run.sh: 2 workers x 3), so requests queue: that is the point.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { get, post, put, del, sql, uid, makeMember, bulkMembers } from './lib.mjs';

const at = (hours) => new Date(Date.now() + hours * 3600 * 1000).toISOString().replace(/\.\d+Z$/, 'Z');


async function scenario(round) {
	const host = await makeMember();
	const c = await post('/v1/events', { title: `Holiday party ${round} ${uid()}`, kind: 'social',
	    starts_at: at(72), ends_at: at(75), timezone: 'America/Chicago', capacity: 100 },
	    { token: host.token });
	assert.equal(c.status, 201, c.text);
	const ev = c.json;
	const people = await bulkMembers(400);

	// 400 RSVPs at once.
	const res = await Promise.all(people.map((p) =>
	    put(`/v1/events/${ev.id}/rsvp`, { response: 'going' }, { token: p.token })));
	const bad = res.filter((r) => r.status !== 200);
	assert.equal(bad.length, 0, `round ${round}: ${bad.length} failed: ${bad[0]?.text}`);
	const going = res.filter((r) => r.json.status === 'going');
	const waiting = res.filter((r) => r.json.status === 'waitlisted');
	assert.equal(going.length, 100);
	assert.equal(waiting.length, 300);
	// Positions as answered: a permutation of 1..300 (no gaps, no duplicates).
	assert.deepEqual(waiting.map((r) => r.json.waitlist_position).sort((a, b) => a - b),
	    Array.from({ length: 300 }, (_, i) => i + 1));

	const rows = await sql(`SELECT member_id, status, requested_at, api.waitlist_position(r) AS pos
	    FROM rsvps r WHERE event_id = $1 ORDER BY requested_at, id`, [ev.id]);
	assert.equal(rows.length, 400, 'lost or duplicated RSVPs');
	assert.equal(new Set(rows.map((r) => r.member_id)).size, 400);
	// Everybody going asked before everybody waitlisted, and the waitlist
	// is in request order.
	assert.deepEqual(rows.map((r) => r.status),
	    [...Array(100).fill('going'), ...Array(300).fill('waitlisted')]);
	assert.deepEqual(rows.slice(100).map((r) => r.pos), Array.from({ length: 300 }, (_, i) => i + 1));
	// What each member was told is what the database holds.
	const told = new Map(people.map((p, i) => [p.id, res[i].json]));
	for (const r of rows) {
		const t = told.get(Number(r.member_id));
		assert.equal(t.status, r.status);
		if (r.status === 'waitlisted') assert.equal(t.waitlist_position, r.pos);
	}
	const firstWaiting = rows.slice(100, 150).map((r) => Number(r.member_id));

	// 50 withdrawals at once, half DELETE, half not_going.
	const leavers = rows.slice(0, 100).filter((_, i) => i % 2 === 0)
	    .map((r) => people.find((p) => p.id === Number(r.member_id)));
	const out = await Promise.all(leavers.map((p, i) => (i % 2 === 0
	    ? del(`/v1/events/${ev.id}/rsvp`, { token: p.token })
	    : put(`/v1/events/${ev.id}/rsvp`, { response: 'not_going' }, { token: p.token }))));
	assert.deepEqual([...new Set(out.map((r) => r.status))].sort(), [200, 204]);
	const after = await sql(`SELECT member_id, status FROM rsvps WHERE event_id = $1
	    ORDER BY requested_at, id`, [ev.id]);
	assert.equal(after.length, 375, 'DELETE removed 25 rows; not_going kept 25');
	const nowGoing = after.filter((r) => r.status === 'going').map((r) => Number(r.member_id));
	assert.equal(nowGoing.length, 100);
	// Exactly the first 50 of the waitlist were promoted.
	assert.deepEqual(nowGoing.filter((id) => firstWaiting.includes(id)).sort(),
	    [...firstWaiting].sort());
	assert.equal(after.filter((r) => r.status === 'waitlisted').length, 250);
	assert.equal(after.filter((r) => r.status === 'not_going').length, 25);
	const notes = await sql(`SELECT member_id FROM notifications WHERE type = 'rsvp_promoted'
	    AND subject_id = $1`, [ev.id]);
	assert.deepEqual(notes.map((n) => Number(n.member_id)).sort(), [...firstWaiting].sort());
	const e = (await get(`/v1/events/${ev.id}`)).json;
	assert.equal(e.going_count, 100);
	assert.equal(e.places_left, 0);
	assert.equal(e.waitlist_count, 250);
	// The waitlist is still gapless from 1.
	const pos = await sql(`SELECT api.waitlist_position(r) AS p FROM rsvps r
	    WHERE event_id = $1 AND status = 'waitlisted' ORDER BY 1`, [ev.id]);
	assert.deepEqual(pos.map((r) => r.p), Array.from({ length: 250 }, (_, i) => i + 1));
}

test('400 concurrent RSVPs for 100 places, then 50 concurrent withdrawals (3 rounds)', async () => {
	for (let round = 1; round <= 3; round++) await scenario(round);
});

test('the invitation cap holds under two concurrent requests', async () => {
	const sender = await makeMember();
	const mk = async () => (await post('/v1/events', { title: `Cap ${uid()}`, kind: 'meetup',
	    starts_at: at(24), ends_at: at(26), timezone: 'UTC' }, { token: sender.token })).json;
	const ev = await mk();
	const other = await mk();
	const filler = await bulkMembers(190);
	await sql(`INSERT INTO invitations (event_id, sender_id, recipient_id, reason, created_at)
	    SELECT $1, $2, m, 'open to invitations from anyone', now() - interval '1 hour'
	    FROM unnest($3::bigint[]) m`, [other.id, sender.id, filler.map((f) => f.id)]);
	for (let round = 0; round < 3; round++) {
		await sql(`DELETE FROM invitations WHERE sender_id = $1 AND event_id = $2`, [sender.id, ev.id]);
		const to = await bulkMembers(20, { invitations: 'anyone' });
		const [a, b] = await Promise.all([
			post(`/v1/events/${ev.id}/invitations`, { member_ids: to.slice(0, 10).map((m) => m.id) },
			    { token: sender.token }),
			post(`/v1/events/${ev.id}/invitations`, { member_ids: to.slice(10).map((m) => m.id) },
			    { token: sender.token }),
		]);
		assert.deepEqual([a.status, b.status].sort(), [200, 429], `${a.text} ${b.text}`);
		const okOne = a.status === 200 ? a : b;
		assert.equal(okOne.json.remaining, 0);
		assert.ok(okOne.json.results.every((r) => r.result === 'invited'));
		const n = (await sql('SELECT count(*)::int AS n FROM invitations WHERE sender_id = $1',
		    [sender.id]))[0].n;
		assert.equal(n, 200);
		const notified = (await sql(`SELECT count(*)::int AS n FROM notifications
		    WHERE type = 'invitation_received' AND member_id = ANY($1::bigint[])`,
		    [to.map((m) => m.id)]))[0].n;
		assert.equal(notified, 10);
	}
});

// The counts an event carries (going_count, waitlist_count, places_taken,
// places_left) are kept on the event row in the transactions that change
// RSVPs: after a burst of concurrent RSVPs (some bringing guests) and
// withdrawals, a signed-in page differs from the page before only in the
// event's counts, which are what its RSVPs say.
test('a signed-in page before and after a burst of RSVPs differs only by the counts', async () => {
	const host = await makeMember();
	const viewer = await makeMember();
	const starts = at(24 * 400 + Math.floor(Math.random() * 1000));
	const c = await post('/v1/events', { title: `Counted party ${uid()}`, kind: 'social',
	    starts_at: starts, ends_at: new Date(Date.parse(starts) + 7200e3).toISOString()
	        .replace(/\.\d+Z$/, 'Z'), timezone: 'America/Chicago', capacity: 30,
	    guest_limit: 2 }, { token: host.token });
	assert.equal(c.status, 201, c.text);
	const ev = c.json;
	const page = () => get(`/v1/events?limit=5&from=${encodeURIComponent(starts)}`,
	    { token: viewer.token });
	const before = await page();
	assert.equal(before.status, 200);
	assert.ok(before.json.data.some((e) => e.id === ev.id));

	const people = await bulkMembers(60);
	const res = await Promise.all(people.map((p, i) => put(`/v1/events/${ev.id}/rsvp`,
	    { response: i % 10 === 9 ? 'maybe' : 'going', guests: i % 3 === 0 ? 2 : 0 },
	    { token: p.token })));
	assert.deepEqual(res.filter((r) => r.status !== 200).map((r) => r.text), []);
	const gone = await Promise.all(people.slice(0, 15).map((p) =>
	    del(`/v1/events/${ev.id}/rsvp`, { token: p.token })));
	assert.deepEqual(gone.map((r) => r.status), Array(15).fill(204));

	const [truth] = await sql(`SELECT count(*) FILTER (WHERE status = 'going') AS going,
	    count(*) FILTER (WHERE status = 'waitlisted') AS waiting,
	    coalesce(sum(1 + guests) FILTER (WHERE status = 'going'), 0) AS taken
	    FROM rsvps WHERE event_id = $1`, [ev.id]);
	const after = await page();
	assert.equal(after.status, 200);
	const want = structuredClone(before.json);
	const mine = want.data.find((e) => e.id === ev.id);
	Object.assign(mine, { going_count: Number(truth.going),
	    waitlist_count: Number(truth.waiting), places_taken: Number(truth.taken),
	    places_left: Math.max(30 - Number(truth.taken), 0) });
	assert.deepEqual(after.json, want);
	assert.ok(Number(truth.waiting) > 0 && Number(truth.taken) <= 30, JSON.stringify(truth));
	// Byte for byte: the page's text is the text before with the event's
	// four counts replaced (and so its strong ETag changes only then).
	const span = (text) => {
		const start = text.indexOf(`{"id": ${ev.id}, "city": `);
		assert.ok(start > 0, 'the event is on the page');
		let depth = 0;
		for (let i = start, quoted = false; i < text.length; i++) {
			const ch = text[i];
			if (quoted) {
				if (ch === '\\') i++;
				else if (ch === '"') quoted = false;
			} else if (ch === '"') {
				quoted = true;
			} else if (ch === '{') {
				depth++;
			} else if (ch === '}' && --depth === 0) {
				return [start, i + 1];
			}
		}
		assert.fail('unterminated event object');
	};
	const [b0, b1] = span(before.text);
	const [a0, a1] = span(after.text);
	assert.equal(after.text.slice(0, a0), before.text.slice(0, b0));
	assert.equal(after.text.slice(a1), before.text.slice(b1));
	const counted = before.text.slice(b0, b1)
	    .replace('"going_count": 0', `"going_count": ${truth.going}`)
	    .replace('"places_left": 30', `"places_left": ${Math.max(30 - Number(truth.taken), 0)}`)
	    .replace('"places_taken": 0', `"places_taken": ${truth.taken}`)
	    .replace('"waitlist_count": 0', `"waitlist_count": ${truth.waiting}`);
	assert.equal(after.text.slice(a0, a1), counted);
});
