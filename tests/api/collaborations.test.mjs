// Collaborations: create/read/edit/list, the status flow, participation
// (members and organizations), the role matrix, the last-owner rule (also
// under concurrency), cost shares and totals, updates, notifications, and
// the hooks (organization in use, account deletion, export).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { get, post, patch, del, sql, uid, makeMember, makeOrg, assertProblem } from './lib.mjs';

const as = (who) => (who ? { token: who.token } : {});

async function collab(owner, fields = {}) {
	const r = await post('/v1/collaborations', { title: `Summer reading ${uid()}`,
	    summary: 'A shared summer reading programme', skills_wanted: ['outreach'],
	    ...fields }, as(owner));
	assert.equal(r.status, 201, r.text);
	return r.json;
}

async function join(c, who, body = {}) {
	const r = await post(`/v1/collaborations/${c.id}/participants`,
	    { message: 'We would love to help', ...body }, as(who));
	assert.equal(r.status, 201, r.text);
	return r.json;
}

async function decide(c, p, owner, body) {
	const r = await patch(`/v1/collaborations/${c.id}/participants/${p.id}`, body, as(owner));
	assert.equal(r.status, 200, r.text);
	return r.json;
}

// A collaboration with someone in every role.
async function world() {
	const owner = await makeMember();
	const c = await collab(owner);
	const approved = await makeMember();
	const pending = await makeMember();
	const member = await makeMember();
	const siteAdmin = await makeMember({ role: 'admin' });
	const pa = await join(c, approved);
	await decide(c, pa, owner, { status: 'approved' });
	const pp = await join(c, pending, { message: `secret plan ${uid()}` });
	return { owner, c, approved, pa, pending, pp, member, siteAdmin };
}

async function notes(who, type) {
	return sql(`SELECT subject_type, subject_id, text FROM notifications
	    WHERE member_id = $1 AND type = $2 ORDER BY id`, [who.id, type]);
}

test('create, read, list with filters and keyset pagination', async () => {
	const a = await makeMember();
	const admin = await makeMember();
	const org = await makeOrg(admin);
	const tag = uid();
	const r = await post('/v1/collaborations', { title: `Joint advocacy day ${tag}`,
	    summary: 'Speak up for library budgets together', skills_wanted: ['advocacy', 'public speaking'] },
	    as(a));
	assert.equal(r.status, 201, r.text);
	const c = r.json;
	assert.match(r.headers.get('location'), new RegExp(`/v1/collaborations/${c.id}$`));
	assert.equal(c.status, 'proposed');
	assert.deepEqual(c.allowed_transitions, ['seeking_partners', 'archived']);
	assert.deepEqual(c.owners, [{ id: a.id, display_name: a.display_name }]);
	assert.deepEqual(c.my_participation.role, 'owner');
	assert.equal(c.participant_count, 1);
	assert.deepEqual(c.cost_totals, []);
	assert.equal(c.organization, null);

	const hosted = await collab(admin, { title: `Hosted ${tag}`, organization: org.slug,
	    skills_wanted: ['grant writing'] });
	assert.equal(hosted.organization.id, org.id);
	// Only an admin of the organization may host with it.
	assertProblem(await post('/v1/collaborations', { title: 'x', summary: 'y', organization: org.id },
	    as(a)), 403);

	const anon = await get(`/v1/collaborations/${c.id}`);
	assert.equal(anon.status, 200);
	assert.equal(anon.json.my_participation, null);
	assert.equal(anon.headers.get('cache-control'), 'no-cache');

	let list = await get(`/v1/collaborations?q=advocacy%20${tag}`);
	assert.deepEqual(list.json.data.map((x) => x.id), [c.id]);
	list = await get(`/v1/collaborations?skill=grant%20writing&organization=${org.slug}`);
	assert.deepEqual(list.json.data.map((x) => x.id), [hosted.id]);
	list = await get(`/v1/collaborations?status=active&q=${tag}`);
	assert.deepEqual(list.json.data, []);
	assertProblem(await get('/v1/collaborations?organization=no-such-org-anywhere'), 400, 'organization');
	assertProblem(await get('/v1/collaborations?status=dormant'), 400, 'status');
	assertProblem(await get('/v1/collaborations?limit=0'), 400, 'limit');
	assertProblem(await get('/v1/collaborations?cursor=nonsense'), 400, 'cursor');

	// Keyset: newest first, pages do not overlap.
	const mine = [c.id, hosted.id];
	for (let i = 0; i < 3; i++) mine.push((await collab(a, { title: `Page ${tag} ${i}` })).id);
	const seen = [];
	let url = `/v1/collaborations?q=${tag}&limit=2`;
	for (let i = 0; i < 5 && url; i++) {
		const page = await get(url);
		assert.equal(page.status, 200);
		seen.push(...page.json.data.map((x) => x.id));
		if (page.json.next_cursor) {
			assert.match(page.headers.get('link'), /rel="next"/);
			url = `/v1/collaborations?q=${tag}&limit=2&cursor=${page.json.next_cursor}`;
		} else url = null;
	}
	assert.deepEqual(seen, [...mine].sort((x, y) => y - x));

	// Validation names the field.
	for (const [body, field] of [[{ summary: 'no title' }, 'title'],
	    [{ title: '   ', summary: 'blank' }, 'title'],
	    [{ title: 'x', summary: 'y', status: 'active' }, 'status'],
	    [{ title: 'x', summary: 'y', skills_wanted: 'outreach' }, 'skills_wanted'],
	    [{ title: 'x'.repeat(201), summary: 'y' }, 'title'],
	    [{ title: 'x', summary: 'y', colour: 'red' }, 'colour']]) {
		assertProblem(await post('/v1/collaborations', body, as(a)), 400, field);
	}
	assertProblem(await post('/v1/collaborations', { title: 'x', summary: 'y' }), 401);
	assertProblem(await get('/v1/collaborations/999999999999'), 404);
});

