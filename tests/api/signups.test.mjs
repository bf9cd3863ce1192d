// Sign-up lists: organizers add, edit and remove slots; members who are
// going claim and release places; who sees the claimants; claims follow
// the RSVP (released when it stops being "going"); the CSV export names
// what each member signed up for; 50 claims at once for a slot of 5
// places give exactly 5 (the API runs with few pooled connections, so
// requests queue: that is the point).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { get, post, patch, put, del, sql, makeMember, makeMembers, assertProblem } from './lib.mjs';
import { upcomingEvent, going, pastEvent, crowd } from './relations.mjs';

const as = (who) => ({ token: who.token });
const claim = (ev, s, who, body) => put(`/v1/events/${ev.id}/slots/${s.id}/claim`, body, as(who));

test('organizers manage slots; members who are going claim and release', async () => {
	const host = await makeMember();
	const [ana, ben, cy] = await makeMembers(3);
	const stranger = await makeMember();
	const ev = await upcomingEvent(host, { capacity: 2 });
	let r = await post(`/v1/events/${ev.id}/slots`, { title: 'Bring snacks', places: 2,
	    note: 'Something without nuts' }, as(host));
	assert.equal(r.status, 201, r.text);
	const snacks = r.json;
	assert.deepEqual({ ...snacks, id: 0 }, { id: 0, title: 'Bring snacks', note: 'Something without nuts',
	    places: 2, claimed_count: 0, places_left: 2, claimed_by_me: false, claims: [] });
	r = await post(`/v1/events/${ev.id}/slots`, { title: 'Set-up crew', places: 1 }, as(host));
	const crew = r.json;
	// Only organizers add slots; bad input names the field.
	assertProblem(await post(`/v1/events/${ev.id}/slots`, { title: 'Mine', places: 1 }, as(ana)), 403);
	assertProblem(await post(`/v1/events/${ev.id}/slots`, { title: 'x', places: 0 }, as(host)), 400, 'places');
	assertProblem(await post(`/v1/events/${ev.id}/slots`, { title: 'x', places: 101 }, as(host)), 400, 'places');
	assertProblem(await post(`/v1/events/${ev.id}/slots`, { title: ' ', places: 1 }, as(host)), 400, 'title');
	assertProblem(await post(`/v1/events/${ev.id}/slots`, { places: 1 }, as(host)), 400, 'title');
	assertProblem(await post(`/v1/events/${ev.id}/slots`, { title: 'x', places: 1, claims: [] }, as(host)), 400, 'claims');
	assertProblem(await post('/v1/events/999999999999/slots', { title: 'x', places: 1 }, as(host)), 404);

	// Not going yet: no claim.
	r = await claim(ev, snacks, ana);
	assertProblem(r, 409);
	assert.equal(r.json.code, 'not_going');
	await going(ev, ana);
	await going(ev, ben);
	// The event is full: cy is waitlisted, not going.
	assert.equal((await going(ev, cy)).status, 'waitlisted');
	assert.equal((await claim(ev, snacks, cy)).json.code, 'not_going');

	r = await claim(ev, snacks, ana, { note: 'hummus and pita' });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.claimed_count, 1);
	assert.equal(r.json.claimed_by_me, true);
	assert.equal(r.json.claims[0].note, 'hummus and pita');
	// Claiming again changes only the note.
	r = await claim(ev, snacks, ana, { note: 'hummus' });
	assert.equal(r.json.claimed_count, 1);
	assert.equal(r.json.claims[0].note, 'hummus');
	assert.equal((await claim(ev, crew, ana)).status, 200);
	r = await claim(ev, crew, ben);
	assertProblem(r, 409);
	assert.equal(r.json.code, 'slot_full');
	assertProblem(await claim(ev, snacks, ana, { note: 'x'.repeat(201) }), 400, 'note');
	assertProblem(await put(`/v1/events/${ev.id}/slots/999999999999/claim`, undefined, as(ana)), 404);

	// Who sees whom: organizers and members going see claimants, others counts.
	const view = async (who) => (await get(`/v1/events/${ev.id}/slots`, who ? as(who) : {})).json.data;
	assert.deepEqual((await view(host)).map((s) => s.claims.map((c) => c.member.id)), [[ana.id], [ana.id]]);
	assert.deepEqual((await view(ben)).map((s) => s.claims.length), [1, 1]);
	for (const who of [stranger, cy, null]) {
		const v = await view(who);
		assert.deepEqual(v.map((s) => [s.title, s.claimed_count, s.claims]), [['Bring snacks', 1, null], ['Set-up crew', 1, null]]);
	}

	// Places never below what is claimed.
	r = await patch(`/v1/events/${ev.id}/slots/${crew.id}`, { places: 0 }, as(host));
	assertProblem(r, 400, 'places');
	r = await patch(`/v1/events/${ev.id}/slots/${snacks.id}`, { places: 5, title: 'Bring food', note: null }, as(host));
	assert.equal(r.status, 200, r.text);
	assert.deepEqual([r.json.title, r.json.places, r.json.places_left, r.json.note], ['Bring food', 5, 4, null]);
	await claim(ev, snacks, ben);
	r = await patch(`/v1/events/${ev.id}/slots/${snacks.id}`, { places: 1 }, as(host));
	assertProblem(r, 409, 'places');
	assert.equal(r.json.code, 'places_claimed');
	assertProblem(await patch(`/v1/events/${ev.id}/slots/${snacks.id}`, { places: 3 }, as(ana)), 403);

	// The CSV names what each member signed up for.
	const csv = await get(`/v1/events/${ev.id}/rsvps`, { ...as(host), headers: { accept: 'text/csv' } });
	assert.equal(csv.status, 200, csv.text);
	const lines = csv.text.trim().split('\r\n');
	assert.equal(lines[0], 'member_id,display_name,response,status,waitlist_position,guests,requested_at,attended,signups');
	const line = (m) => lines.find((l) => l.startsWith(`${m.id},`));
	assert.match(line(ana), /,"Bring food; Set-up crew"$/);
	assert.match(line(ben), /,"Bring food"$/);
	assert.match(line(cy), /,$/);

	// Release, idempotent.
	assert.equal((await del(`/v1/events/${ev.id}/slots/${crew.id}/claim`, as(ana))).status, 204);
	assert.equal((await del(`/v1/events/${ev.id}/slots/${crew.id}/claim`, as(ana))).status, 204);
	assert.equal((await claim(ev, crew, ben)).status, 200);
	// A withdrawn RSVP releases its claims (and cy moves up from the waitlist).
	assert.equal((await del(`/v1/events/${ev.id}/rsvp`, as(ben))).status, 204);
	let slots = await view(host);
	assert.deepEqual(slots.map((s) => s.claimed_count), [1, 0]);
	// So does turning "maybe".
	await put(`/v1/events/${ev.id}/rsvp`, { response: 'maybe' }, as(ana));
	slots = await view(host);
	assert.deepEqual(slots.map((s) => s.claimed_count), [0, 0]);
	const counts = await sql('SELECT claimed, (SELECT count(*)::int FROM signup_claims c WHERE c.slot_id = s.id) AS n FROM signup_slots s WHERE event_id = $1 ORDER BY id', [ev.id]);
	assert.deepEqual(counts.map((x) => [x.claimed, x.n]), [[0, 0], [0, 0]]);

	// Removing a slot removes its claims.
	assert.equal((await claim(ev, crew, cy)).status, 200);
	assert.equal((await del(`/v1/events/${ev.id}/slots/${crew.id}`, as(ana))).status, 403);
	assert.equal((await del(`/v1/events/${ev.id}/slots/${crew.id}`, as(host))).status, 204);
	assert.deepEqual((await view(host)).map((s) => s.title), ['Bring food']);
	assertProblem(await del(`/v1/events/${ev.id}/slots/${crew.id}`, as(host)), 404);
});

