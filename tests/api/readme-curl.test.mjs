// The README's curl examples (section "Using the API from scripts (curl)"), run as they
// stand against the real API: the fenced sh block is taken from README.md, its demo
// address and login replaced by this run's API and a member of its own, and run with
// bash -euo pipefail. Every step must work and print what the comments say.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { API, PASSWORD, get, makeMember, sql } from './lib.mjs';

const README = new URL('../../README.md', import.meta.url);

async function curlBlock() {
	const text = await readFile(README, 'utf8');
	const section = text.split('\n## Using the API from scripts (curl)\n')[1];
	assert.ok(section, 'README: the curl section');
	const m = /```sh\n([\s\S]*?)\n```/.exec(section);
	assert.ok(m, 'README: the curl section has a ```sh block');
	return m[1];
}

test('the README curl examples work as they stand: token made, read, write, 415, revoked', async () => {
	const me = await makeMember();
	const block = await curlBlock();
	assert.match(block, /^API=http:\/\/127\.0\.0\.1:8080$/m);
	assert.match(block, /ada@interlibrary\.example/);
	const script = block
	    .replace(/^API=http:\/\/127\.0\.0\.1:8080$/m, `API=${API}`)
	    .replaceAll('ada@interlibrary.example', me.email)
	    .replaceAll('librarians-unite', PASSWORD);
	const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', script],
	    { timeout: 60_000 });
	const lines = stdout.trimEnd().split('\n');
	assert.equal(lines[0], me.display_name, stdout);
	assert.ok(lines.includes('Updated by my weekly report script.'), stdout);
	assert.ok(lines.some((l) => /^\d+ weekly report write until \S+Z$/.test(l)), stdout);
	// 415 for the plain -d, then the revocation (204), the revoked token (401) and
	// the logout (204), in that order, at the end.
	const codes = lines.filter((l) => /^\d{3}$/.test(l));
	assert.deepEqual(codes, ['415', '204', '401', '204'], stdout);

	// What the script did, seen from outside: the bio changed, the token revoked,
	// the session ended.
	const r = await get('/v1/me', { token: me.token });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.bio, 'Updated by my weekly report script.');
	const rows = await sql(`SELECT kind, revoked_at IS NOT NULL AS revoked FROM sessions s
	    WHERE member_id = $1 ORDER BY id`, [me.id]);
	assert.deepEqual(rows.map((x) => `${x.kind}:${x.revoked}`),
	    ['session:false', 'session:true', 'personal:true']);
});