test('role matrix: edit, updates, participants list, approving', async () => {
	const w = await world();
	const { c } = w;
	const edit = (who) => patch(`/v1/collaborations/${c.id}`, { summary: 'Edited' }, as(who));
	assertProblem(await edit(null), 401);
	for (const who of [w.member, w.pending, w.approved]) assertProblem(await edit(who), 403);
	assert.equal((await edit(w.owner)).status, 200);
	assert.equal((await edit(w.siteAdmin)).status, 200);
	assert.equal((await sql('SELECT summary FROM collaborations WHERE id = $1', [c.id]))[0].summary,
	    'Edited');

	const update = (who) => post(`/v1/collaborations/${c.id}/updates`, { body: `Week ${uid()}` },
	    as(who));
	assertProblem(await update(null), 401);
	for (const who of [w.member, w.pending]) assertProblem(await update(who), 403);
	for (const who of [w.approved, w.owner, w.siteAdmin]) {
		const r = await update(who);
		assert.equal(r.status, 201, r.text);
		assert.equal(r.json.author.id, who.id);
	}
	const updates = await get(`/v1/collaborations/${c.id}/updates`, as(w.member));
	assert.equal(updates.json.data.length, 3);
	assert.equal(updates.json.data[0].author.id, w.siteAdmin.id, 'newest first');
	// Anonymous readers see only names whose "about" group is public.
	const anonUpdates = await get(`/v1/collaborations/${c.id}/updates`);
	assert.ok(anonUpdates.json.data.every((u) => u.author === null));
	await sql(`UPDATE members SET visibility_about = 'public' WHERE id = $1`, [w.approved.id]);
	const named = (await get(`/v1/collaborations/${c.id}/updates`)).json.data;
	assert.deepEqual(named.map((u) => u.author && u.author.id), [null, null, w.approved.id]);

	// Who sees which participants, and which of their fields.
	const list = async (who) => (await get(`/v1/collaborations/${c.id}/participants`, as(who))).json.data;
	const anon = await list(null);
	assert.deepEqual(anon.map((p) => p.status), ['approved', 'approved']);
	assert.ok(anon.every((p) => p.message === null && p.cost_share === null));
	assert.ok(!JSON.stringify(anon).includes('secret plan'));
	const byMember = await list(w.member);
	assert.equal(byMember.length, 2);
	const byPending = await list(w.pending);
	assert.deepEqual(byPending.map((p) => p.status), ['approved', 'approved', 'pending']);
	assert.match(byPending[2].message, /secret plan/, 'the requester sees their own message');
	const byApproved = await list(w.approved);
	assert.equal(byApproved.length, 2, 'approved participants do not see requests');
	assert.equal(byApproved[1].message, 'We would love to help');
	for (const who of [w.owner, w.siteAdmin]) {
		const all = await list(who);
		assert.equal(all.length, 3);
		assert.match(all[2].message, /secret plan/);
	}
	const pendingOnly = await get(`/v1/collaborations/${c.id}/participants?status=pending`, as(w.owner));
	assert.deepEqual(pendingOnly.json.data.map((p) => p.id), [w.pp.id]);

	// Approving: only owners (and site admins); others cannot see the request.
	const approve = (who) => patch(`/v1/collaborations/${c.id}/participants/${w.pp.id}`,
	    { status: 'approved' }, as(who));
	assertProblem(await approve(null), 401);
	assertProblem(await approve(w.member), 404);
	assertProblem(await approve(w.approved), 404);
	assertProblem(await approve(w.pending), 403, 'status');
	assert.equal((await sql('SELECT status FROM collaboration_participants WHERE id = $1',
	    [w.pp.id]))[0].status, 'pending');
	const ok = await approve(w.siteAdmin);
	assert.equal(ok.status, 200, ok.text);
	assert.equal(ok.json.status, 'approved');

	// An approved participant cannot set roles; an owner can.
	assertProblem(await patch(`/v1/collaborations/${c.id}/participants/${w.pp.id}`,
	    { role: 'owner' }, as(w.approved)), 403, 'role');
	const promoted = await decide(c, w.pp, w.owner, { role: 'owner' });
	assert.equal(promoted.role, 'owner');
	const got = await get(`/v1/collaborations/${c.id}`, as(w.pending));
	assert.deepEqual(got.json.owners.map((o) => o.id), [w.owner.id, w.pending.id]);
});

