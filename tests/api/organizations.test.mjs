// Organizations and memberships: CRUD, slugs, the role matrix, the
// last-admin rule (also under concurrency), hidden affiliations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { get, post, patch, del, sql, uid, makeMember, makeOrg, assertProblem } from './lib.mjs';

// One organization with a member in every role.
async function world() {
	const admin = await makeMember();
	const org = await makeOrg(admin, { description: 'Main branch' });
	const member = await makeMember();
	const pending = await makeMember();
	const outsider = await makeMember();
	const siteAdmin = await makeMember({ role: 'admin' });
	assert.equal((await post(`/v1/organizations/${org.id}/members`, { member_id: member.id },
	    { token: admin.token })).status, 201);
	assert.equal((await post(`/v1/organizations/${org.id}/members`, {},
	    { token: pending.token })).status, 201);
	return { admin, org, member, pending, outsider, siteAdmin };
}

async function orgRow(id) {
	return (await sql('SELECT name, slug, archived FROM organizations WHERE id = $1', [id]))[0];
}

test('create with a derived slug; read by id or slug; list with filters', async () => {
	const a = await makeMember();
	const tag = uid();
	const r = await post('/v1/organizations', { name: `Riverside Branch ${tag}`,
	    kind: 'public_library', city: 'Shelbyville', website: 'https://riverside.example' },
	    { token: a.token });
	assert.equal(r.status, 201, r.text);
	assert.equal(r.json.slug, `riverside-branch-${tag}`);
	assert.match(r.headers.get('location'), new RegExp(`/v1/organizations/${r.json.id}$`));
	assert.deepEqual(r.json.membership, { role: 'admin', status: 'active' });
	assert.equal(r.json.member_count, 1);
	const bySlug = await get(`/v1/organizations/${r.json.slug}`);
	const byId = await get(`/v1/organizations/${r.json.id}`);
	assert.equal(bySlug.json.id, r.json.id);
	assert.equal(byId.json.slug, r.json.slug);
	assert.equal(bySlug.json.membership, null);
	const list = await get(`/v1/organizations?q=riverside%20${tag}&city=shelbyville&kind=public_library`);
	assert.deepEqual(list.json.data.map((o) => o.id), [r.json.id]);
	const none = await get(`/v1/organizations?q=riverside%20${tag}&kind=association`);
	assert.deepEqual(none.json.data, []);
	assertProblem(await get('/v1/organizations/no-such-library-anywhere'), 404);
	assertProblem(await get('/v1/organizations/999999999'), 404);
});

test('website: malformed URLs are 400 naming the field', async () => {
	const a = await makeMember();
	for (const website of ['https://@', 'http://[::1', 'https://x.org:99999/', 'https:/x.org',
	    'ftp://x.org/']) {
		const r = await post('/v1/organizations', { name: `Library ${uid()}`, kind: 'public_library',
		    website }, { token: a.token });
		assertProblem(r, 400, 'website');
		assert.equal(r.json.errors[0].message, 'must be an http or https URL');
	}
	const org = await makeOrg(a, { website: 'https://library.example:8443/home' });
	assert.equal(org.website, 'https://library.example:8443/home');
	assertProblem(await patch(`/v1/organizations/${org.id}`, { website: 'https://@' },
	    { token: a.token }), 400, 'website');
	assert.equal((await get(`/v1/organizations/${org.id}`)).json.website,
	    'https://library.example:8443/home');
});

test('slug rules: characters, all digits, length, duplicates', async () => {
	const a = await makeMember();
	const base = { name: 'Slug Test', kind: 'other', city: 'X' };
	for (const slug of ['Has-Caps', 'under_score', 'sp ace', '12345', 'ab', 'x'.repeat(65), 'ünï']) {
		const r = await post('/v1/organizations', { ...base, slug }, { token: a.token });
		assertProblem(r, 400, 'slug');
	}
	const slug = `dup-${uid()}`;
	assert.equal((await post('/v1/organizations', { ...base, slug }, { token: a.token })).status, 201);
	const dup = await post('/v1/organizations', { ...base, slug }, { token: a.token });
	assertProblem(dup, 409, 'slug');
	const digits = await post('/v1/organizations', { ...base, name: '1234' }, { token: a.token });
	assert.equal(digits.status, 201);
	assert.match(digits.json.slug, /[a-z]/);
	const bad = await post('/v1/organizations', { ...base, kind: 'castle', website: 'ftp://x' },
	    { token: a.token });
	assertProblem(bad, 400, 'kind');
	assert.ok(bad.json.errors.some((e) => e.field === 'website'));
});

