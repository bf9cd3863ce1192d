// Conversations: the consent matrix for starting one (every
// "invitations" setting x every relation: none, met at an event, same
// organization, mentorship pair, collaboration partners, blocked), replies
// and the one conversation per pair, reading (keyset paging, unread
// counts, marking read, notifications), leaving, blocks, reports of
// messages (to the admin queue with a copy of the message, the stop after
// three reporters, resolving), privacy (nothing a third member can get
// carries the text) and account deletion (the text goes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { get, post, patch, put, del, sql, uid, makeMember, makeMembers, assertProblem } from './lib.mjs';
import { pastEvent, sameOrg, mentorshipPair, collabPartners, block } from './relations.mjs';

const as = (who) => ({ token: who.token });
const write = (from, to, text = `Hello ${uid()}`) =>
	post('/v1/conversations', { member_id: to.id, text }, as(from));

const SETTINGS = ['anyone', 'met', 'organizations', 'nobody'];
const RELATIONS = {
	none: async () => {},
	met: async (a, b) => { await pastEvent(a, [a, b]); },
	organization: async (a, b) => { await sameOrg(a, b); },
	mentorship: async (a, b) => { await mentorshipPair(b, a); },
	collaboration: async (a, b) => { await collabPartners(b, a); },
	// The recipient blocked the sender, who is even their mentee.
	blocked: async (a, b) => { await mentorshipPair(b, a); await block(b, a); },
};
// Who may start a conversation: [setting][relation].
const ALLOWED = {
	anyone: { none: true, met: true, organization: true, mentorship: true, collaboration: true, blocked: false },
	met: { none: false, met: true, organization: false, mentorship: true, collaboration: true, blocked: false },
	organizations: { none: false, met: false, organization: true, mentorship: true, collaboration: true, blocked: false },
	nobody: { none: false, met: false, organization: false, mentorship: true, collaboration: true, blocked: false },
};

test('consent matrix: every setting x every relation', async () => {
	const cases = [];
	for (const setting of SETTINGS) {
		for (const relation of Object.keys(RELATIONS)) cases.push({ setting, relation });
	}
	for (const c of cases) {
		const sender = await makeMember();
		const recipient = await makeMember({ invitations: c.setting });
		await RELATIONS[c.relation](sender, recipient);
		const r = await write(sender, recipient);
		const label = `${c.setting} x ${c.relation}`;
		if (ALLOWED[c.setting][c.relation]) {
			assert.equal(r.status, 201, `${label}: ${r.text}`);
			assert.equal(r.json.member.id, recipient.id);
			assert.equal(r.headers.get('location'), `${process.env.API_URL}/v1/conversations/${r.json.id}`);
		} else {
			assertProblem(r, 403);
			assert.equal(r.json.code, 'not_accepting', `${label}: ${r.text}`);
			const n = await sql(`SELECT count(*)::int AS n FROM conversations
			    WHERE started_by = $1`, [sender.id]);
			assert.equal(n[0].n, 0, `${label}: nothing was created`);
		}
	}
	// Blocking works both ways, and the blocker is told why.
	const a = await makeMember({ invitations: 'anyone' });
	const b = await makeMember({ invitations: 'anyone' });
	await block(a, b);
	const r = await write(a, b);
	assertProblem(r, 403);
	assert.equal(r.json.code, 'blocked');
	assert.equal((await write(b, a)).json.code, 'not_accepting');
	// Suspended members accept nothing; oneself and unknown members are bad input.
	const suspended = await makeMember({ invitations: 'anyone' });
	await sql('UPDATE members SET suspended_at = now() WHERE id = $1', [suspended.id]);
	assert.equal((await write(a, suspended)).json.code, 'not_accepting');
	assertProblem(await write(a, a), 400, 'member_id');
	assertProblem(await write(a, { id: 999999999999 }), 404, 'member_id');
	assertProblem(await post('/v1/conversations', { member_id: b.id, text: '   ' }, as(a)), 400, 'text');
	assertProblem(await post('/v1/conversations', { member_id: b.id, text: 'x'.repeat(4001) }, as(a)), 400, 'text');
	assertProblem(await post('/v1/conversations', { member_id: b.id }, as(a)), 400, 'text');
	assertProblem(await post('/v1/conversations', { member_id: b.id, text: 'hi', extra: 1 }, as(a)), 400, 'extra');
	assertProblem(await post('/v1/conversations', { member_id: b.id, text: 'hi' }), 401);
});

