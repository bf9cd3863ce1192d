// Community activity (JSON and RSS) and reports: what appears, what never
// does (the privacy rule), keyset pagination, XML escaping, and the
// reports flow: filing, listing, resolving, hiding, and resolving an
// invitation's spam report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XMLParser } from 'fast-xml-parser';
import { API, get, post, patch, sql, uid, makeMember, makeOrg, assertProblem } from './lib.mjs';

const as = (who) => (who ? { token: who.token } : {});
const soon = (days) => new Date(Date.now() + days * 86400000).toISOString().replace(/\.\d+Z$/, 'Z');

async function collab(owner, fields = {}) {
	const r = await post('/v1/collaborations', { title: `Activity ${uid()}`,
	    summary: 'Working together', ...fields }, as(owner));
	assert.equal(r.status, 201, r.text);
	return r.json;
}

async function event(owner, fields = {}) {
	const r = await post('/v1/events', { title: `Meetup ${uid()}`, kind: 'meetup',
	    starts_at: soon(7), ends_at: soon(7.1), timezone: 'Europe/London', ...fields }, as(owner));
	assert.equal(r.status, 201, r.text);
	return r.json;
}

// Every activity item the caller can see (walking the pages).
async function activity(who, limit = 100) {
	const items = [];
	let url = `/v1/activity?limit=${limit}`;
	for (let i = 0; i < 200 && url; i++) {
		const r = await get(url, as(who));
		assert.equal(r.status, 200, r.text);
		items.push(...r.json.data);
		url = r.json.next_cursor ? `/v1/activity?limit=${limit}&cursor=${r.json.next_cursor}` : null;
	}
	return items;
}

const key = (i) => `${i.kind}:${i.subject.id}`;

// A mentorship through the API, completed; shares: [mentor, mentee].
async function mentorship(mentor, mentee, topic, shares) {
	const raw = { validate: false };
	await sql(`UPDATE members SET mentoring_available = true, mentoring_capacity = 5,
	    mentoring_topics = ARRAY[$2] WHERE id = $1`, [mentor.id, topic]);
	const r = await post('/v1/mentorships', { mentor_id: mentor.id, topic, message: 'Please' },
	    { ...raw, ...as(mentee) });
	assert.equal(r.status, 201, r.text);
	const id = r.json.id;
	for (const [who, body] of [[mentor, { status: 'accepted' }], [mentee, { status: 'completed' }],
	    [mentor, { share_publicly: shares[0] }], [mentee, { share_publicly: shares[1] }]]) {
		const x = await patch(`/v1/mentorships/${id}`, body, { ...raw, ...as(who) });
		assert.equal(x.status, 200, x.text);
	}
	return { id };
}

async function report(who, subject_type, subject_id, reason = 'Not appropriate') {
	return post('/v1/reports', { subject_type, subject_id, reason }, as(who));
}

