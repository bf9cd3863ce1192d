// Members, logins, sessions, tokens, profiles and the directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { call, get, post, patch, put, del, sql, uid, makeMember, makeOrg,
    assertProblem, workerPids, PASSWORD } from './lib.mjs';

async function register(extra = {}) {
	const email = `reg-${uid()}@example.org`;
	const r = await post('/v1/members', { email, password: PASSWORD,
	    display_name: 'Reg Istered', ...extra });
	assert.equal(r.status, 201, r.text);
	return { ...r, email };
}

async function login(email, password = PASSWORD, headers = {}, localAddress = undefined) {
	return post('/v1/sessions', { email, password }, { headers, validate: false, localAddress });
}

// A random loopback address other than 127.0.0.1 (where the other tests
// fail logins), so that reruns against one database do not share counters.
function loopback() {
	const o = () => 1 + Math.floor(Math.random() * 254);
	return `127.${o()}.${o()}.${o()}`;
}

test('register, then log in through the real Argon2id path', async () => {
	const r = await register();
	assert.match(r.headers.get('location'), new RegExp(`/v1/members/${r.json.id}$`));
	assert.equal(r.json.email, r.email);
	assert.equal(r.json.token, undefined, 'registration must not log in');
	const rows = await sql('SELECT password_hash FROM members WHERE id = $1', [r.json.id]);
	assert.match(rows[0].password_hash, /^\$argon2id\$v=19\$m=65536,t=2,p=1\$/);
	assert.match(r.headers.get('ratelimit-limit'), /^\d+$/);
	const s = await login(r.email);
	assert.equal(s.status, 201, s.text);
	assert.equal(s.headers.get('ratelimit-limit'), '5');
	assert.equal(s.headers.get('ratelimit-remaining'), '4');
	assert.match(s.json.token, /^[A-Za-z0-9_-]{43}$/);
	assert.equal(s.json.member.id, r.json.id);
	const me = await get('/v1/me', { token: s.json.token });
	assert.equal(me.status, 200);
	assert.equal(me.json.email, r.email);
	// Only a hash of the token is stored.
	const t = await sql('SELECT count(*)::int AS n FROM sessions WHERE token_hash = $1',
	    [Buffer.from(s.json.token)]);
	assert.equal(t[0].n, 0);
});

test('registering an email twice is 409 email_taken, whatever its case', async () => {
	const r = await register();
	const again = await post('/v1/members', { email: r.email.toUpperCase(), password: PASSWORD,
	    display_name: 'Again' });
	assertProblem(again, 409);
	assert.equal(again.json.code, 'email_taken');
});

test('passwords must be 12 to 1024 characters', async () => {
	const short = await post('/v1/members', { email: `p-${uid()}@example.org`,
	    password: 'x'.repeat(11), display_name: 'P' });
	assertProblem(short, 400, 'password');
	const long = await post('/v1/members', { email: `p-${uid()}@example.org`,
	    password: 'x'.repeat(1025), display_name: 'P' });
	assertProblem(long, 400, 'password');
	assert.doesNotMatch(long.text, /xxxxxxxxxxxx/, 'a password was echoed back');
	const ok = await post('/v1/members', { email: `p-${uid()}@example.org`,
	    password: 'é'.repeat(12), display_name: 'P' });
	assert.equal(ok.status, 201);
});

// /proc/<pid>/stat: the fields after the command name, [0] state ...
// [3] session, [11] utime, [12] stime (clock ticks), [38] policy.
const procStat = (path) => readFileSync(path, 'utf8').replace(/^.*\) /s, '').split(' ');
const comm = (pid) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim();

// The hashing process: il-hashes, the one child of the API's il-hasher.
async function hashesPid() {
	const hasher = (await workerPids()).find((pid) => comm(pid) === 'il-hasher');
	assert.ok(hasher, 'the API has a hasher');
	const kids = readFileSync(`/proc/${hasher}/task/${hasher}/children`, 'utf8').trim()
	    .split(/\s+/).filter(Boolean);
	assert.deepEqual(kids.map(comm), ['il-hashes'], 'the hasher has one hashing process');
	return Number(kids[0]);
}

