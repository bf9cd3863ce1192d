// What two members may share, made for the tests of conversations, thanks
// and sign-ups: met at an event, the same organization, a mentorship
// pair, collaboration partners.  Past events and their RSVPs are made in
// SQL (the API takes no RSVP once an event has ended); everything else
// through the API, as members make it.
import assert from 'node:assert/strict';
import { post, patch, put, sql, uid, makeOrg, newToken } from './lib.mjs';

const as = (who) => ({ token: who.token });
export const at = (hours) => new Date(Date.now() + hours * 3600 * 1000)
    .toISOString().replace(/\.\d+Z$/, 'Z');

// An event that ended `agoHours` ago, organized by host, where every
// member of `going` took part (an RSVP "going").  Returns its id.
export async function pastEvent(host, going, { agoHours = 48, title } = {}) {
	const rows = await sql(`INSERT INTO events (title, kind, starts_at, ends_at,
	    timezone, created_by)
	    VALUES ($1, 'social', now() - make_interval(hours => $2 + 2),
	        now() - make_interval(hours => $2), 'UTC', $3) RETURNING id`,
	    [title || `Past party ${uid()}`, agoHours, host.id]);
	const id = Number(rows[0].id);
	await sql(`INSERT INTO event_organizers (event_id, member_id) VALUES ($1, $2)`,
	    [id, host.id]);
	for (const m of going) {
		await sql(`INSERT INTO rsvps (event_id, member_id, response, status)
		    VALUES ($1, $2, 'going', 'going')`, [id, m.id]);
	}
	return id;
}

// An upcoming event by host (through the API).
export async function upcomingEvent(host, fields = {}) {
	const r = await post('/v1/events', { title: `Party ${uid()}`, kind: 'social',
	    starts_at: at(48), ends_at: at(51), timezone: 'UTC', ...fields }, as(host));
	assert.equal(r.status, 201, r.text);
	return r.json;
}

export async function going(ev, who) {
	const r = await put(`/v1/events/${ev.id}/rsvp`, { response: 'going' }, as(who));
	assert.equal(r.status, 200, r.text);
	return r.json;
}

// a and b, active members of one new organization (a its admin).
export async function sameOrg(a, b) {
	const org = await makeOrg(a);
	await sql(`INSERT INTO memberships (organization_id, member_id, status)
	    VALUES ($1, $2, 'active')`, [org.id, b.id]);
	return org;
}

// An accepted mentorship: mentor (made available for it) and mentee.
export async function mentorshipPair(mentor, mentee, { complete = false } = {}) {
	await sql(`UPDATE members SET mentoring_available = true,
	    mentoring_capacity = greatest(mentoring_capacity, 5) WHERE id = $1`, [mentor.id]);
	let r = await post('/v1/mentorships', { mentor_id: mentor.id, topic: 'archives',
	    message: 'Could you help me with archives?' }, as(mentee));
	assert.equal(r.status, 201, r.text);
	const id = r.json.id;
	r = await patch(`/v1/mentorships/${id}`, { status: 'accepted' }, as(mentor));
	assert.equal(r.status, 200, r.text);
	if (complete) {
		r = await patch(`/v1/mentorships/${id}`, { status: 'completed' }, as(mentor));
		assert.equal(r.status, 200, r.text);
	}
	return r.json;
}

// A collaboration owned by a where b is an approved participant.
export async function collabPartners(a, b) {
	let r = await post('/v1/collaborations', { title: `Shared project ${uid()}`,
	    summary: 'Working together' }, as(a));
	assert.equal(r.status, 201, r.text);
	const c = r.json;
	r = await post(`/v1/collaborations/${c.id}/participants`, { message: 'Count me in' }, as(b));
	assert.equal(r.status, 201, r.text);
	r = await patch(`/v1/collaborations/${c.id}/participants/${r.json.id}`,
	    { status: 'approved' }, as(a));
	assert.equal(r.status, 200, r.text);
	return c;
}

export async function block(blocker, blocked) {
	const r = await put(`/v1/me/blocks/${blocked.id}`, undefined, as(blocker));
	assert.equal(r.status, 200, r.text);
	return r.json;
}

// n members with live session tokens (invitations: anyone), made in SQL
// in two statements: the crowds of the concurrency tests.
export async function crowd(n, invitations = 'anyone') {
	const tag = uid();
	const tokens = Array.from({ length: n }, () => newToken());
	const rows = await sql(`INSERT INTO members (email, display_name, password_hash, invitations)
	    SELECT 'k-' || $1 || '-' || i || '@example.org', 'Crowd ' || $1 || ' ' || i, 'x', $3
	    FROM generate_series(1, $2) i ORDER BY i RETURNING id`, [tag, n, invitations]);
	const ids = rows.map((x) => Number(x.id));
	await sql(`INSERT INTO sessions (member_id, token_hash, kind, expires_at)
	    SELECT m, h, 'session', now() + interval '1 day'
	    FROM unnest($1::bigint[], $2::bytea[]) AS t(m, h)`, [ids, tokens.map((t) => t.hash)]);
	return ids.map((id, i) => ({ id, token: tokens[i].token }));
}