test('no sign-ups once an event is cancelled or over; hidden events stay hidden', async () => {
	const host = await makeMember();
	const m = await makeMember();
	const ev = await upcomingEvent(host);
	const s = (await post(`/v1/events/${ev.id}/slots`, { title: 'Chairs', places: 3 }, as(host))).json;
	await going(ev, m);
	assert.equal((await post(`/v1/events/${ev.id}/cancel`, { reason: 'rain' }, as(host))).status, 200);
	let r = await claim(ev, s, m);
	assertProblem(r, 409);
	assert.equal(r.json.code, 'event_cancelled');
	assert.equal((await post(`/v1/events/${ev.id}/slots`, { title: 'x', places: 1 }, as(host))).json.code, 'event_cancelled');
	const past = await pastEvent(host, [m]);
	r = await post(`/v1/events/${past}/slots`, { title: 'x', places: 1 }, as(host));
	assert.equal(r.json.code, 'event_ended');
	await sql('UPDATE events SET hidden_at = now() WHERE id = $1', [ev.id]);
	assertProblem(await get(`/v1/events/${ev.id}/slots`, as(m)), 404);
	assert.equal((await get(`/v1/events/${ev.id}/slots`, as(host))).status, 200);
});

test('an event has at most 50 slots', async () => {
	const host = await makeMember();
	const ev = await upcomingEvent(host);
	await sql(`INSERT INTO signup_slots (event_id, title, places)
	    SELECT $1, 'slot ' || g, 1 FROM generate_series(1, 50) g`, [ev.id]);
	const r = await post(`/v1/events/${ev.id}/slots`, { title: 'one more', places: 1 }, as(host));
	assertProblem(r, 409);
	assert.equal(r.json.code, 'too_many_slots');
	assert.equal((await get(`/v1/events/${ev.id}/slots`)).json.data.length, 50);
});