// The same answer, and the same work before it: a login for an unknown
// email runs a hash too (pwhash_dummy), so both take one Argon2id hash.
// The work is what the test compares, as the CPU time the hashing process
// spent on each login: its wall time on a shared machine measures the
// scheduler (the hashes run at the lowest priority, so another process's
// load stretches one login to seconds and not the next).
test('unknown email and wrong password answer the same bytes after the same hashing work', async () => {
	const strip = (res) => {
		const h = {};
		res.headers.forEach((v, k) => { if (k !== 'x-request-id') h[k] = v; });
		return { status: res.status, h, body: res.text };
	};
	const hashes = await hashesPid();
	const cpu = () => {
		const f = procStat(`/proc/${hashes}/stat`);
		return Number(f[11]) + Number(f[12]);
	};
	const ticks = { wrong: [], unknown: [] };
	const emails = [];
	for (let i = 0; i < 5; i++) {
		// Fresh accounts each time: the answers carry the account's
		// RateLimit-Remaining, the same for a known and an unknown email.
		const known = await makeMember();
		const unknownEmail = `nobody-${uid()}@example.org`;
		emails.push(known.email, unknownEmail);
		let t = cpu();
		const wrong = await login(known.email, 'not the password at all');
		ticks.wrong.push(cpu() - t);
		t = cpu();
		const unknown = await login(unknownEmail, 'not the password at all');
		ticks.unknown.push(cpu() - t);
		assert.equal(wrong.status, 401);
		assert.deepEqual(strip(wrong), strip(unknown));
	}
	assert.equal(await hashesPid(), hashes, 'the hashing process was not restarted');
	const med = (a) => [...a].sort((x, y) => x - y)[2];
	assert.ok(med(ticks.unknown) > 0, `no hash for an unknown email: ${ticks.unknown}`);
	const ratio = med(ticks.wrong) / med(ticks.unknown);
	assert.ok(ratio > 0.5 && ratio < 2,
	    `hashing work ratio ${ratio} (ticks ${ticks.wrong} vs ${ticks.unknown})`);
	await sql('DELETE FROM login_failures WHERE email_key = ANY($1)', [emails]);
});

// Hashing must leave the CPU to reads (api/src/auth/hasher.c): the hashes run
// in the API's hasher process (il-hasher) and its hashing process
// (il-hashes), in a session (and so an autogroup) of their own at nice 19,
// on SCHED_IDLE threads, on all the API's cores but one; the workers stay
// at normal priority.
test('password hashes run in the hasher: its own session and autogroup, idle threads, a core spared', async () => {
	const parent = process.env.API_PID;
	assert.ok(parent, 'API_PID is set by tests/run.sh');
	const kids = (await workerPids()).map(Number);
	const hashers = kids.filter((pid) => comm(pid) === 'il-hasher');
	assert.equal(hashers.length, 1, `children: ${kids.map(comm)}`);
	const h = hashers[0];
	assert.equal(Number(procStat(`/proc/${h}/stat`)[3]), h, 'the hasher leads a session');
	const hs = readFileSync(`/proc/${h}/task/${h}/children`, 'utf8').trim().split(/\s+/)
		.filter(Boolean).map(Number);
	assert.deepEqual(hs.map(comm), ['il-hashes'], 'the hasher has one hashing process');
	const x = hs[0];
	assert.equal(Number(procStat(`/proc/${x}/stat`)[3]), h, 'in the hasher\'s session');
	if (existsSync('/proc/sys/kernel/sched_autogroup_enabled') &&
	    readFileSync('/proc/sys/kernel/sched_autogroup_enabled', 'utf8').trim() === '1')
		assert.match(readFileSync(`/proc/${x}/autogroup`, 'utf8'), /nice 19/);
	const threads = readdirSync(`/proc/${x}/task`).map(Number).filter((t) => t !== x);
	assert.ok(threads.length >= 1);
	for (const t of threads)
		assert.equal(procStat(`/proc/${x}/task/${t}/stat`)[38], '5', `thread ${t} is SCHED_IDLE`);
	// Cpus_allowed_list: "0-3,6" -> [0, 1, 2, 3, 6].
	const cpus = (path) => readFileSync(path, 'utf8').match(/^Cpus_allowed_list:\s*(\S+)$/m)[1]
		.split(',').flatMap((r) => {
			const [a, b = a] = r.split('-').map(Number);
			return Array.from({ length: b - a + 1 }, (_, i) => a + i);
		});
	const api = cpus(`/proc/${parent}/status`);
	const spared = api.length >= 2 ? api.slice(0, -1) : api;
	for (const t of threads)
		assert.deepEqual(cpus(`/proc/${x}/task/${t}/status`), spared, `thread ${t}: cores`);
	// A login still works through it; the workers' threads are not idle.
	const r = await register();
	assert.equal((await login(r.email)).status, 201);
	for (const w of kids.filter((pid) => pid !== h)) {
		for (const t of readdirSync(`/proc/${w}/task`))
			assert.equal(procStat(`/proc/${w}/task/${t}/stat`)[38], '0', `worker ${w} thread ${t}`);
	}
});

