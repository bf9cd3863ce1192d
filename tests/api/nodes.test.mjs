// Several API processes on one database (issue 21), on one machine: a
// second and a third Kore started here with the suite's configuration on
// ports of their own.
//   - The public cache is emptied through PostgreSQL (LISTEN/NOTIFY on
//     channel il_cache, api/src/db/notify.c): a change made through the
//     suite's API empties the other process's cached feed within 1 s.
//   - DATABASE_REPLICA_URL pointing where nothing listens: every read
//     still works, from the primary.
//   - DATABASE_REPLICA_URL pointing at a server that answers (here the
//     primary itself, under an application_name of its own): anonymous
//     reads go there, requests with a token do not.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { post, patch, sql, db, uid, makeMember } from './lib.mjs';

const HOUR = 3600 * 1000;
const at = (hours) => new Date(Date.now() + hours * HOUR).toISOString().replace(/\.\d+Z$/, 'Z');
const started = [];

function freePort() {
	return new Promise((resolve, reject) => {
		const s = net.createServer();
		s.on('error', reject);
		s.listen(0, '127.0.0.1', () => {
			const { port } = s.address();
			s.close(() => resolve(port));
		});
	});
}

// One GET on a new connection (either worker may answer).
function getFrom(base, path, headers = {}) {
	return new Promise((resolve, reject) => {
		const req = http.get(base + path, { agent: false, headers }, (res) => {
			let text = '';
			res.setEncoding('utf8');
			res.on('data', (c) => { text += c; });
			res.on('end', () => resolve({ status: res.statusCode, text }));
		});
		req.on('error', reject);
	});
}

// Another API process with the suite's environment plus env; resolves
// { base, log } once it answers /healthz and both workers listen.
async function startApi(env = {}) {
	const port = await freePort();
	const dir = mkdtempSync('/tmp/il-node-');
	const base = `http://127.0.0.1:${port}`;
	const log = `${dir}/api.log`;
	const { openSync } = await import('node:fs');
	const out = openSync(log, 'w');
	const child = spawn('bash', ['scripts/api.sh', `${dir}/run`], {
		env: { ...process.env, API_PORT: String(port), API_WORKERS: '2',
		    PUBLIC_API_URL: process.env.PUBLIC_API_URL, ...env },
		stdio: ['ignore', out, out],
	});
	const exited = new Promise((res) => child.on('exit', res));
	started.push({ child, dir, exited });
	for (const end = Date.now() + 20000; ;) {
		const listening = (readFileSync(log, 'utf8').match(/cache: listening on il_cache/g) || []).length;
		const ok = await getFrom(base, '/healthz').then((r) => r.status === 200, () => false);
		if (ok && listening >= 2) break;
		assert.ok(Date.now() < end, `the second API did not start:\n${readFileSync(log, 'utf8')}`);
		await new Promise((r) => setTimeout(r, 50));
	}
	return { base, log };
}

after(async () => {
	for (const s of started) {
		s.child.kill('SIGTERM');
		await Promise.race([s.exited, new Promise((r) => setTimeout(r, 5000))]);
		if (s.child.exitCode === null) s.child.kill('SIGKILL');
		rmSync(s.dir, { recursive: true, force: true });
	}
});

async function makeEvent(who, city) {
	const r = await post('/v1/events', { title: `Node meetup ${uid()}`, kind: 'meetup',
	    starts_at: at(48), ends_at: at(50), timezone: 'America/Chicago', city },
	    { token: who.token });
	assert.equal(r.status, 201, r.text);
	return r.json;
}

const titles = (r) => JSON.parse(r.text).items.map((i) => i.title);

// Poll base's path (new connections) until 10 answers in a row pass
// check; the delay is that of the first of them, from t0.  Bounded.
async function untilFresh(base, path, check, t0, limit = 5000) {
	let run = 0, first = -1;
	while (run < 10) {
		const r = await getFrom(base, path);
		assert.equal(r.status, 200, r.text);
		const now = Date.now() - t0;
		if (check(r)) {
			if (run++ === 0) first = now;
		} else {
			run = 0;
			assert.ok(now < limit, `still stale ${now} ms after the change`);
		}
	}
	return first;
}