test('replies, one conversation per pair, paging, unread counts and marking read', async () => {
	const ana = await makeMember({ invitations: 'anyone' });
	const ben = await makeMember({ invitations: 'nobody' });
	let r = await write(ben, ana, 'first');
	assert.equal(r.status, 201, r.text);
	const id = r.json.id;
	assert.equal(r.json.unread_count, 0);
	assert.equal(r.json.last_message.text, 'first');
	assert.equal(r.json.last_message.mine, true);
	// Ana replies although Ben accepts nobody: a reply is always allowed.
	r = await post(`/v1/conversations/${id}/messages`, { text: 'reply 1' }, as(ana));
	assert.equal(r.status, 201, r.text);
	assert.equal(r.json.mine, true);
	assert.equal(r.json.sender.id, ana.id);
	// Writing to someone one already talks to adds to that conversation.
	r = await write(ana, ben, 'reply 2');
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.id, id);
	for (let i = 3; i <= 25; i++) {
		r = await post(`/v1/conversations/${id}/messages`, { text: `reply ${i}` }, as(ana));
		assert.equal(r.status, 201, r.text);
	}
	// Ben's list: one conversation, 25 unread.
	r = await get('/v1/conversations', as(ben));
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.data.length, 1);
	assert.equal(r.json.unread_count, 25);
	assert.equal(r.json.data[0].unread_count, 25);
	assert.equal(r.json.data[0].member.id, ana.id);
	assert.equal(r.json.data[0].last_message.text, 'reply 25');
	// One notification for the conversation, however many messages.
	const notes = (await get('/v1/me/notifications', as(ben))).json.data
	    .filter((n) => n.type === 'message_received');
	assert.equal(notes.length, 1);
	assert.deepEqual(notes[0].subject, { type: 'conversation', id });
	assert.ok(!notes[0].text.includes('reply'), 'a notification never carries the text');
	// The messages, newest first, 10 a page.
	const texts = [];
	let cursor = null;
	let newest = null;
	do {
		r = await get(`/v1/conversations/${id}?limit=10${cursor ? `&cursor=${cursor}` : ''}`, as(ben));
		assert.equal(r.status, 200, r.text);
		if (!newest) newest = r.json.messages.data[0].id;
		texts.push(...r.json.messages.data.map((m) => m.text));
		cursor = r.json.messages.next_cursor;
		if (cursor) assert.match(r.headers.get('link'), /rel="next"/);
	} while (cursor);
	assert.equal(texts.length, 26);
	assert.equal(texts[0], 'reply 25');
	assert.equal(texts[25], 'first');
	assertProblem(await get(`/v1/conversations/${id}?cursor=nonsense`, as(ben)), 400, 'cursor');
	// Mark read up to the 5th newest, then everything.
	const fifth = (await get(`/v1/conversations/${id}?limit=5`, as(ben))).json.messages.data[4].id;
	r = await patch(`/v1/conversations/${id}`, { last_read_message_id: fifth }, as(ben));
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.unread_count, 4);
	assert.equal(r.json.last_read_message_id, fifth);
	// Never backwards.
	r = await patch(`/v1/conversations/${id}`, { last_read_message_id: 1 }, as(ben));
	assert.equal(r.json.unread_count, 4);
	r = await patch(`/v1/conversations/${id}`, { last_read_message_id: newest + 1000000 }, as(ben));
	assert.equal(r.json.unread_count, 0);
	assert.equal(r.json.last_read_message_id, newest);
	assert.equal((await get('/v1/conversations', as(ben))).json.unread_count, 0);
	const after = (await get('/v1/me/notifications', as(ben))).json.data
	    .filter((n) => n.type === 'message_received');
	assert.equal(after[0].read, true, 'reading everything reads the notification');
	assertProblem(await patch(`/v1/conversations/${id}`, { unread_count: 3 }, as(ben)), 400, 'unread_count');
	// Replying marks what one replies to as read.
	await post(`/v1/conversations/${id}/messages`, { text: 'ben writes' }, as(ben));
	r = await get(`/v1/conversations/${id}`, as(ana));
	assert.equal(r.json.unread_count, 1);
	assertProblem(await post(`/v1/conversations/${id}/messages`, { text: '' }, as(ana)), 400, 'text');
});

test('the list is newest message first and pages', async () => {
	const me = await makeMember({ invitations: 'anyone' });
	const others = await makeMembers(5, { invitations: 'anyone' });
	const ids = [];
	for (const o of others) ids.push((await write(me, o)).json.id);
	// The first conversation gets a new message: it moves to the top.
	await post(`/v1/conversations/${ids[0]}/messages`, { text: 'bump' }, as(others[0]));
	const seen = [];
	let cursor = null;
	do {
		const r = await get(`/v1/conversations?limit=2${cursor ? `&cursor=${cursor}` : ''}`, as(me));
		assert.equal(r.status, 200, r.text);
		seen.push(...r.json.data.map((c) => c.id));
		cursor = r.json.next_cursor;
	} while (cursor);
	assert.deepEqual(seen, [ids[0], ids[4], ids[3], ids[2], ids[1]]);
});