test('status flow: owners move it along the transitions, anything else is 409', async () => {
	const w = await world();
	const { c } = w;
	const move = (status, who = w.owner) => patch(`/v1/collaborations/${c.id}`, { status }, as(who));
	let r = await move('active');
	assertProblem(r, 409, 'status');
	assert.equal(r.json.code, 'invalid_transition');
	assert.match(r.json.detail, /allowed: seeking_partners, archived/);
	assertProblem(await move('completed'), 409);
	assertProblem(await move('seeking_partners', w.approved), 403);
	assertProblem(await move('seeking_partners', null), 401);
	r = await move('seeking_partners');
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json.allowed_transitions, ['active', 'archived']);
	assertProblem(await move('proposed'), 409);
	assert.equal((await move('active')).status, 200);
	assert.equal((await move('active')).status, 200, 'staying put is not a move');
	r = await move('completed');
	assert.equal(r.status, 200);
	assert.ok(r.json.completed_at);
	assert.deepEqual(r.json.allowed_transitions, ['archived']);
	r = await move('active');
	assertProblem(r, 409);
	assert.match(r.json.detail, /allowed: archived/);
	// Completed: no new participants.
	const late = await makeMember();
	r = await post(`/v1/collaborations/${c.id}/participants`, { message: 'late' }, as(late));
	assertProblem(r, 409);
	assert.equal(r.json.code, 'closed');
	assert.equal((await move('archived')).status, 200);
	r = await move('active');
	assertProblem(r, 409);
	assert.match(r.json.detail, /archived for good/);
	assertProblem(await patch(`/v1/collaborations/${c.id}`, { title: 'New' }, as(w.owner)), 409);
	// The database refuses a bad move whoever makes it.
	const other = await collab(w.owner);
	await assert.rejects(sql(`UPDATE collaborations SET status = 'completed' WHERE id = $1`,
	    [other.id]), /cannot move from proposed to completed/);
	// Any status may be archived.
	assert.equal((await patch(`/v1/collaborations/${other.id}`, { status: 'archived' },
	    as(w.owner))).status, 200);
});