test('a change through one API process empties another process\'s cached feed within 1 s', async () => {
	const b = await startApi();
	const m = await makeMember();
	const city = `Nodeville ${uid()}`;
	const ev = await makeEvent(m, city);
	const path = `/v1/events.json?city=${encodeURIComponent(city)}`;

	// Warm process B's caches (new connections: both workers), then change
	// the title behind every cache's back (triggers off, so no
	// notification): B still answers the old title from its cache.
	for (let i = 0; i < 20; i++) assert.deepEqual(titles(await getFrom(b.base, path)), [ev.title]);
	const c = await db.connect();
	try {
		await c.query('BEGIN');
		await c.query(`SET LOCAL session_replication_role = replica`);
		await c.query(`UPDATE events SET title = 'Silently changed' WHERE id = $1`, [ev.id]);
		await c.query('COMMIT');
	} finally {
		c.release();
	}
	const cached = [];
	for (let i = 0; i < 6; i++) cached.push(titles(await getFrom(b.base, path))[0]);
	assert.ok(cached.includes(ev.title), `B does not cache its feed: ${cached}`);

	// Through the suite's API (process A): B follows within 1 s.
	const t0 = Date.now();
	const r = await patch(`/v1/events/${ev.id}`, { title: 'Changed through A' }, { token: m.token });
	assert.equal(r.status, 200, r.text);
	const answered = Date.now() - t0;
	const apiLag = await untilFresh(b.base, path, (x) => titles(x)[0] === 'Changed through A', t0);
	assert.ok(apiLag < 1000, `B showed the change after ${apiLag} ms`);

	// In SQL directly (psql, a job): the trigger notifies too.
	for (let i = 0; i < 10; i++) await getFrom(b.base, path);
	const t1 = Date.now();
	await sql(`UPDATE events SET title = 'Changed in SQL' WHERE id = $1`, [ev.id]);
	const sqlLag = await untilFresh(b.base, path, (x) => titles(x)[0] === 'Changed in SQL', t1);
	assert.ok(sqlLag < 1000, `B showed the SQL change after ${sqlLag} ms`);
	console.log(`# invalidation across processes: API write ${apiLag} ms (its answer came after ` +
	    `${answered} ms), SQL write ${sqlLag} ms (first of 10 fresh answers in a row from process B, ` +
	    'counted from the start of the write)');
	assert.doesNotMatch(readFileSync(b.log, 'utf8'), /died/);
});

