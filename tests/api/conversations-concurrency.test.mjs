// Conversations under concurrency: 30 first messages at once from one
// sender (exactly 20 start, 10 get 429 with Retry-After, and replies are
// not limited); two members writing to each other at the same moment get
// one conversation.  The API runs with few pooled connections
// (tests/run.sh: 2 workers x 3), so requests queue: that is the point.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { get, post, sql, makeMember } from './lib.mjs';
import { crowd } from './relations.mjs';

const as = (who) => ({ token: who.token });

test('20 first messages a day, exact under concurrency', async () => {
	const sender = await makeMember();
	const people = await crowd(31);
	// One conversation from 25 hours ago no longer counts.
	const old = await post('/v1/conversations', { member_id: people[30].id, text: 'long ago' }, as(sender));
	assert.equal(old.status, 201, old.text);
	await sql(`UPDATE conversations SET created_at = now() - interval '25 hours' WHERE id = $1`, [old.json.id]);

	const res = await Promise.all(people.slice(0, 30).map((p, i) =>
	    post('/v1/conversations', { member_id: p.id, text: `Hello number ${i}` }, as(sender))));
	const started = res.filter((r) => r.status === 201);
	const limited = res.filter((r) => r.status === 429);
	assert.equal(started.length, 20, res.filter((r) => r.status !== 201 && r.status !== 429).map((r) => r.text).join('\n'));
	assert.equal(limited.length, 10);
	for (const r of limited) {
		assert.equal(r.json.code, 'rate_limited');
		const retry = Number(r.headers.get('retry-after'));
		assert.ok(retry > 86000 && retry <= 86400, `Retry-After ${retry}`);
	}
	const rows = await sql(`SELECT count(*)::int AS n FROM conversations
	    WHERE started_by = $1 AND created_at > now() - interval '24 hours'`, [sender.id]);
	assert.equal(rows[0].n, 20);
	const msgs = await sql(`SELECT count(*)::int AS n FROM messages WHERE sender_id = $1`, [sender.id]);
	assert.equal(msgs[0].n, 21, 'nothing of a refused start was kept');
	// Replies are not limited, nor is writing again to someone one talks to.
	const id = started[0].json.id;
	assert.equal((await post(`/v1/conversations/${id}/messages`, { text: 'a reply' }, as(sender))).status, 201);
	assert.equal((await post('/v1/conversations', { member_id: people[30].id, text: 'again' }, as(sender))).status, 200);
	const more = await post('/v1/conversations', { member_id: (await makeMember({ invitations: 'anyone' })).id,
	    text: 'one too many' }, as(sender));
	assert.equal(more.status, 429);
	// The recipients of refused starts have nothing.
	const refusedTo = people.slice(0, 30).filter((_, i) => res[i].status === 429);
	for (const p of refusedTo.slice(0, 3)) {
		assert.equal((await get('/v1/conversations', as(p))).json.data.length, 0);
	}
});

test('two members writing to each other at the same moment get one conversation', async () => {
	const people = await crowd(20);
	const pairs = Array.from({ length: 10 }, (_, i) => [people[2 * i], people[2 * i + 1]]);
	const res = await Promise.all(pairs.flatMap(([a, b]) => [
		post('/v1/conversations', { member_id: b.id, text: `from ${a.id}` }, as(a)),
		post('/v1/conversations', { member_id: a.id, text: `from ${b.id}` }, as(b)),
	]));
	for (let i = 0; i < 10; i++) {
		const [x, y] = [res[2 * i], res[2 * i + 1]];
		assert.deepEqual([x.status, y.status].sort(), [200, 201], `${x.text}\n${y.text}`);
		assert.equal(x.json.id, y.json.id);
		const [a, b] = pairs[i];
		const n = await sql(`SELECT count(*)::int AS n FROM conversations
		    WHERE member_low = least($1::bigint, $2::bigint) AND member_high = greatest($1::bigint, $2::bigint)`, [a.id, b.id]);
		assert.equal(n[0].n, 1);
		const m = await sql('SELECT count(*)::int AS n FROM messages WHERE conversation_id = $1', [x.json.id]);
		assert.equal(m[0].n, 2);
	}
});
