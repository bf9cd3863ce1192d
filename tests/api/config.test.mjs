// Configuration is read once at start: a bad value stops the API with a
// message naming the variable, before it listens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';

function start(env) {
	return new Promise((resolve) => {
		const dir = mkdtempSync('/tmp/interlibrary-config-');
		const child = spawn('bash', ['scripts/api.sh', dir], {
		    env: { ...process.env, API_PORT: '1', ...env } });
		let out = '';
		child.stdout.on('data', (d) => { out += d; });
		child.stderr.on('data', (d) => { out += d; });
		const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
		child.on('exit', (code) => {
			clearTimeout(timer);
			rmSync(dir, { recursive: true, force: true });
			resolve({ code, out });
		});
	});
}

for (const [name, value, words] of [
	['API_WORKERS', '1', /API_WORKERS="1" is not valid: it must be a whole number from 2 to 64/],
	['API_WORKERS', 'two', /API_WORKERS="two" is not valid/],
	['DB_POOL_PER_WORKER', '1', /DB_POOL_PER_WORKER="1" is not valid: it must be a whole number from 2/],
	['API_PORT', '70000', /API_PORT="70000" is not valid/],
	['API_LISTEN', 'localhost', /API_LISTEN="localhost" is not valid: it must be an IPv4 or IPv6 address/],
	['PUBLIC_API_URL', 'http://example.org/', /PUBLIC_API_URL=.* is not valid/],
	['DATABASE_URL', '', /DATABASE_URL is required/],
	['SESSION_IDLE_SECONDS', '999999999', /SESSION_IDLE_SECONDS/],
	['REPLICA_MAX_LAG_MS', '50', /REPLICA_MAX_LAG_MS="50" is not valid: it must be a whole number from 100/],
	['TRUSTED_PROXIES', '10.0.0.1,balancer', /TRUSTED_PROXIES="10.0.0.1,balancer" is not valid: it must be a comma-separated list/],
	['TRUSTED_PROXIES', '10.0.0.1,', /TRUSTED_PROXIES="10.0.0.1," is not valid/],
	// A connection string may hold a password: never echoed.
	['DATABASE_REPLICA_URL', 'x'.repeat(1100), /DATABASE_REPLICA_URL="\.\.\." is not valid/],
]) {
	test(`${name}=${JSON.stringify(value)} stops the API at start with a clear message`, async () => {
		const r = await start({ [name]: value });
		assert.notEqual(r.code, 0, r.out);
		assert.match(r.out, words);
		assert.doesNotMatch(r.out, /worker \d+ started/);
	});
}