test('activity: events, recaps, collaborations, updates, shared mentorships; newest first', async () => {
	const owner = await makeMember({ visibility_about: 'public' });
	const quiet = await makeMember();
	const ev = await event(owner);
	const [past] = await sql(`INSERT INTO events (title, kind, starts_at, ends_at, timezone,
	    created_by, recap) VALUES ($1, 'social', now() - interval '3 days',
	    now() - interval '3 days' + interval '2 hours', 'UTC', $2, 'What a night!')
	    RETURNING id`, [`Party ${uid()}`, owner.id]);
	const c = await collab(owner, { title: `Reading ${uid()}` });
	const p = (await post(`/v1/collaborations/${c.id}/participants`, { message: 'count me in' },
	    as(quiet))).json;
	await patch(`/v1/collaborations/${c.id}/participants/${p.id}`, { status: 'approved' }, as(owner));
	const up = await post(`/v1/collaborations/${c.id}/updates`, { body: 'Posters printed' }, as(quiet));
	for (const s of ['seeking_partners', 'active', 'completed'])
		assert.equal((await patch(`/v1/collaborations/${c.id}`, { status: s }, as(owner))).status, 200);
	const shared = await mentorship(owner, quiet, 'cataloguing', [true, true]);
	const private_ = await mentorship(quiet, owner, 'secret-topic', [true, false]);

	const items = await activity(quiet);
	const keys = items.map(key);
	for (const k of [`event_created:${ev.id}`, `event_recap:${past.id}`,
	    `collaboration_created:${c.id}`, `collaboration_completed:${c.id}`,
	    `collaboration_update:${c.id}`, `mentorship_completed:${shared.id}`])
		assert.ok(keys.includes(k), `missing ${k}`);
	assert.ok(!keys.includes(`mentorship_completed:${private_.id}`),
	    'a mentorship only one side shared is private');
	assert.ok(!JSON.stringify(items).includes('secret-topic'));
	const upd = items.find((i) => i.id === `collaboration_update:${up.json.id}`);
	assert.equal(upd.text, 'Posters printed');
	assert.deepEqual(upd.members, [{ id: quiet.id, display_name: quiet.display_name }]);
	const recap = items.find((i) => i.id === `event_recap:${past.id}`);
	assert.equal(recap.text, 'What a night!');
	// Newest first (at is shown to the second; the order uses microseconds,
	// then kind and id); no item twice.
	assert.equal(new Set(items.map((i) => i.id)).size, items.length);
	for (let i = 1; i < items.length; i++)
		assert.ok(items[i - 1].at >= items[i].at, `${items[i - 1].id} before ${items[i].id}`);
	const pos = (id) => items.findIndex((i) => i.id === id);
	assert.ok(pos(`collaboration_completed:${c.id}`) < pos(`collaboration_update:${up.json.id}`));
	assert.ok(pos(`collaboration_update:${up.json.id}`) < pos(`collaboration_created:${c.id}`));
	// Small pages walk the same items.
	const small = await activity(quiet, 3);
	assert.deepEqual(small.map((i) => i.id), items.map((i) => i.id));
	assertProblem(await get('/v1/activity?cursor=abc'), 400, 'cursor');
	assertProblem(await get('/v1/activity?limit=101'), 400, 'limit');
	assertProblem(await get('/v1/activity?kind=event'), 400, 'kind');
});