test('50 claims at once for 5 places: exactly 5', async () => {
	const host = await makeMember();
	const ev = await upcomingEvent(host);
	const slot = (await post(`/v1/events/${ev.id}/slots`, { title: 'Bring snacks', places: 5 }, as(host))).json;
	const people = await crowd(50);
	await sql(`INSERT INTO rsvps (event_id, member_id, response, status)
	    SELECT $1, m, 'going', 'going' FROM unnest($2::bigint[]) m`, [ev.id, people.map((p) => p.id)]);
	const res = await Promise.all(people.map((p) =>
	    put(`/v1/events/${ev.id}/slots/${slot.id}/claim`, undefined, as(p))));
	const ok = res.filter((r) => r.status === 200);
	const full = res.filter((r) => r.status === 409);
	assert.equal(ok.length, 5, res.filter((r) => r.status !== 200 && r.status !== 409).map((r) => r.text).join('\n'));
	assert.equal(full.length, 45);
	assert.ok(full.every((r) => r.json.code === 'slot_full'));
	const rows = await sql(`SELECT s.claimed, (SELECT count(*)::int FROM signup_claims c WHERE c.slot_id = s.id) AS n
	    FROM signup_slots s WHERE s.id = $1`, [slot.id]);
	assert.deepEqual([rows[0].claimed, rows[0].n], [5, 5]);
	// The five told they have a place are the five who hold one.
	const holders = (await sql('SELECT member_id FROM signup_claims WHERE slot_id = $1', [slot.id]))
	    .map((r) => Number(r.member_id)).sort();
	const told = people.filter((_, i) => res[i].status === 200).map((p) => p.id).sort();
	assert.deepEqual(holders, told);
	// The schema holds the line even without the API's lock.
	await assert.rejects(sql(`INSERT INTO signup_claims (slot_id, member_id) VALUES ($1, $2)`,
	    [slot.id, people.find((p) => !told.includes(p.id)).id]), /signup_slots_check|check constraint/);
});
