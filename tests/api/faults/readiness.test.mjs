// Readiness through the shared pool: stop PostgreSQL under the running
// API, see 503 (never a hang or a dead worker), start it again, see 200
// without restarting the API.  Runs alone, after the other API tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { get, db, makeMember, assertProblem, workerPids } from '../lib.mjs';

const pg = (...args) => execFileSync('bash', ['scripts/pg.sh', ...args],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });

async function until(fn, ms = 15000) {
	const end = Date.now() + ms;
	for (;;) {
		const r = await fn();
		if (r) return r;
		if (Date.now() > end) return null;
		await new Promise((res) => setTimeout(res, 100));
	}
}

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
	const back = await until(async () => (await get('/readyz', { validate: false })).status === 200);
	assert.ok(back, 'the API did not recover after PostgreSQL came back');
	// Recovery through the same pool on every worker: several in a row.
	for (let i = 0; i < 10; i++)
		assert.equal((await get('/readyz')).status, 200);
	assert.equal((await get('/v1/me', { token: m.token })).status, 200);
	// Every pooled connection of every worker recovers: a first burst
	// may still draw a connection the restart broke (that request gets
	// 503 and the connection is reset); a second burst gets no 503.
	const burst = () => Promise.all(Array.from({ length: 24 }, () =>
	    get('/v1/me', { token: m.token, validate: false })));
	const first = await burst();
	assert.ok(first.every((r) => r.status === 200 || r.status === 503));
	const second = await burst();
	assert.deepEqual(second.map((r) => r.status).filter((s) => s !== 200), []);
	assert.deepEqual(await workerPids(), pids, 'a worker died during the outage');
});