test('participation: requests, organizations, decisions, notifications, leaving', async () => {
	const owner = await makeMember();
	const coOwner = await makeMember();
	const c = await collab(owner);
	const pco = await join(c, coOwner);
	await decide(c, pco, owner, { status: 'approved', role: 'owner' });

	const asker = await makeMember();
	const p = await join(c, asker, { skills_offered: ['storytime', 'storytime', ' zines '] });
	assert.equal(p.status, 'pending');
	assert.equal(p.role, 'participant');
	assert.deepEqual(p.skills_offered, ['storytime', 'zines']);
	const requested = (await notes(owner, 'participation_requested'))
	    .filter((n) => n.text.includes(asker.display_name));
	assert.equal(requested.length, 1);
	assert.equal(Number(requested[0].subject_id), c.id);
	assert.equal(requested[0].subject_type, 'collaboration');
	assert.equal((await notes(coOwner, 'participation_requested')).length, 1);

	let r = await post(`/v1/collaborations/${c.id}/participants`, { message: 'again' }, as(asker));
	assertProblem(r, 409);
	assert.equal(r.json.code, 'already_participant');
	assertProblem(await post(`/v1/collaborations/${c.id}/participants`, {}, as(asker)), 400, 'message');

	// On behalf of an organization: only its admins.
	const libAdmin = await makeMember();
	const org = await makeOrg(libAdmin);
	assertProblem(await post(`/v1/collaborations/${c.id}/participants`,
	    { message: 'for them', organization: org.id }, as(asker)), 403, 'organization');
	const po = await join(c, libAdmin, { organization: org.slug });
	assert.equal(po.organization.id, org.id);
	const other = await makeMember();
	await post(`/v1/organizations/${org.id}/members`, { member_id: other.id, role: 'admin' },
	    as(libAdmin));
	r = await post(`/v1/collaborations/${c.id}/participants`,
	    { message: 'me too', organization: org.id }, as(other));
	assertProblem(r, 409);

	await decide(c, po, coOwner, { status: 'approved' });
	const approved = await notes(libAdmin, 'participation_approved');
	assert.equal(approved.length, 1);
	assert.match(approved[0].text, /approved/);
	const got = await get(`/v1/collaborations/${c.id}`);
	assert.deepEqual(got.json.partner_organizations.map((o) => o.id), [org.id]);
	assert.equal(got.json.participant_count, 3);
	// The organization is now in use.
	r = await del(`/v1/organizations/${org.id}`, as(libAdmin));
	assertProblem(r, 409);
	assert.match(r.json.detail, /collaborations/);

	const declined = await decide(c, p, owner, { status: 'declined' });
	assert.equal(declined.status, 'declined');
	assert.ok(declined.decided_at);
	assert.equal((await notes(asker, 'participation_declined')).length, 1);
	r = await patch(`/v1/collaborations/${c.id}/participants/${p.id}`, { status: 'approved' },
	    as(owner));
	assertProblem(r, 409, 'status');
	assert.equal(r.json.code, 'invalid_transition');

	// Leaving: only oneself; owners cannot make someone leave.
	assertProblem(await patch(`/v1/collaborations/${c.id}/participants/${po.id}`,
	    { status: 'left' }, as(owner)), 403, 'status');
	const left = await decide(c, po, libAdmin, { status: 'left' });
	assert.equal(left.status, 'left');
	r = await patch(`/v1/collaborations/${c.id}/participants/${po.id}`, { status: 'approved' },
	    as(owner));
	assertProblem(r, 409);
	// After leaving one may ask again.
	await join(c, libAdmin, { organization: org.id });
	// A pending request can be withdrawn by its author, and nobody is notified.
	const shy = await makeMember();
	const ps = await join(c, shy);
	assert.equal((await decide(c, ps, shy, { status: 'left' })).status, 'left');
	assert.equal((await notes(shy, 'participation_declined')).length, 0);
	// A request cannot be made an owner before it is approved.
	const eager = await makeMember();
	const pe = await join(c, eager);
	assertProblem(await patch(`/v1/collaborations/${c.id}/participants/${pe.id}`,
	    { role: 'owner' }, as(owner)), 409, 'role');
	assert.equal((await decide(c, pe, owner, { status: 'approved', role: 'owner' })).role, 'owner');
	// Read-only and unknown fields.
	assertProblem(await patch(`/v1/collaborations/${c.id}/participants/${pe.id}`,
	    { organization: { id: 1 } }, as(owner)), 400, 'organization');
	assertProblem(await patch(`/v1/collaborations/${c.id}/participants/${pe.id}`,
	    { status: 'pending' }, as(owner)), 400, 'status');
	assertProblem(await patch(`/v1/collaborations/${c.id}/participants/999999999`,
	    { status: 'left' }, as(owner)), 404);
});