test('a process whose notification connection is lost serves live, then listens again', async () => {
	const b = await startApi();
	const m = await makeMember();
	const city = `Lostville ${uid()}`;
	const ev = await makeEvent(m, city);
	const path = `/v1/events.json?city=${encodeURIComponent(city)}`;
	for (let i = 0; i < 20; i++) assert.deepEqual(titles(await getFrom(b.base, path)), [ev.title]);
	const listen = "application_name = 'interlibrary-api-listen'";
	const [{ n: before }] = await sql(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE ${listen}`);
	assert.ok(before >= 4, `${before} listening sessions`);
	await sql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE ${listen}`);
	// Behind the caches' back (no notification): only a worker that
	// dropped its cache when it lost its connection answers the new title.
	const c = await db.connect();
	try {
		await c.query('BEGIN');
		await c.query('SET LOCAL session_replication_role = replica');
		await c.query(`UPDATE events SET title = 'Changed while deaf' WHERE id = $1`, [ev.id]);
		await c.query('COMMIT');
	} finally {
		c.release();
	}
	const lag = await untilFresh(b.base, path, (x) => titles(x)[0] === 'Changed while deaf', Date.now(),
	    3000);
	console.log(`# a lost notification connection: live answers after ${lag} ms`);
	// And they listen again (backoff from 100 ms).
	for (const end = Date.now() + 10000; ;) {
		const [{ n }] = await sql(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE ${listen}`);
		if (n >= before) break;
		assert.ok(Date.now() < end, `${n} of ${before} listening sessions came back`);
		await new Promise((r) => setTimeout(r, 50));
	}
	assert.doesNotMatch(readFileSync(b.log, 'utf8'), /died/);
});

test('with DATABASE_REPLICA_URL where nothing listens, every read works from the primary', async () => {
	const dead = await freePort();
	const c = await startApi({ DATABASE_REPLICA_URL: `host=127.0.0.1 port=${dead} dbname=interlibrary user=postgres` });
	const m = await makeMember();
	const city = `Fallbackville ${uid()}`;
	const ev = await makeEvent(m, city);
	for (const path of ['/v1/events?city=' + encodeURIComponent(city),
	    `/v1/events.json?city=${encodeURIComponent(city)}`, `/v1/events/${ev.id}`,
	    '/v1/organizations', `/v1/events.ics?city=${encodeURIComponent(city)}`]) {
		for (let i = 0; i < 4; i++) {
			const r = await getFrom(c.base, path);
			assert.equal(r.status, 200, `${path}: ${r.text}`);
			assert.ok(r.text.includes(ev.title) || path === '/v1/organizations', path);
		}
	}
	const me = await getFrom(c.base, '/v1/me', { authorization: `Bearer ${m.token}` });
	assert.equal(me.status, 200, me.text);
	assert.equal((await getFrom(c.base, '/readyz')).status, 200);
	assert.doesNotMatch(readFileSync(c.log, 'utf8'), /died/);
});

test('with a replica that answers, anonymous reads go there and token requests do not', async () => {
	const name = `il-replica-${uid()}`.slice(0, 40);
	const url = `${process.env.DATABASE_URL} application_name=${name}`;
	const d = await startApi({ DATABASE_REPLICA_URL: url });
	const m = await makeMember();
	const city = `Replicaville ${uid()}`;
	const ev = await makeEvent(m, city);
	const path = `/v1/events?city=${encodeURIComponent(city)}`;
	// The replica is used once a check found it fresh and caught up with
	// the last invalidation (about a second); poll for its sessions.
	let n = 0;
	for (const end = Date.now() + 10000; n === 0;) {
		const r = await getFrom(d.base, path);
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(JSON.parse(r.text).data.map((i) => i.title), [ev.title]);
		[{ n }] = await sql(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1`,
		    [name]);
		assert.ok(n > 0 || Date.now() < end, 'no anonymous read went to the replica');
		if (n === 0) await new Promise((r2) => setTimeout(r2, 100));
	}
	// A request with a token (and what it wrote) is the primary's.
	const me = await getFrom(d.base, '/v1/me', { authorization: `Bearer ${m.token}` });
	assert.equal(me.status, 200, me.text);
	const busy = await sql(`SELECT query FROM pg_stat_activity WHERE application_name = $1
	    AND query LIKE '%api.me_get%'`, [name]);
	assert.deepEqual(busy, [], 'a request with a token ran on the replica');

	// The replica's sessions end under the running API (a restart, a
	// failover): no read fails.
	await sql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`,
	    [name]);
	for (const end = Date.now() + 10000; ;) {
		const [{ n: left }] = await sql(`SELECT count(*)::int AS n FROM pg_stat_activity
		    WHERE application_name = $1`, [name]);
		if (left === 0) break;
		assert.ok(Date.now() < end, 'the replica sessions did not end');
	}
	const rs = await Promise.all(Array.from({ length: 16 }, () => getFrom(d.base, path)));
	assert.deepEqual(rs.map((r) => r.status).filter((st) => st !== 200), [],
	    rs.map((r) => r.text).find((t) => !t.includes(ev.title)));
	for (const r of rs) assert.deepEqual(JSON.parse(r.text).data.map((i) => i.title), [ev.title]);
	assert.doesNotMatch(readFileSync(d.log, 'utf8'), /died/);
});