test('role matrix: edit and delete', async () => {
	const w = await world();
	const before = await orgRow(w.org.id);
	for (const who of [null, w.outsider, w.pending, w.member]) {
		const r = await patch(`/v1/organizations/${w.org.id}`, { name: 'Hijacked' },
		    who ? { token: who.token } : {});
		assertProblem(r, who ? 403 : 401);
		assert.ok(!r.text.includes(w.org.slug), 'a refusal leaked fields');
		const d = await del(`/v1/organizations/${w.org.id}`, who ? { token: who.token } : {});
		assertProblem(d, who ? 403 : 401);
	}
	assert.deepEqual(await orgRow(w.org.id), before);
	const ok = await patch(`/v1/organizations/${w.org.slug}`, { description: 'Renovated',
	    website: null }, { token: w.admin.token });
	assert.equal(ok.status, 200, ok.text);
	assert.equal(ok.json.description, 'Renovated');
	assert.equal(ok.json.website, null);
	const sa = await patch(`/v1/organizations/${w.org.id}`, { archived: true },
	    { token: w.siteAdmin.token });
	assert.equal(sa.json.archived, true);
	const listed = await get(`/v1/organizations?q=${encodeURIComponent(w.org.name)}`);
	assert.ok(!listed.json.data.some((o) => o.id === w.org.id), 'archived are not listed');
	const arch = await get('/v1/organizations?archived=true&limit=100');
	assert.ok(arch.json.data.some((o) => o.id === w.org.id));
	assert.equal((await del(`/v1/organizations/${w.org.id}`, { token: w.admin.token })).status, 204);
	assertProblem(await get(`/v1/organizations/${w.org.id}`), 404);
});

test('role matrix: membership list', async () => {
	const w = await world();
	const all = await get(`/v1/organizations/${w.org.id}/members`, { token: w.admin.token });
	assert.deepEqual(all.json.data.map((m) => m.status).sort(), ['active', 'active', 'pending']);
	const sa = await get(`/v1/organizations/${w.org.id}/members?status=pending`,
	    { token: w.siteAdmin.token });
	assert.deepEqual(sa.json.data.map((m) => m.member.id), [w.pending.id]);
	for (const who of [w.outsider, w.pending, w.member]) {
		const r = await get(`/v1/organizations/${w.org.id}/members`, { token: who.token });
		assert.deepEqual(r.json.data.map((m) => m.status), ['active', 'active']);
		assertProblem(await get(`/v1/organizations/${w.org.id}/members?status=pending`,
		    { token: who.token }), 403);
	}
	// Anonymous callers see only public affiliations (default: members).
	const anon = await get(`/v1/organizations/${w.org.id}/members`);
	assert.deepEqual(anon.json.data, []);
	await sql("UPDATE members SET visibility_affiliations = 'public' WHERE id = $1", [w.member.id]);
	const anon2 = await get(`/v1/organizations/${w.org.id}/members`);
	assert.deepEqual(anon2.json.data.map((m) => m.member.id), [w.member.id]);
});