// A login turned away because the hashing queue is full (503 busy) was
// never checked: it is no failed attempt (api.login_undo).  More logins at
// once than the API queues (HASH_QUEUE_PER_WORKER for each worker), each
// for an unknown address of its own: the 401s keep their failure record,
// the 503s leave none.
test('logins turned away with 503 busy are no failed attempts', async () => {
	const emails = Array.from({ length: 96 }, () => `busy-${uid()}@example.org`);
	const rs = await Promise.all(emails.map((e) =>
	    login(e, 'not the password at all', {}, loopback())));
	const busy = rs.filter((r) => r.status === 503);
	assert.ok(busy.length > 0, `no 503 among ${rs.length} logins at once`);
	for (const r of busy) {
		assertProblem(r, 503);
		assert.equal(r.json.code, 'busy');
		assert.ok(Number(r.headers.get('retry-after')) >= 1);
	}
	assert.deepEqual([...new Set(rs.map((r) => r.status))].sort(), [401, 503]);
	const rows = await sql('SELECT email_key FROM login_failures WHERE email_key = ANY($1)',
	    [emails]);
	const failed = new Set(rows.map((r) => r.email_key));
	rs.forEach((r, i) => assert.equal(failed.has(emails[i]), r.status === 401,
	    `${emails[i]}: ${r.status}`));
	await sql('DELETE FROM login_failures WHERE email_key = ANY($1)', [emails]);
});

test('repeated failed logins for one account from one address get 429 with Retry-After', async () => {
	const r = await register();
	for (let i = 0; i < 5; i++) {
		const f = await login(r.email, 'wrong password here');
		assert.equal(f.status, 401);
		assert.equal(f.headers.get('ratelimit-remaining'), String(4 - i));
	}
	const t = await login(r.email, 'wrong password here');
	assertProblem(t, 429);
	assert.ok(Number(t.headers.get('retry-after')) >= 1);
	const right = await login(r.email);
	assert.equal(right.status, 429, 'the right password must wait too');
});

test('failed logins throttle the failing address, never lock the account out elsewhere', async () => {
	const r = await register();
	const attacker = loopback();
	let owner = loopback();
	while (owner === attacker) owner = loopback();
	for (let i = 0; i < 5; i++) {
		const f = await login(r.email, 'wrong password here', {}, attacker);
		assert.equal(f.status, 401, f.text);
		assert.equal(f.headers.get('ratelimit-remaining'), String(4 - i));
	}
	const refused = await login(r.email, 'wrong password here', {}, attacker);
	assertProblem(refused, 429);
	// The owner, from another address, logs in with the right password,
	// under a limit of their own.
	const ok = await login(r.email, PASSWORD, {}, owner);
	assert.equal(ok.status, 201, ok.text);
	assert.equal(ok.headers.get('ratelimit-limit'), '5');
	assert.equal(ok.headers.get('ratelimit-remaining'), '4');
	// The API saw that address: the session records it.
	const rows = await sql('SELECT host(client) AS client FROM sessions WHERE id = $1',
	    [ok.json.id]);
	assert.equal(rows[0].client, owner);
	// The failing address stays refused, whatever it sends, and the
	// owner's login did not clear its failures.
	const still = await login(r.email, PASSWORD, {}, attacker);
	assertProblem(still, 429);
	assert.ok(Number(still.headers.get('retry-after')) >= 1);
	assert.equal(still.headers.get('ratelimit-remaining'), '0');
});

