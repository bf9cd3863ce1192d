// Readiness through the shared pool: stop PostgreSQL under the running
// API, see 503 (never a hang or a dead worker), start it again, and every
// request succeeds from then on, without restarting the API.  Runs alone,
// after the other API tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { get, db, sql, makeMember, assertProblem, workerPids } from '../lib.mjs';

const pg = (...args) => execFileSync('bash', ['scripts/pg.sh', ...args],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });

// n concurrent requests, each on a connection of its own (so both workers
// serve some, on every pooled database connection): all must succeed.
async function burst(m, what, n = 24) {
	const rs = await Promise.all(Array.from({ length: n }, (_, i) =>
	    get(i % 4 ? '/v1/me' : '/readyz', { token: m.token, validate: false })));
	assert.deepEqual(rs.map((r) => r.status).filter((s) => s !== 200), [],
	    `${what}: ${rs.filter((r) => r.status !== 200).map((r) => r.text)[0] || ''}`);
}

test('sessions PostgreSQL ended while idle are reopened; no request sees it', async () => {
	const m = await makeMember();
	const pids = await workerPids();
	await burst(m, 'before');
	const api = "application_name = 'interlibrary-api'";
	const ended = await sql(`SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
	    WHERE ${api}`);
	assert.ok(ended.length >= 2 && ended.every((r) => r.ok), 'the API had no sessions to end');
	// Wait until the backends are gone (pg_terminate_backend only signals).
	for (const end = Date.now() + 10000; ;) {
		const [{ n }] = await sql(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE ${api}`);
		if (n === 0) break;
		assert.ok(Date.now() < end, 'the ended sessions did not go away');
	}
	// Each pooled connection now holds the server's goodbye (FATAL 57P01)
	// and end of file: the statement sent on it never reached a server.
	await burst(m, 'right after the sessions ended');
	await burst(m, 'a second burst');
	assert.deepEqual(await workerPids(), pids, 'a worker died');
});

test('readyz turns 503 while PostgreSQL is down and 200 once it is back', async () => {
	const m = await makeMember();
	const pids = await workerPids();
	assert.equal((await get('/readyz')).status, 200);
	await db.end();
	pg('stop', process.env.PG_DIR);
	try {
		// Every worker's pooled connections see the outage.
		for (let i = 0; i < 6; i++) {
			const r = await get('/readyz', { validate: true });
			assertProblem(r, 503);
			assert.equal(r.json.code, 'unavailable');
			assert.ok(r.headers.get('retry-after'));
		}
		const me = await get('/v1/me', { token: m.token });
		assertProblem(me, 503);
		assert.doesNotMatch(me.text, /connection|socket|server closed/i);
		assert.equal((await get('/healthz')).status, 200, 'liveness does not need the database');
	} finally {
		pg('start', process.env.PG_DIR, process.env.PG_PORT);
	}
	// Every request after PostgreSQL is ready succeeds (pg.sh returns once
	// it accepts connections), on every worker and whichever pooled
	// connection it draws: a statement sent on a connection the restart
	// broke never reached the server, so the API resets the connection
	// and sends it again.
	await burst(m, 'the first burst after PostgreSQL is ready');
	for (let i = 0; i < 10; i++)
		assert.equal((await get('/readyz')).status, 200);
	await burst(m, 'a second burst');
	assert.deepEqual(await workerPids(), pids, 'a worker died during the outage');
});
