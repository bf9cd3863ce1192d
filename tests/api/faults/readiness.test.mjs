// Readiness through the shared pool: stop PostgreSQL under the running
// API, see 503 (never a hang or a dead worker), start it again, and every
// request succeeds from then on, without restarting the API.  Runs alone,
// after the other API tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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

// The API sends each statement prepared, once per pooled connection
// (api/src/db/prepared.c).  PostgreSQL replans a prepared statement when
// a function it calls is replaced, but refuses one whose result columns
// changed type (0A000): the statement did not run, so the API sends it
// again on a new session, where it is prepared afresh.  Here api.ready()
// comes back with status as bigint while every connection holds the
// statement of /readyz prepared with an integer status.
test('a statement prepared before its function changed result types runs again, prepared afresh', async () => {
	const m = await makeMember();
	const pids = await workerPids();
	await burst(m, 'before');
	const [{ def }] = await sql(`SELECT pg_get_functiondef('api.ready()'::regprocedure) AS def`);
	const logged = () => readFileSync(process.env.API_LOG, 'utf8')
	    .split('\n').filter((l) => /prepared statement is out of date/.test(l)).length;
	const before = logged();
	await sql('DROP FUNCTION api.ready()');
	try {
		await sql(`CREATE FUNCTION api.ready() RETURNS TABLE (status bigint, body jsonb)
		    LANGUAGE sql AS $$ SELECT 200::bigint, jsonb_build_object('status', 'ready',
		        'database', 'ok', 'mail', api.mail_status()) $$`);
		const rs = await Promise.all(Array.from({ length: 16 }, () => get('/readyz')));
		assert.deepEqual(rs.map((r) => r.status), rs.map(() => 200));
		assert.equal(rs[0].json.status, 'ready');
		assert.ok(logged() > before, 'no statement was sent again: were they prepared?');
	} finally {
		await sql('DROP FUNCTION IF EXISTS api.ready()');
		await sql(def);
	}
	await burst(m, 'after api.ready() is back');
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