test('sessions: list without tokens, revoke one, log out', async () => {
	const r = await register();
	const a = (await login(r.email)).json.token;
	const b = (await login(r.email)).json.token;
	const list = await get('/v1/sessions', { token: a });
	assert.equal(list.status, 200);
	assert.equal(list.json.data.length, 2);
	assert.ok(!list.text.includes(a) && !list.text.includes(b));
	assert.equal(list.json.data.filter((s) => s.current).length, 1);
	const other = list.json.data.find((s) => !s.current);
	assert.equal((await del(`/v1/sessions/${other.id}`, { token: a })).status, 204);
	assertProblem(await get('/v1/me', { token: b, validate: false }), 401);
	assertProblem(await del(`/v1/sessions/${other.id}`, { token: a }), 404);
	assert.equal((await del('/v1/sessions/current', { token: a })).status, 204);
	assertProblem(await get('/v1/me', { token: a }), 401);
});

test('another member cannot revoke my session', async () => {
	const r = await register();
	const a = (await login(r.email)).json.token;
	const mine = (await get('/v1/sessions', { token: a })).json.data[0];
	const other = await makeMember();
	assertProblem(await del(`/v1/sessions/${mine.id}`, { token: other.token }), 404);
	assert.equal((await get('/v1/me', { token: a })).status, 200);
});

