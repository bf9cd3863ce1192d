// The seed's story, end to end through the API (issue 19): two librarians
// who only hear from people they have met go to the same party; afterwards
// one writes to the other, who answers; one thanks the other for the
// party; and each finds the other among the people nearby.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { get, post, patch, uid, makeMember, assertProblem } from './lib.mjs';
import { pastEvent } from './relations.mjs';

const as = (who) => ({ token: who.token });

test('two people meet at a party, message each other, one thanks the other, both are nearby', async () => {
	const host = await makeMember();
	const ana = await makeMember({ display_name: `Ana ${uid()}`, invitations: 'met' });
	const ben = await makeMember({ display_name: `Ben ${uid()}`, invitations: 'met' });

	// Before they meet, neither may write to the other.
	let r = await post('/v1/conversations', { member_id: ben.id, text: 'Hello?' }, as(ana));
	assertProblem(r, 403);
	assert.equal(r.json.code, 'not_accepting');

	// The party.
	const party = await pastEvent(host, [ana, ben], { title: `Winter party ${uid()}` });

	// Ana writes; Ben reads and answers.
	r = await post('/v1/conversations', { member_id: ben.id,
	    text: 'Lovely to meet you at the party! Coffee next week?' }, as(ana));
	assert.equal(r.status, 201, r.text);
	const id = r.json.id;
	r = await get('/v1/conversations', as(ben));
	assert.equal(r.json.unread_count, 1);
	assert.equal(r.json.data[0].member.id, ana.id);
	r = await post(`/v1/conversations/${id}/messages`, { text: 'Yes! Tuesday?' }, as(ben));
	assert.equal(r.status, 201, r.text);
	r = await get(`/v1/conversations/${id}`, as(ana));
	assert.deepEqual(r.json.messages.data.map((m) => m.text),
	    ['Yes! Tuesday?', 'Lovely to meet you at the party! Coffee next week?']);

	// Ben thanks Ana for the party they were both at.
	r = await post(`/v1/members/${ana.id}/thanks`,
	    { text: 'Thanks for introducing me to everyone.', event_id: party }, as(ben));
	assert.equal(r.status, 201, r.text);
	r = await get('/v1/me/thanks', as(ana));
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json.data.map((t) => [t.from.id, t.about.id]), [[ben.id, party]]);

	// They live about 2 km apart, in a region no other test uses.
	const base = [-50 - Math.random() * 10, -170 + Math.random() * 20];
	for (const [who, dlat] of [[ana, 0], [ben, 0.018]]) {
		r = await patch('/v1/me', { home_latitude: base[0] + dlat, home_longitude: base[1] }, as(who));
		assert.equal(r.status, 200, r.text);
	}
	for (const [who, other] of [[ana, ben], [ben, ana]]) {
		r = await get('/v1/members?near=my_home&within_km=5', as(who));
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(r.json.data.map((p) => [p.id, p.distance_band]),
		    [[other.id, 'under_5_km']]);
	}
});