test('activity privacy: no requests, nothing hidden or cancelled, names as the reader may see them', async () => {
	const owner = await makeMember({ visibility_about: 'public' });
	const hiddenName = await makeMember({ display_name: `Private Person ${uid()}` });
	const asker = await makeMember({ display_name: `Asker ${uid()}`, visibility_about: 'public' });
	const admin = await makeMember({ role: 'admin' });
	const reporter = await makeMember();
	const c = await collab(owner);
	const secret = `please-keep-this-private-${uid()}`;
	await post(`/v1/collaborations/${c.id}/participants`, { message: secret }, as(asker));
	const declined = (await post(`/v1/collaborations/${c.id}/participants`,
	    { message: `${secret}-declined` }, as(hiddenName))).json;
	await patch(`/v1/collaborations/${c.id}/participants/${declined.id}`, { status: 'declined' },
	    as(owner));
	const byPrivate = await collab(hiddenName);
	const gone = await collab(owner, { title: `To be hidden ${uid()}` });
	const goneP = (await post(`/v1/collaborations/${gone.id}/participants`, { message: 'x' },
	    as(asker))).json;
	await patch(`/v1/collaborations/${gone.id}/participants/${goneP.id}`, { status: 'approved' },
	    as(owner));
	await post(`/v1/collaborations/${gone.id}/updates`, { body: 'before hiding' }, as(asker));
	const badEvent = await event(owner, { title: `Spam event ${uid()}` });
	const cancelled = await event(owner);
	await post(`/v1/events/${cancelled.id}/cancel`, { reason: 'rain' }, as(owner));

	for (const [type, id] of [['collaboration', gone.id], ['event', badEvent.id]]) {
		const r = await report(reporter, type, id);
		assert.equal(r.status, 201, r.text);
		const done = await patch(`/v1/reports/${r.json.id}`, { status: 'resolved', hide_subject: true },
		    as(admin));
		assert.equal(done.status, 200, done.text);
		assert.equal(done.json.subject_hidden, true);
	}

	for (const who of [null, reporter]) {
		const items = await activity(who);
		const text = JSON.stringify(items);
		assert.ok(!text.includes(secret), 'a participation request leaked');
		assert.ok(!items.some((i) => i.subject.type === 'collaboration' && i.subject.id === gone.id),
		    'a hidden collaboration (or its update) leaked');
		assert.ok(!items.some((i) => i.subject.type === 'event' &&
		    [badEvent.id, cancelled.id].includes(i.subject.id)), 'a hidden or cancelled event leaked');
		assert.ok(items.some((i) => i.id === `collaboration_created:${c.id}`));
		for (const i of items) {
			for (const m of i.members) assert.deepEqual(Object.keys(m).sort(), ['display_name', 'id']);
		}
		const mine = items.find((i) => i.id === `collaboration_created:${byPrivate.id}`);
		if (who) assert.deepEqual(mine.members, [{ id: hiddenName.id, display_name: hiddenName.display_name }]);
		else {
			assert.deepEqual(mine.members, [], 'anonymous readers must not see non-public names');
			assert.ok(!text.includes(hiddenName.display_name));
		}
	}
	// Hidden ones are gone for outsiders but not for insiders and organizers.
	assertProblem(await get(`/v1/collaborations/${gone.id}`), 404);
	assertProblem(await get(`/v1/collaborations/${gone.id}`, as(reporter)), 404);
	assertProblem(await get(`/v1/collaborations/${gone.id}/updates`, as(reporter)), 404);
	assertProblem(await post(`/v1/collaborations/${gone.id}/participants`, { message: 'hi' },
	    as(reporter)), 404);
	const insider = await get(`/v1/collaborations/${gone.id}`, as(asker));
	assert.equal(insider.status, 200);
	assert.equal(insider.json.hidden, true);
	const listed = (await get(`/v1/collaborations?limit=100`, as(reporter))).json.data;
	assert.ok(!listed.some((x) => x.id === gone.id));
	assert.ok((await get(`/v1/collaborations?limit=100`, as(owner))).json.data.some((x) => x.id === gone.id));
	assertProblem(await get(`/v1/events/${badEvent.id}`), 404);
	assertProblem(await get(`/v1/events/${badEvent.id}`, as(reporter)), 404);
	assert.equal((await get(`/v1/events/${badEvent.id}`, as(owner))).status, 200);
	assert.equal((await get(`/v1/events/${badEvent.id}`, as(admin))).status, 200);
	const evs = async (who) => (await get(`/v1/events?q=${encodeURIComponent(badEvent.title)}`,
	    as(who))).json.data.map((e) => e.id);
	assert.deepEqual(await evs(reporter), []);
	assert.deepEqual(await evs(null), []);
	assert.deepEqual(await evs(owner), [badEvent.id]);
	const rss = await get('/v1/activity.rss');
	assert.ok(!rss.text.includes(secret) && !rss.text.includes(badEvent.title) &&
	    !rss.text.includes(gone.title));
});