test('leaving clears the history for the leaver only; a new message brings it back', async () => {
	const a = await makeMember({ invitations: 'anyone' });
	const b = await makeMember({ invitations: 'anyone' });
	const id = (await write(a, b, 'one')).json.id;
	await post(`/v1/conversations/${id}/messages`, { text: 'two' }, as(a));
	let r = await del(`/v1/conversations/${id}`, as(b));
	assert.equal(r.status, 204);
	assert.equal((await get('/v1/conversations', as(b))).json.data.length, 0);
	r = await get(`/v1/conversations/${id}`, as(b));
	assert.equal(r.json.messages.data.length, 0);
	assert.equal(r.json.last_message, null);
	assert.equal(r.json.unread_count, 0);
	// a still has everything.
	assert.equal((await get(`/v1/conversations/${id}`, as(a))).json.messages.data.length, 2);
	await post(`/v1/conversations/${id}/messages`, { text: 'three' }, as(a));
	r = await get('/v1/conversations', as(b));
	assert.equal(r.json.data.length, 1);
	assert.equal(r.json.data[0].unread_count, 1);
	r = await get(`/v1/conversations/${id}`, as(b));
	assert.deepEqual(r.json.messages.data.map((m) => m.text), ['three']);
	// Writing to a again is a reply in the same conversation, not a new start.
	r = await write(b, a, 'four');
	assert.equal(r.status, 200);
	assert.equal(r.json.id, id);
});

test('blocks: list, block and unblock; a block stops replies both ways', async () => {
	const a = await makeMember({ invitations: 'anyone' });
	const b = await makeMember({ invitations: 'anyone' });
	const id = (await write(a, b)).json.id;
	const blk = await block(b, a);
	assert.equal(blk.member.id, a.id);
	assert.equal((await block(b, a)).created_at, blk.created_at, 'blocking again changes nothing');
	let r = await post(`/v1/conversations/${id}/messages`, { text: 'still there?' }, as(a));
	assertProblem(r, 403);
	assert.equal(r.json.code, 'not_accepting');
	r = await post(`/v1/conversations/${id}/messages`, { text: 'bye' }, as(b));
	assert.equal(r.json.code, 'blocked');
	r = await get(`/v1/conversations/${id}`, as(b));
	assert.equal(r.json.blocked, true);
	assert.equal((await get(`/v1/conversations/${id}`, as(a))).json.blocked, false);
	r = await get('/v1/me/blocks', as(b));
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json.data.map((x) => x.member.id), [a.id]);
	assertProblem(await put('/v1/me/blocks/999999999999', undefined, as(b)), 404, 'member_id');
	assertProblem(await put(`/v1/me/blocks/${b.id}`, {}, as(b)), 400, 'member_id');
	assertProblem(await put(`/v1/me/blocks/${a.id}`, { note: 'x' }, as(b)), 400, 'note');
	assert.equal((await del(`/v1/me/blocks/${a.id}`, as(b))).status, 204);
	assert.equal((await del(`/v1/me/blocks/${a.id}`, as(b))).status, 204);
	assert.equal((await get('/v1/me/blocks', as(b))).json.data.length, 0);
	r = await post(`/v1/conversations/${id}/messages`, { text: 'hello again' }, as(a));
	assert.equal(r.status, 201, r.text);
});

test('reports of messages: a copy to the admin queue, the stop after three reporters, resolving', async () => {
	const spammer = await makeMember();
	const admin = await makeMember({ role: 'admin' });
	const victims = await makeMembers(4, { invitations: 'anyone' });
	const convs = [];
	for (const v of victims) {
		const r = await write(spammer, v, `Buy cheap books ${uid()}`);
		assert.equal(r.status, 201, r.text);
		convs.push(r.json.id);
	}
	const firstMessage = async (v, id) => (await get(`/v1/conversations/${id}`, as(v))).json.messages.data[0];
	const reports = [];
	for (let i = 0; i < 3; i++) {
		const m = await firstMessage(victims[i], convs[i]);
		const r = await post('/v1/reports', { subject_type: 'message', subject_id: m.id,
		    reason: 'spam' }, as(victims[i]));
		assert.equal(r.status, 201, r.text);
		assert.equal(r.json.message.text, m.text);
		assert.equal(r.json.message.sender.id, spammer.id);
		reports.push(r.json);
		if (i === 0) {
			// One member's second report of the same message is refused.
			assertProblem(await post('/v1/reports', { subject_type: 'message',
			    subject_id: m.id, reason: 'again' }, as(victims[0])), 409);
			// Nobody reports their own messages or one they cannot see.
			assertProblem(await post('/v1/reports', { subject_type: 'message',
			    subject_id: m.id, reason: 'x' }, as(spammer)), 404, 'subject_id');
			assertProblem(await post('/v1/reports', { subject_type: 'message',
			    subject_id: m.id, reason: 'x' }, as(victims[3])), 404, 'subject_id');
		}
	}
	// Three reporters: no new conversation, but replies still go.
	const fresh = await makeMember({ invitations: 'anyone' });
	let r = await write(spammer, fresh);
	assertProblem(r, 403);
	assert.equal(r.json.code, 'messaging_suspended');
	r = await post(`/v1/conversations/${convs[3]}/messages`, { text: 'a reply' }, as(spammer));
	assert.equal(r.status, 201, r.text);
	// The admin queue holds the copies; the conversation itself stays closed to admins.
	r = await get('/v1/reports?subject_type=message&status=open&limit=100', as(admin));
	assert.equal(r.status, 200, r.text);
	const mine = r.json.data.filter((x) => reports.some((y) => y.id === x.id));
	assert.equal(mine.length, 3);
	for (const x of mine) assert.match(x.message.text, /^Buy cheap books/);
	assertProblem(await get(`/v1/conversations/${convs[0]}`, as(admin)), 404);
	// Hiding is for events and collaborations only.
	assertProblem(await patch(`/v1/reports/${reports[0].id}`, { status: 'resolved',
	    hide_subject: true }, as(admin)), 400, 'hide_subject');
	r = await patch(`/v1/reports/${reports[0].id}`, { status: 'resolved' }, as(admin));
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.message.sender.id, spammer.id);
	// Two open reporters left: the sender may start conversations again.
	r = await write(spammer, fresh);
	assert.equal(r.status, 201, r.text);
});