test('the last owner cannot leave or be demoted, nor delete their account', async () => {
	const owner = await makeMember();
	const c = await collab(owner, { title: `Last owner test ${uid()}` });
	const own = (await sql(`SELECT id FROM collaboration_participants
	    WHERE collaboration_id = $1 AND member_id = $2`, [c.id, owner.id]))[0];
	let r = await patch(`/v1/collaborations/${c.id}/participants/${own.id}`, { status: 'left' },
	    as(owner));
	assertProblem(r, 409);
	assert.equal(r.json.code, 'last_owner');
	r = await patch(`/v1/collaborations/${c.id}/participants/${own.id}`, { role: 'participant' },
	    as(owner));
	assertProblem(r, 409);
	assert.equal(r.json.code, 'last_owner');
	r = await del('/v1/me', as(owner));
	assertProblem(r, 409);
	assert.equal(r.json.code, 'hand_over_first');
	assert.ok(r.json.detail.includes(c.title), r.json.detail);
	await assert.rejects(sql('DELETE FROM collaboration_participants WHERE id = $1', [own.id]),
	    /must keep at least one owner/);

	// With a second owner the first may leave, and then delete the account.
	const heir = await makeMember();
	const ph = await join(c, heir);
	await decide(c, ph, owner, { status: 'approved', role: 'owner' });
	r = await patch(`/v1/collaborations/${c.id}/participants/${own.id}`, { status: 'left' },
	    as(owner));
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.role, 'participant');
	assert.equal((await del('/v1/me', as(owner))).status, 204);
	const after = await get(`/v1/collaborations/${c.id}`, as(heir));
	assert.equal(after.json.created_by, null);
	assert.deepEqual(after.json.owners.map((o) => o.id), [heir.id]);
});

test('owners leaving at the same time keep exactly one owner', async () => {
	for (const n of [2, 3, 3]) {
		const first = await makeMember();
		const c = await collab(first);
		const owners = [first];
		for (let i = 1; i < n; i++) {
			const m = await makeMember();
			const p = await join(c, m);
			await decide(c, p, first, { status: 'approved', role: 'owner' });
			owners.push(m);
		}
		const rows = await sql(`SELECT id, member_id FROM collaboration_participants
		    WHERE collaboration_id = $1 AND role = 'owner'`, [c.id]);
		const pid = (m) => rows.find((x) => Number(x.member_id) === m.id).id;
		const results = await Promise.all(owners.map((m) =>
		    patch(`/v1/collaborations/${c.id}/participants/${pid(m)}`, { status: 'left' }, as(m))));
		const codes = results.map((r) => r.status).sort();
		assert.deepEqual(codes, [...Array(n - 1).fill(200), 409], results.map((r) => r.text).join('\n'));
		assert.equal(results.find((r) => r.status === 409).json.code, 'last_owner');
		const left = await sql(`SELECT count(*)::int AS n FROM collaboration_participants
		    WHERE collaboration_id = $1 AND role = 'owner' AND status = 'approved'`, [c.id]);
		assert.equal(left[0].n, 1);
	}
	// Two owners demoting each other at once: one stays.
	const a = await makeMember();
	const b = await makeMember();
	const c = await collab(a);
	const pb = await join(c, b);
	await decide(c, pb, a, { status: 'approved', role: 'owner' });
	const pa = (await sql(`SELECT id FROM collaboration_participants
	    WHERE collaboration_id = $1 AND member_id = $2`, [c.id, a.id]))[0].id;
	const both = await Promise.all([
		patch(`/v1/collaborations/${c.id}/participants/${pb.id}`, { role: 'participant' }, as(a)),
		patch(`/v1/collaborations/${c.id}/participants/${pa}`, { role: 'participant' }, as(b)),
	]);
	const ok = both.filter((r) => r.status === 200).length;
	const owners = (await sql(`SELECT count(*)::int AS n FROM collaboration_participants
	    WHERE collaboration_id = $1 AND role = 'owner'`, [c.id]))[0].n;
	assert.equal(owners, 1);
	assert.ok(ok === 1, both.map((r) => `${r.status} ${r.text}`).join('\n'));
});

