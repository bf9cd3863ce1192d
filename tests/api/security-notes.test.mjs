// README.md's "Security notes" say what registration reveals and why; these tests hold the
// API to what they say, so a change to either shows up here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { post, uid, assertProblem, PASSWORD } from './lib.mjs';

const README = new URL('../../README.md', import.meta.url);

async function securityNotes() {
	const text = await readFile(README, 'utf8');
	const m = /^## Security notes\n([\s\S]*?)(?=^## )/m.exec(text);
	assert.ok(m, 'README.md has a "Security notes" section');
	return m[1].replace(/\s+/g, ' ');
}

test('README says that registration tells whether an email exists, and why that is accepted', async () => {
	const notes = await securityNotes();
	for (const words of ['`409 email_taken`', 'accepted trade-off', 'instant sign-up',
	    'throttled per client address', '`REGISTRATIONS_PER_ADDRESS`',
	    'Anyone can still test an address', 'logging in answers the same `401 invalid_credentials`',
	    'password reset']) {
		assert.ok(notes.includes(words), `Security notes mention ${words}`);
	}
});

test('as documented: a taken address is 409 email_taken, and registration is throttled per address', async () => {
	const email = `notes-${uid()}@example.org`;
	const first = await post('/v1/members', { email, password: PASSWORD, display_name: 'Noted' });
	assert.equal(first.status, 201, first.text);
	const limit = first.headers.get('ratelimit-limit');
	assert.equal(limit, process.env.REGISTRATIONS_PER_ADDRESS || '20',
	    'registration carries the per-address limit it is throttled by');
	const again = await post('/v1/members', { email, password: PASSWORD, display_name: 'Again' });
	assertProblem(again, 409);
	assert.equal(again.json.code, 'email_taken');
});

test('as documented: logging in does not tell an unknown email from a wrong password', async () => {
	const email = `notes-${uid()}@example.org`;
	const r = await post('/v1/members', { email, password: PASSWORD, display_name: 'Noted' });
	assert.equal(r.status, 201, r.text);
	const wrong = await post('/v1/sessions', { email, password: `${PASSWORD}!` });
	const unknown = await post('/v1/sessions', { email: `nobody-${uid()}@example.org`, password: PASSWORD });
	assertProblem(wrong, 401);
	assertProblem(unknown, 401);
	assert.equal(wrong.json.code, 'invalid_credentials');
	const body = (x) => ({ ...x.json, request_id: undefined, instance: undefined });
	assert.deepEqual(body(wrong), body(unknown));
});
