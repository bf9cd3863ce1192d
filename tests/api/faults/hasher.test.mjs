// The hashing process dies under the running API (as when the kernel's
// OOM killer picks it): the hasher (il-hasher, api/src/auth/hasher.c)
// forks it again on the same sockets, logins go on, and a login whose
// hash died with it gets 503 with Retry-After: its password was neither
// accepted nor refused, so it is not a failed attempt.  Runs alone,
// after the other API tests (these are the fault tests).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { post, sql, makeMember, PASSWORD, assertProblem, workerPids } from '../lib.mjs';

const comm = (pid) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
const children = (pid) => readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
	.trim().split(/\s+/).filter(Boolean).map(Number);
const tick = () => new Promise((r) => setTimeout(r, 2));

// The hasher (a child of the API's parent) and its hashing process.
function hasher() {
	const h = children(Number(process.env.API_PID)).find((p) => comm(p) === 'il-hasher');
	assert.ok(h, 'the API has no il-hasher child');
	return { h, hashes: children(h).find((p) => comm(p) === 'il-hashes') };
}

// CPU time of a process's threads, in clock ticks (utime + stime).
function cpuTicks(pid) {
	let t = 0;
	for (const tid of readdirSync(`/proc/${pid}/task`)) {
		const f = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
			.replace(/^.*\) /s, '').split(' ');
		t += Number(f[11]) + Number(f[12]);
	}
	return t;
}

// Wait until the hasher has a hashing process other than old.
async function replaced(old) {
	for (const end = Date.now() + 15000; ;) {
		const { hashes } = hasher();
		if (hashes && hashes !== old) return hashes;
		assert.ok(Date.now() < end, 'the hashing process was not started again');
		await tick();
	}
}

const login = (email, password = PASSWORD) =>
	post('/v1/sessions', { email, password }, { validate: false });
const logged = (re) => readFileSync(process.env.API_LOG, 'utf8').split('\n')
	.filter((l) => re.test(l)).length;

test('a hashing process that dies is started again on the same sockets; logins go on', async () => {
	const pids = await workerPids();
	const { h, hashes } = hasher();
	assert.ok(hashes, 'the hasher has no il-hashes child');
	const before = logged(/il-hasher: the hashing process ended by signal 9/);
	process.kill(hashes, 'SIGKILL');
	await replaced(hashes);
	assert.equal(hasher().h, h, 'the hasher itself is the same process');
	const m = await makeMember();
	// As many logins at once as the API has sockets to the hasher, and more.
	const rs = await Promise.all(Array.from({ length: 4 }, () => login(m.email)));
	assert.deepEqual(rs.map((r) => r.status), [201, 201, 201, 201], rs.map((r) => r.text).join());
	assert.equal((await login(m.email, 'not the password at all')).status, 401);
	assert.deepEqual(await workerPids(), pids, 'a worker or the hasher died');
	assert.equal(logged(/il-hasher: the hashing process ended by signal 9/), before + 1);
	await sql('DELETE FROM login_failures WHERE email_key = $1', [m.email.toLowerCase()]);
});

test('a login whose hash dies with the hashing process gets 503 and is no failed attempt', async () => {
	const m = await makeMember();
	const failures = async () => (await sql(
	    'SELECT count(*)::int AS n FROM login_failures WHERE email_key = $1',
	    [m.email.toLowerCase()]))[0].n;
	// Kill the hashing process while it hashes this login's password (its
	// threads use CPU only to hash).  When the hash ends before the kill
	// lands, the login succeeds: try again.
	let r;
	for (let attempt = 1; ; attempt++) {
		assert.ok(attempt <= 5, 'every hash ended before the process could be stopped');
		const { hashes } = hasher();
		const cpu = cpuTicks(hashes);
		let done = false;
		const p = login(m.email).finally(() => { done = true; });
		while (!done && cpuTicks(hashes) === cpu) await tick();
		process.kill(hashes, 'SIGKILL');
		r = await p;
		await replaced(hashes);
		if (r.status !== 201) break;
	}
	assertProblem(r, 503);
	assert.equal(r.json.code, 'unavailable');
	assert.ok(Number(r.headers.get('retry-after')) >= 1, 'Retry-After');
	assert.equal(await failures(), 0, 'the lost login was counted as a failed attempt');
	assert.ok(logged(/the hasher lost a job/) >= 1, 'the API logs the lost job');
	// The new hashing process takes the next login.
	assert.equal((await login(m.email)).status, 201);
});