test('expired, idle and revoked tokens are refused; malformed ones too', async () => {
	const m = await makeMember();
	await sql("UPDATE sessions SET expires_at = now() - interval '1 second' WHERE member_id = $1",
	    [m.id]);
	assertProblem(await get('/v1/me', { token: m.token }), 401);
	const n = await makeMember();
	await sql("UPDATE sessions SET last_used_at = now() - interval '15 days' WHERE member_id = $1",
	    [n.id]);
	assertProblem(await get('/v1/me', { token: n.token }), 401);
	const o = await makeMember();
	await sql('UPDATE sessions SET revoked_at = now() WHERE member_id = $1', [o.id]);
	assertProblem(await get('/v1/me', { token: o.token }), 401);
	for (const bad of ['abc', 'x'.repeat(43), `${'A'.repeat(42)}=`]) {
		assertProblem(await get('/v1/me', { token: bad }), 401);
	}
	const basic = await get('/v1/me', { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
	assertProblem(basic, 401);
});

test('change password: wrong current is refused; other sessions revoked', async () => {
	const r = await register();
	const a = (await login(r.email)).json.token;
	const b = (await login(r.email)).json.token;
	const wrong = await put('/v1/me/password', { current_password: 'not it at all',
	    new_password: 'a brand new password' }, { token: a });
	assertProblem(wrong, 403, 'current_password');
	const short = await put('/v1/me/password', { current_password: PASSWORD,
	    new_password: 'short' }, { token: a });
	assertProblem(short, 400, 'new_password');
	const ok = await put('/v1/me/password', { current_password: PASSWORD,
	    new_password: 'a brand new password' }, { token: a });
	assert.equal(ok.status, 204, ok.text);
	assert.equal((await get('/v1/me', { token: a })).status, 200);
	assertProblem(await get('/v1/me', { token: b }), 401);
	assert.equal((await login(r.email)).status, 401);
	assert.equal((await login(r.email, 'a brand new password')).status, 201);
});

test('personal access tokens: shown once, read scope cannot write', async () => {
	const m = await makeMember();
	const c = await post('/v1/me/tokens', { name: 'my script', scope: 'read',
	    expires_in_days: 7 }, { token: m.token });
	assert.equal(c.status, 201, c.text);
	assert.match(c.json.token, /^[A-Za-z0-9_-]{43}$/);
	const read = c.json.token;
	assert.equal((await get('/v1/me', { token: read })).status, 200);
	const w = await patch('/v1/me', { bio: 'x' }, { token: read });
	assertProblem(w, 403);
	assert.equal(w.json.code, 'read_only_token');
	const list = await get('/v1/me/tokens', { token: m.token });
	assert.equal(list.json.data.length, 1);
	assert.ok(!list.text.includes(read));
	assert.equal(list.json.data[0].scope, 'read');
	assert.equal((await del(`/v1/me/tokens/${c.json.id}`, { token: m.token })).status, 204);
	assertProblem(await get('/v1/me', { token: read }), 401);
	const bad = await post('/v1/me/tokens', { name: 'x', scope: 'admin' }, { token: m.token });
	assertProblem(bad, 400, 'scope');
});

test('last_used_at is null until a request uses a token or session', async () => {
	const m = await makeMember();
	const c = await post('/v1/me/tokens', { name: 'fresh', scope: 'read' }, { token: m.token });
	assert.equal(c.status, 201, c.text);
	assert.equal(c.json.last_used_at, null);
	const listed = async () => (await get('/v1/me/tokens', { token: m.token })).json.data
	    .find((t) => t.id === c.json.id);
	assert.equal((await listed()).last_used_at, null, 'listing tokens is no use of the new one');
	assert.equal((await get('/v1/me', { token: c.json.token })).status, 200);
	const used = (await listed()).last_used_at;
	assert.match(used, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
	assert.ok(used >= c.json.created_at);

	// A login session nobody has used yet: null, and its idle expiry
	// counts from its creation.
	const s = await login(m.email);
	assert.equal(s.status, 201, s.text);
	const sessions = (await get('/v1/sessions', { token: m.token })).json.data;
	const fresh = sessions.find((x) => x.id === s.json.id);
	assert.equal(fresh.last_used_at, null);
	assert.equal(Date.parse(fresh.expires_at) - Date.parse(fresh.created_at), 1209600e3);
	assert.ok(sessions.find((x) => x.current).last_used_at, 'the calling session was used');
	await sql("UPDATE sessions SET created_at = created_at - interval '15 days' WHERE id = $1",
	    [s.json.id]);
	assertProblem(await get('/v1/me', { token: s.json.token }), 401);
});

test('PATCH /v1/me rejects read-only and unknown fields, naming each', async () => {
	const m = await makeMember();
	for (const f of ['id', 'email_verified', 'role', 'created_at', 'email', 'password_hash']) {
		const r = await patch('/v1/me', { [f]: f === 'id' ? 1 : 'x' }, { token: m.token });
		assertProblem(r, 400, f);
	}
	const rows = await sql('SELECT role FROM members WHERE id = $1', [m.id]);
	assert.equal(rows[0].role, 'member');
});

test('PATCH /v1/me is a JSON merge patch', async () => {
	const m = await makeMember();
	let r = await patch('/v1/me', { title: 'Teen librarian', skills: ['storytime', 'coding club'],
	    mentoring: { available: true, topics: ['teens'], capacity: 2 },
	    visibility: { about: 'public' }, invitations: 'met' }, { token: m.token });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.title, 'Teen librarian');
	assert.deepEqual(r.json.mentoring, { available: true, topics: ['teens'], capacity: 2 });
	assert.equal(r.json.visibility.about, 'public');
	assert.equal(r.json.visibility.mentoring, 'members');
	r = await patch('/v1/me', { title: null, mentoring: { capacity: 3 } }, { token: m.token });
	assert.equal(r.json.title, null);
	assert.deepEqual(r.json.mentoring, { available: true, topics: ['teens'], capacity: 3 });
	assert.deepEqual(r.json.skills, ['storytime', 'coding club']);
	const bad = await patch('/v1/me', { mentoring: { capacity: 99 } }, { token: m.token });
	assertProblem(bad, 400, 'mentoring.capacity');
	const vis = await patch('/v1/me', { visibility: { about: 'everyone' } }, { token: m.token });
	assertProblem(vis, 400, 'visibility.about');
});

test('profiles show each group only to who may see it, never the email', async () => {
	const owner = await makeMember({ title: 'Archivist', city: 'Springfield',
	    visibility_about: 'public', visibility_affiliations: 'private',
	    visibility_mentoring: 'members', mentoring_available: true });
	const org = await makeOrg(owner);
	const other = await makeMember();
	const anon = await get(`/v1/members/${owner.id}`);
	assert.equal(anon.json.title, 'Archivist');
	assert.equal(anon.json.mentoring, undefined);
	assert.equal(anon.json.affiliations, undefined);
	const mem = await get(`/v1/members/${owner.id}`, { token: other.token });
	assert.equal(mem.json.mentoring.available, true);
	assert.equal(mem.json.affiliations, undefined, 'private affiliations leaked');
	for (const r of [anon, mem]) {
		assert.ok(!r.text.includes(owner.email));
		assert.ok(!/password|token|email/.test(Object.keys(r.json).join()));
	}
	assert.ok(!mem.text.includes(org.slug));
	const hidden = await makeMember();
	assertProblem(await get(`/v1/members/${hidden.id}`), 404);
	const seen = await get(`/v1/members/${hidden.id}`, { token: other.token });
	assert.equal(seen.json.display_name, hidden.display_name);
	assertProblem(await get('/v1/members/999999999'), 404);
});

test('the directory is for members, searchable, filtered by what the caller may see', async () => {
	const tag = uid();
	const city = `City${tag}`;
	const a = await makeMember({ display_name: `Aaron ${tag}`, title: 'Cataloguer', city,
	    skills: [`metadata${tag}`], mentoring_available: true });
	const b = await makeMember({ display_name: `Beth ${tag}`, city, skills: [`metadata${tag}`],
	    visibility_about: 'private' });
	const c = await makeMember({ display_name: `Cora ${tag}`, interests: [`zines${tag}`] });
	assertProblem(await get('/v1/members'), 401);
	const q = await get(`/v1/members?q=${tag}`, { token: c.token });
	assert.deepEqual(q.json.data.map((m) => m.id), [a.id, b.id, c.id]);
	const prefix = await get(`/v1/members?q=catalog%20${tag}`, { token: c.token });
	assert.deepEqual(prefix.json.data.map((m) => m.id), [a.id]);
	const skill = await get(`/v1/members?skill=metadata${tag}`, { token: c.token });
	assert.deepEqual(skill.json.data.map((m) => m.id), [a.id], 'private skills must not match');
	const cityR = await get(`/v1/members?city=${city.toLowerCase()}`, { token: c.token });
	assert.deepEqual(cityR.json.data.map((m) => m.id), [a.id]);
	const interest = await get(`/v1/members?interest=zines${tag}`, { token: a.token });
	assert.deepEqual(interest.json.data.map((m) => m.id), [c.id]);
	const mentors = await get(`/v1/members?mentoring=available&q=${tag}`, { token: c.token });
	assert.deepEqual(mentors.json.data.map((m) => m.id), [a.id]);
	const org = await makeOrg(a);
	const byOrg = await get(`/v1/members?organization=${org.slug}`, { token: c.token });
	assert.deepEqual(byOrg.json.data.map((m) => m.id), [a.id]);
	assertProblem(await get('/v1/members?organization=no-such-org-here', { token: c.token }),
	    400, 'organization');
	assertProblem(await get('/v1/members?q=%20%21', { token: c.token }), 400, 'q');
	assert.ok(!q.text.includes('@example.org'));
});

test('directory keyset pagination with a Link header', async () => {
	const tag = uid();
	const made = [];
	for (let i = 0; i < 5; i++)
		made.push(await makeMember({ display_name: `Page ${tag} ${i}` }));
	const seen = [];
	let url = `/v1/members?q=${tag}&limit=2`;
	for (let i = 0; i < 5 && url; i++) {
		const r = await get(url, { token: made[0].token });
		seen.push(...r.json.data.map((m) => m.id));
		const link = r.headers.get('link');
		if (r.json.next_cursor) {
			assert.match(link, /^<http:\/\/127\.0\.0\.1:\d+\/v1\/members\?.*cursor=.*>; rel="next"$/);
			url = link.slice(link.indexOf('/v1/'), link.indexOf('>'));
		} else {
			assert.equal(link, null);
			url = null;
		}
	}
	assert.deepEqual(seen, made.map((m) => m.id));
});

test('site admins suspend and unsuspend; others cannot', async () => {
	const admin = await makeMember({ role: 'admin' });
	const m = await makeMember();
	const other = await makeMember();
	assertProblem(await post(`/v1/members/${m.id}/suspend`, undefined, { token: other.token }), 403);
	assertProblem(await post(`/v1/members/${m.id}/suspend`), 401);
	assert.equal((await post(`/v1/members/${m.id}/suspend`, undefined, { token: admin.token })).status, 204);
	assertProblem(await get('/v1/me', { token: m.token }), 401);
	const l = await login(m.email);
	assertProblem(l, 403);
	assert.equal(l.json.code, 'suspended');
	assertProblem(await get(`/v1/members/${m.id}`, { token: other.token }), 404);
	const seen = await get(`/v1/members/${m.id}`, { token: admin.token });
	assert.equal(seen.json.suspended, true, 'site admins see suspended members');
	assert.equal((await get(`/v1/members/${other.id}`, { token: m.token, validate: false }))
	    .status, 401);
	assert.equal((await post(`/v1/members/${m.id}/unsuspend`, undefined, { token: admin.token })).status, 204);
	assert.equal((await login(m.email)).status, 201);
	assertProblem(await post('/v1/members/999999999/suspend', undefined, { token: admin.token }), 404);
});

test('export gives all my data and no secrets', async () => {
	const m = await makeMember({ bio: 'Loves maps' });
	const org = await makeOrg(m);
	const r = await get('/v1/me/export', { token: m.token });
	assert.equal(r.status, 200);
	assert.equal(r.json.profile.bio, 'Loves maps');
	assert.equal(r.json.memberships[0].organization.slug, org.slug);
	assert.equal(r.json.sessions.length, 1);
	assert.doesNotMatch(r.text, /argon2|token_hash|password/);
	assert.ok(!r.text.includes(m.token));
});

test('deleting my account removes it and its sessions', async () => {
	const r = await register();
	const t = (await login(r.email)).json.token;
	assert.equal((await del('/v1/me', { token: t })).status, 204);
	assertProblem(await get('/v1/me', { token: t }), 401);
	assert.equal((await login(r.email)).status, 401);
	const rows = await sql('SELECT count(*)::int AS n FROM members WHERE id = $1', [r.json.id]);
	assert.equal(rows[0].n, 0);
	await sql('DELETE FROM login_failures WHERE email_key = $1', [r.email]);
});

test('member-scoped operations refuse anonymous callers', async () => {
	for (const [m, p] of [['GET', '/v1/me'], ['PATCH', '/v1/me'], ['DELETE', '/v1/me'],
	    ['GET', '/v1/me/export'], ['GET', '/v1/sessions'], ['DELETE', '/v1/sessions/current'],
	    ['GET', '/v1/me/tokens'], ['POST', '/v1/me/tokens'], ['PUT', '/v1/me/password'],
	    ['GET', '/v1/me/notifications']]) {
		const body = ['PATCH', 'POST', 'PUT'].includes(m) ? {} : undefined;
		const r = await call(m, p, { body, validate: false });
		assert.ok(r.status === 401 || r.status === 400, `${m} ${p}: ${r.status}`);
		if (r.status === 400) {
			const again = await call(m, p, { validate: false, body: m === 'PUT'
			    ? { current_password: 'x', new_password: 'y'.repeat(12) }
			    : m === 'POST' ? { name: 'x' } : { bio: 'x' } });
			assertProblem(again, 401);
		}
	}
});

test('notifications: list unread first, mark read, only mine', async () => {
	const m = await makeMember();
	const other = await makeMember();
	await sql(`INSERT INTO notifications (member_id, type, subject_type, subject_id, text)
	    VALUES ($1, 'membership_approved', 'organization', 1, 'one'),
	           ($1, 'membership_approved', 'organization', 1, 'two')`, [m.id]);
	const r = await get('/v1/me/notifications', { token: m.token });
	assert.equal(r.json.data.length, 2);
	assert.equal(r.json.unread_count, 2);
	const id = r.json.data[1].id;
	const p = await patch(`/v1/me/notifications/${id}`, { read: true }, { token: m.token });
	assert.equal(p.json.read, true);
	const again = await get('/v1/me/notifications', { token: m.token });
	assert.equal(again.json.data[1].id, id, 'read ones come last');
	assertProblem(await patch(`/v1/me/notifications/${id}`, { read: true },
	    { token: other.token }), 404);
	const unread = await get('/v1/me/notifications?unread=true', { token: m.token });
	assert.equal(unread.json.data.length, 1);
	assert.equal(unread.json.unread_count, 1);
});