test('activity.rss: RSS 2.0, escaped, cacheable', async () => {
	const owner = await makeMember({ visibility_about: 'public' });
	const tag = uid();
	const c = await collab(owner, { title: `Tom & Jerry <script>alert(1)</script> ${tag}`,
	    summary: 'Bells \u0007 and "quotes" & <b>tags</b> ]]>' });
	const r = await get('/v1/activity.rss');
	assert.equal(r.status, 200, r.text);
	assert.match(r.headers.get('content-type'), /^application\/rss\+xml; charset=utf-8$/);
	assert.equal(r.headers.get('cache-control'), 'public, max-age=60');
	assert.ok(!r.text.includes('<script>'), 'unescaped markup');
	assert.ok(!r.text.includes('\u0007'), 'a control character XML forbids');
	const doc = new XMLParser({ ignoreAttributes: false }).parse(r.text);
	assert.equal(doc.rss['@_version'], '2.0');
	const items = [].concat(doc.rss.channel.item);
	assert.ok(items.length >= 1 && items.length <= 50);
	const mine = items.find((i) => String(i.title).includes(tag));
	assert.ok(mine, 'the new collaboration is in the feed');
	assert.equal(mine.title, `New collaboration: Tom & Jerry <script>alert(1)</script> ${tag}`);
	assert.equal(mine.description, 'Bells  and "quotes" & <b>tags</b> ]]>');
	assert.match(mine.link, new RegExp(`/#/collaborations/${c.id}$`));
	assert.match(mine.pubDate, /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
	assert.equal(mine.guid['#text'], `interlibrary:activity:collaboration_created:${c.id}`);
	assert.equal(mine.category, 'collaboration_created');
	const again = await get('/v1/activity.rss', { headers: { 'if-none-match': r.headers.get('etag') } });
	assert.equal(again.status, 304);
	// The channel, and the other kinds' prefixes and links.
	const ch = doc.rss.channel;
	assert.equal(ch.title, 'Interlibrary: community activity');
	assert.match(ch.link, /^https?:\/\/[^/]+\/$/);
	assert.match(ch.description, /^New events, event recaps/);
	assert.equal(ch.language, 'en');
	assert.equal(ch['atom:link']['@_href'], `${API}/v1/activity.rss`);
	assert.equal(ch['atom:link']['@_rel'], 'self');
	assert.equal(ch.lastBuildDate, items[0].pubDate, 'lastBuildDate is the newest item');
	const ev = await event(owner, { title: `Zine fair ${tag}` });
	const [past] = await sql(`INSERT INTO events (title, kind, starts_at, ends_at, timezone,
	    created_by, recap) VALUES ($1, 'social', now() - interval '3 days',
	    now() - interval '2 days', 'UTC', $2, 'It went well') RETURNING id`,
	    [`Picnic ${tag}`, owner.id]);
	const later = [].concat(new XMLParser({ ignoreAttributes: false })
	    .parse((await get('/v1/activity.rss')).text).rss.channel.item);
	const item = (kind, id) => later.find((i) => i.guid['#text'] === `interlibrary:activity:${kind}:${id}`);
	assert.equal(item('event_created', ev.id).title, `New event: Zine fair ${tag}`);
	assert.match(item('event_created', ev.id).link, new RegExp(`/#/events/${ev.id}$`));
	assert.equal(item('event_created', ev.id).category, 'event_created');
	assert.equal(item('event_recap', past.id).title, `Recap: Picnic ${tag}`);
	assert.equal(item('event_recap', past.id).description, 'It went well');
	assert.match(item('event_recap', past.id).link, new RegExp(`/#/events/${past.id}$`));
	assertProblem(await get('/v1/activity.rss?limit=5'), 400, 'limit');
});

test('reports: filing, role matrix, listing, resolving', async () => {
	const member = await makeMember();
	const other = await makeMember();
	const admin = await makeMember({ role: 'admin' });
	const owner = await makeMember();
	const c = await collab(owner);
	assertProblem(await report(null, 'member', other.id), 401);
	assertProblem(await report(member, 'member', 999999999999), 404, 'subject_id');
	assertProblem(await report(member, 'event', 999999999999), 404, 'subject_id');
	assertProblem(await report(member, 'member', member.id), 404, 'subject_id');
	assertProblem(await report(member, 'planet', 1), 400, 'subject_type');
	assertProblem(await post('/v1/reports', { subject_type: 'member', subject_id: other.id },
	    as(member)), 400, 'reason');
	const r = await report(member, 'member', other.id, 'Rude in comments');
	assert.equal(r.status, 201, r.text);
	assert.equal(r.json.status, 'open');
	assert.deepEqual(r.json.reporter, { id: member.id, display_name: member.display_name });
	const dup = await report(member, 'member', other.id);
	assertProblem(dup, 409);
	assert.equal(dup.json.code, 'already_reported');
	const rc = await report(other, 'collaboration', c.id);
	assert.equal(rc.status, 201);

	for (const who of [member, owner]) {
		assertProblem(await get('/v1/reports', as(who)), 403);
		assertProblem(await patch(`/v1/reports/${r.json.id}`, { status: 'resolved' }, as(who)), 403);
	}
	assertProblem(await get('/v1/reports'), 401);
	const open = await get('/v1/reports?status=open&limit=100', as(admin));
	assert.equal(open.status, 200);
	assert.ok(open.json.data.some((x) => x.id === r.json.id));
	assert.ok(open.json.data.every((x) => x.status === 'open'));
	const collabs = await get('/v1/reports?subject_type=collaboration&limit=100', as(admin));
	assert.ok(collabs.json.data.every((x) => x.subject.type === 'collaboration'));
	assertProblem(await get('/v1/reports?status=closed', as(admin)), 400, 'status');

	assertProblem(await patch(`/v1/reports/${r.json.id}`, { hide_subject: true }, as(admin)), 400,
	    'status');
	assertProblem(await patch(`/v1/reports/${r.json.id}`, { status: 'resolved', hide_subject: true },
	    as(admin)), 400, 'hide_subject');
	const done = await patch(`/v1/reports/${r.json.id}`, { status: 'resolved' }, as(admin));
	assert.equal(done.status, 200, done.text);
	assert.equal(done.json.status, 'resolved');
	assert.equal(done.json.resolved_by.id, admin.id);
	assert.ok(done.json.resolved_at);
	assertProblem(await patch(`/v1/reports/${r.json.id}`, { status: 'resolved' }, as(admin)), 409);
	assertProblem(await patch('/v1/reports/999999999999', { status: 'resolved' }, as(admin)), 404);
	const resolved = await get('/v1/reports?status=resolved&limit=100', as(admin));
	assert.ok(resolved.json.data.some((x) => x.id === r.json.id));
	// After resolving, the member may report again.
	assert.equal((await report(member, 'member', other.id)).status, 201);
	const ex = await get('/v1/me/export', as(member));
	assert.equal(ex.json.reports_filed.length, 2);
});

test('reports: resolving a report of an invitation lets a blocked sender invite again', async () => {
	const sender = await makeMember();
	const admin = await makeMember({ role: 'admin' });
	const org = await makeOrg(sender);
	const recipients = [];
	for (let i = 0; i < 5; i++) {
		const m = await makeMember();
		await post(`/v1/organizations/${org.id}/members`, { member_id: m.id }, as(sender));
		recipients.push(m);
	}
	const ev = await event(sender);
	const sent = await post(`/v1/events/${ev.id}/invitations`,
	    { member_ids: recipients.slice(0, 3).map((m) => m.id) }, as(sender));
	assert.equal(sent.status, 200, sent.text);
	const invs = [];
	for (const m of recipients.slice(0, 3)) {
		const list = await get('/v1/me/invitations', as(m));
		const inv = list.json.data.find((i) => i.event.id === ev.id);
		assert.equal((await patch(`/v1/me/invitations/${inv.id}`, { status: 'reported_spam' },
		    as(m))).status, 200);
		invs.push(inv);
	}
	const blocked = await post(`/v1/events/${ev.id}/invitations`, { member_ids: [recipients[3].id] },
	    as(sender));
	assertProblem(blocked, 403);
	// Only the recipient can report an invitation; the spam mark already
	// put its report in the queue.
	assertProblem(await report(recipients[1], 'invitation', invs[0].id), 404, 'subject_id');
	assertProblem(await report(recipients[0], 'invitation', invs[0].id, 'Spam'), 409);
	const queue = await get('/v1/reports?status=open&subject_type=invitation&limit=100', as(admin));
	const rep = queue.json.data.find((r) => r.subject.id === invs[0].id);
	assert.equal(rep.reporter.id, recipients[0].id);
	assert.equal((await patch(`/v1/reports/${rep.id}`, { status: 'resolved' }, as(admin))).status,
	    200);
	const [row] = await sql('SELECT spam_resolved_at FROM invitations WHERE id = $1', [invs[0].id]);
	assert.ok(row.spam_resolved_at);
	const again = await post(`/v1/events/${ev.id}/invitations`, { member_ids: [recipients[3].id] },
	    as(sender));
	assert.equal(again.status, 200, again.text);
	assert.equal(again.json.results[0].result, 'invited');
	// Hidden events disappear from the public feeds too.
	const hideRep = await report(recipients[4], 'event', ev.id);
	await patch(`/v1/reports/${hideRep.json.id}`, { status: 'resolved', hide_subject: true }, as(admin));
	const feed = await get(`/v1/events.json?q=${encodeURIComponent(ev.title)}`, { validate: false });
	if (feed.status === 200) assert.ok(!feed.text.includes(ev.title));
});