test('role matrix: join, approve, add, promote, remove, leave', async () => {
	const w = await world();
	const path = `/v1/organizations/${w.org.id}/members`;
	// Pending confers nothing: cannot approve itself or add others.
	assertProblem(await patch(`${path}/${w.pending.id}`, { status: 'active' },
	    { token: w.pending.token }), 403);
	assertProblem(await post(path, { member_id: w.outsider.id }, { token: w.pending.token }), 403);
	assertProblem(await post(path, { member_id: w.outsider.id }, { token: w.member.token }), 403);
	assertProblem(await post(path, { role: 'admin' }, { token: w.outsider.token }), 403);
	assertProblem(await post(path, {}), 401);
	assertProblem(await post(path, {}, { token: w.pending.token }), 409);
	const notes = await sql(`SELECT count(*)::int AS n FROM notifications
	    WHERE member_id = $1 AND type = 'membership_requested'`, [w.admin.id]);
	assert.equal(notes[0].n, 1);
	// Approve.
	const ap = await patch(`${path}/${w.pending.id}`, { status: 'active' }, { token: w.admin.token });
	assert.equal(ap.status, 200, ap.text);
	assert.equal(ap.json.status, 'active');
	const n2 = await sql(`SELECT count(*)::int AS n FROM notifications
	    WHERE member_id = $1 AND type = 'membership_approved'`, [w.pending.id]);
	assert.equal(n2[0].n, 1);
	// Promote, demote.
	const pr = await patch(`${path}/${w.member.id}`, { role: 'admin' }, { token: w.admin.token });
	assert.equal(pr.json.role, 'admin');
	assert.equal((await patch(`${path}/${w.member.id}`, { role: 'member' },
	    { token: w.siteAdmin.token })).json.role, 'member');
	assertProblem(await patch(`${path}/${w.member.id}`, { role: 'admin' },
	    { token: w.member.token }), 403);
	assertProblem(await patch(`${path}/${w.outsider.id}`, { role: 'admin' },
	    { token: w.admin.token }), 404);
	// Remove and leave.
	assertProblem(await del(`${path}/${w.pending.id}`, { token: w.member.token }), 403);
	assert.equal((await del(`${path}/${w.member.id}`, { token: w.member.token })).status, 204);
	assert.equal((await del(`${path}/${w.pending.id}`, { token: w.admin.token })).status, 204);
	assertProblem(await del(`${path}/${w.pending.id}`, { token: w.admin.token }), 404);
	// Decline: a request removed by an admin.
	const newcomer = await makeMember();
	await post(path, {}, { token: newcomer.token });
	assert.equal((await del(`${path}/${newcomer.id}`, { token: w.admin.token })).status, 204);
});

// member_count is kept beside the organization (0100_org_member_counts.sql):
// after every kind of change, and after changes at once, it is what
// counting the active memberships gives.
test('member_count stays exact through joins, approvals, leaves and removals at once',
    async () => {
	const admin = await makeMember();
	const org = await makeOrg(admin);
	const path = `/v1/organizations/${org.id}/members`;
	const counted = async () => (await sql(`SELECT count(*)::int AS n FROM memberships
	    WHERE organization_id = $1 AND status = 'active'`, [org.id]))[0].n;
	const shown = async () => {
		const r = await get(`/v1/organizations/${org.id}`);
		assert.equal(r.status, 200, r.text);
		return r.json.member_count;
	};
	const people = await Promise.all(Array.from({ length: 12 }, () => makeMember()));
	// Six ask to join, six are added by the admin: all at once.
	const joined = await Promise.all(people.map((m, i) => i < 6
	    ? post(path, {}, { token: m.token })
	    : post(path, { member_id: m.id }, { token: admin.token })));
	for (const r of joined) assert.equal(r.status, 201, r.text);
	assert.equal(await counted(), 7);
	assert.equal(await shown(), 7);
	// Approve four requests while two added members leave and one is removed.
	const changed = await Promise.all([
	    ...people.slice(0, 4).map((m) => patch(`${path}/${m.id}`, { status: 'active' },
	        { token: admin.token })),
	    ...people.slice(6, 8).map((m) => del(`${path}/${m.id}`, { token: m.token })),
	    del(`${path}/${people[8].id}`, { token: admin.token }),
	    // A role change moves no count.
	    patch(`${path}/${people[9].id}`, { role: 'admin' }, { token: admin.token })]);
	for (const r of changed) assert.ok(r.status === 200 || r.status === 204, r.text);
	assert.equal(await counted(), 8);
	assert.equal(await shown(), 8);
	// A pending request declined, a member deleting their account.
	assert.equal((await del(`${path}/${people[4].id}`, { token: admin.token })).status, 204);
	assert.equal((await del('/v1/me', { token: people[10].token })).status, 204);
	assert.equal(await counted(), 7);
	assert.equal(await shown(), 7);
	const list = await get(`/v1/organizations?q=${encodeURIComponent(org.name)}`);
	assert.equal(list.json.data.find((o) => o.id === org.id).member_count, 7);
	// Deleting the organization takes its count with it.
	assert.equal((await del(`/v1/organizations/${org.id}`, { token: admin.token })).status, 204);
	const left = await sql('SELECT count(*)::int AS n FROM organization_counts WHERE organization_id = $1',
	    [org.id]);
	assert.equal(left[0].n, 0);
});