test('privacy: nothing a third member can get carries the conversation', async () => {
	const secret = `Secret plan ${uid()} for the budget hearing`;
	const a = await makeMember({ invitations: 'anyone', visibility_about: 'public' });
	const b = await makeMember({ invitations: 'anyone', visibility_about: 'public' });
	const third = await makeMember();
	const r = await write(a, b, secret);
	const id = r.json.id;
	await post(`/v1/conversations/${id}/messages`, { text: `${secret} (reply)` }, as(b));
	const msgId = (await get(`/v1/conversations/${id}`, as(b))).json.messages.data[1].id;
	const responses = [];
	for (const who of [as(third), {}]) {
		responses.push(await get(`/v1/conversations/${id}`, who));
		responses.push(await get('/v1/conversations', who));
		responses.push(await get(`/v1/conversations/${id}?limit=100`, who));
		responses.push(await post(`/v1/conversations/${id}/messages`, { text: 'let me in' }, who));
		responses.push(await patch(`/v1/conversations/${id}`, { last_read_message_id: msgId }, who));
		responses.push(await del(`/v1/conversations/${id}`, who));
		responses.push(await post('/v1/reports', { subject_type: 'message', subject_id: msgId, reason: 'x' }, who));
		responses.push(await get(`/v1/members/${a.id}`, who));
		responses.push(await get(`/v1/members/${b.id}`, who));
		responses.push(await get('/v1/activity?limit=100', who));
		responses.push(await get('/v1/activity.rss', who));
		responses.push(await get('/v1/me/notifications?limit=100', who));
		responses.push(await get('/v1/me/export', who));
		responses.push(await get('/v1/members?limit=100', who));
	}
	for (const x of responses) {
		assert.ok(!x.text.includes('Secret plan'), `a third party got the text: ${x.text.slice(0, 200)}`);
	}
	assertProblem(responses[0], 404);
	assertProblem(responses[3], 404);
	// Both members' exports have it; the recipient's notification does not.
	assert.ok((await get('/v1/me/export', as(a))).text.includes(secret));
	assert.ok(!(await get('/v1/me/notifications', as(b))).text.includes('Secret plan'));
});

test('deleting an account removes its messages\' text, not the other side', async () => {
	const a = await makeMember({ invitations: 'anyone' });
	const b = await makeMember({ invitations: 'anyone' });
	const id = (await write(a, b, 'from a, soon gone')).json.id;
	await post(`/v1/conversations/${id}/messages`, { text: 'from b, stays' }, as(b));
	assert.equal((await del('/v1/me', as(a))).status, 204);
	const rows = await sql('SELECT sender_id, text FROM messages WHERE conversation_id = $1 ORDER BY id', [id]);
	assert.deepEqual(rows.map((x) => x.text), [null, 'from b, stays']);
	assert.equal(rows[0].sender_id, null);
	const r = await get(`/v1/conversations/${id}`, as(b));
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.member, null);
	assert.deepEqual(r.json.messages.data.map((m) => [m.sender?.id ?? null, m.text]),
	    [[b.id, 'from b, stays'], [null, null]]);
	const reply = await post(`/v1/conversations/${id}/messages`, { text: 'anyone?' }, as(b));
	assertProblem(reply, 409);
	assert.equal(reply.json.code, 'member_gone');
});