test('cost shares: validation, who sets them, totals per currency of approved participants', async () => {
	const w = await world();
	const { c, owner } = w;
	const share = (p, cost_share, who) => patch(`/v1/collaborations/${c.id}/participants/${p.id}`,
	    { cost_share }, as(who));
	// The participant sets their own; an owner may set anyone's; nobody else.
	let r = await share(w.pa, { amount: '500.00', currency: 'USD', note: 'printing' }, w.approved);
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json.cost_share, { amount: '500.00', currency: 'USD', note: 'printing' });
	r = await share(w.pa, { amount: '250.5' }, owner);
	assert.deepEqual(r.json.cost_share, { amount: '250.50', currency: 'USD', note: 'printing' },
	    'a patch merges with the current share');
	assertProblem(await share(w.pa, { amount: '1.00', currency: 'USD' }, w.pending), 404);
	const third = await makeMember();
	const p3 = await join(c, third, { cost_share: { amount: '100', currency: 'EUR' } });
	assert.deepEqual(p3.cost_share, { amount: '100.00', currency: 'EUR', note: null });
	await decide(c, p3, owner, { status: 'approved' });
	const own = (await sql(`SELECT id FROM collaboration_participants
	    WHERE collaboration_id = $1 AND member_id = $2`, [c.id, owner.id]))[0];
	assert.equal((await share(own, { amount: '9999999999.99', currency: 'USD' }, owner)).status, 200);
	// Pending and declined shares do not count.
	assert.equal((await share(w.pp, { amount: '1000.00', currency: 'USD' }, w.pending)).status, 200);
	const gone = await makeMember();
	const pg = await join(c, gone, { cost_share: { amount: '50', currency: 'GBP' } });
	await decide(c, pg, owner, { status: 'declined' });

	let got = await get(`/v1/collaborations/${c.id}`);
	assert.deepEqual(got.json.cost_totals, [{ currency: 'EUR', amount: '100.00' },
	    { currency: 'USD', amount: '10000000250.49' }]);
	// Clearing one.
	await share(own, null, owner);
	got = await get(`/v1/collaborations/${c.id}`);
	assert.deepEqual(got.json.cost_totals, [{ currency: 'EUR', amount: '100.00' },
	    { currency: 'USD', amount: '250.50' }]);
	// Others see totals but not shares.
	const anon = (await get(`/v1/collaborations/${c.id}/participants`)).json.data;
	assert.ok(anon.every((p) => p.cost_share === null));
	const inside = (await get(`/v1/collaborations/${c.id}/participants`, as(w.approved))).json.data;
	assert.ok(inside.some((p) => p.cost_share && p.cost_share.currency === 'EUR'));

	for (const [bad, field] of [
		[{ amount: '1.234', currency: 'USD' }, 'cost_share.amount'],
		[{ amount: '-5', currency: 'USD' }, 'cost_share.amount'],
		[{ amount: '12345678901', currency: 'USD' }, 'cost_share.amount'],
		[{ amount: 5, currency: 'USD' }, 'cost_share.amount'],
		[{ amount: '5', currency: 'usd' }, 'cost_share.currency'],
		[{ amount: '5', currency: 'XYZ' }, 'cost_share.currency'],
		[{ amount: '5', currency: 'DOLLARS' }, 'cost_share.currency'],
		[{ amount: '5', currency: 'USD', tip: 1 }, 'cost_share.tip'],
	]) {
		assertProblem(await share(w.pa, bad, w.approved), 400, field);
	}
	const fresh = await makeMember();
	r = await post(`/v1/collaborations/${c.id}/participants`,
	    { message: 'hi', cost_share: { currency: 'USD' } }, as(fresh));
	assertProblem(r, 400, 'cost_share.amount');
	const fresh2 = await makeMember();
	const pf = await join(c, fresh2);
	assertProblem(await share(pf, { note: 'no amount yet' }, fresh2), 400, 'cost_share.amount');
});

test('export carries the member\'s collaborations, participations, updates', async () => {
	const w = await world();
	await post(`/v1/collaborations/${w.c.id}/updates`, { body: 'Kick-off done' }, as(w.approved));
	await patch(`/v1/collaborations/${w.c.id}/participants/${w.pa.id}`,
	    { cost_share: { amount: '12.00', currency: 'CAD' } }, as(w.approved));
	const ex = await get('/v1/me/export', as(w.approved));
	assert.equal(ex.status, 200, ex.text);
	assert.equal(ex.json.collaboration_participations.length, 1);
	assert.deepEqual(ex.json.collaboration_participations[0].cost_share,
	    { amount: '12.00', currency: 'CAD', note: null });
	assert.deepEqual(ex.json.collaboration_updates.map((u) => u.body), ['Kick-off done']);
	const own = await get('/v1/me/export', as(w.owner));
	assert.deepEqual(own.json.collaborations_created.map((c) => c.id), [w.c.id]);
});