test('an organization never loses its last admin', async () => {
	const w = await world();
	const path = `/v1/organizations/${w.org.id}/members/${w.admin.id}`;
	const demote = await patch(path, { role: 'member' }, { token: w.admin.token });
	assertProblem(demote, 409);
	assert.equal(demote.json.code, 'last_admin');
	assertProblem(await del(path, { token: w.admin.token }), 409);
	assertProblem(await del('/v1/me', { token: w.admin.token }), 409);
	const rows = await sql(`SELECT role FROM memberships WHERE organization_id = $1
	    AND member_id = $2`, [w.org.id, w.admin.id]);
	assert.equal(rows[0].role, 'admin');
});

test('five admins demoting themselves at once leave at least one admin', async () => {
	for (let round = 0; round < 3; round++) {
		const first = await makeMember();
		const org = await makeOrg(first);
		const admins = [first];
		for (let i = 0; i < 4; i++) {
			const m = await makeMember();
			const r = await post(`/v1/organizations/${org.id}/members`,
			    { member_id: m.id, role: 'admin' }, { token: first.token });
			assert.equal(r.status, 201, r.text);
			admins.push(m);
		}
		const results = await Promise.all(admins.map((a) =>
		    patch(`/v1/organizations/${org.id}/members/${a.id}`, { role: 'member' },
		        { token: a.token, validate: false })));
		const codes = results.map((r) => r.status).sort();
		const left = await sql(`SELECT count(*)::int AS n FROM memberships
		    WHERE organization_id = $1 AND role = 'admin' AND status = 'active'`, [org.id]);
		assert.ok(left[0].n >= 1, `no admin left: ${codes}`);
		assert.equal(left[0].n, codes.filter((c) => c === 409).length);
		for (const r of results) assert.ok(r.status === 200 || r.status === 409, r.text);
	}
});

test('two admins demoting each other at once keep one admin', async () => {
	const a = await makeMember();
	const org = await makeOrg(a);
	const b = await makeMember();
	await post(`/v1/organizations/${org.id}/members`, { member_id: b.id, role: 'admin' },
	    { token: a.token });
	const [x, y] = await Promise.all([
	    patch(`/v1/organizations/${org.id}/members/${b.id}`, { role: 'member' }, { token: a.token,
	        validate: false }),
	    patch(`/v1/organizations/${org.id}/members/${a.id}`, { role: 'member' }, { token: b.token,
	        validate: false })]);
	const codes = [x.status, y.status].sort();
	// Whoever went first demoted the other, who then was no admin (403),
	// or the second found itself the last admin (409).
	assert.ok(codes[0] === 200 && (codes[1] === 403 || codes[1] === 409), String(codes));
	const left = await sql(`SELECT count(*)::int AS n FROM memberships
	    WHERE organization_id = $1 AND role = 'admin'`, [org.id]);
	assert.equal(left[0].n, 1);
});

test('hidden affiliations never appear in public listings or profiles', async () => {
	const a = await makeMember({ visibility_affiliations: 'private', visibility_about: 'public' });
	const org = await makeOrg(a);
	const viewer = await makeMember();
	const prof = await get(`/v1/members/${a.id}`, { token: viewer.token });
	assert.equal(prof.json.affiliations, undefined);
	const list = await get(`/v1/organizations/${org.id}/members`, { token: viewer.token });
	assert.deepEqual(list.json.data, []);
	const dir = await get(`/v1/members?organization=${org.slug}`, { token: viewer.token });
	assert.deepEqual(dir.json.data, []);
	const own = await get('/v1/me', { token: a.token });
	assert.equal(own.json.affiliations[0].slug, org.slug);
	await sql("UPDATE members SET visibility_affiliations = 'members' WHERE id = $1", [a.id]);
	const prof2 = await get(`/v1/members/${a.id}`, { token: viewer.token });
	assert.equal(prof2.json.affiliations[0].slug, org.slug);
});

test('organization list pagination', async () => {
	const a = await makeMember();
	const tag = uid();
	const ids = [];
	for (let i = 0; i < 5; i++)
		ids.push((await makeOrg(a, { name: `Paging ${tag} ${i}` })).id);
	const seen = [];
	let cursor = null;
	for (let i = 0; i < 4; i++) {
		const r = await get(`/v1/organizations?q=paging%20${tag}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
		seen.push(...r.json.data.map((o) => o.id));
		cursor = r.json.next_cursor;
		if (!cursor) break;
	}
	assert.deepEqual(seen, ids);
});
