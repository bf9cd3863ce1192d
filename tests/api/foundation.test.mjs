// Foundation: the reply funnel, routing, CORS, caching and bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { API, call, get, post, makeMember, makeOrg, assertProblem, assertCommonHeaders,
    workerPids, uid } from './lib.mjs';

const pidsBefore = await workerPids();

test('healthz and readyz answer with JSON, request id, CORS', async () => {
	const h = await get('/healthz');
	assert.equal(h.status, 200);
	assert.deepEqual(h.json, { status: 'ok' });
	assertCommonHeaders(h);
	const r = await get('/readyz');
	assert.equal(r.status, 200);
	assert.equal(r.json.status, 'ready');
	assertCommonHeaders(r);
});

test('every response carries a fresh X-Request-Id, or a valid one given', async () => {
	const a = await get('/healthz');
	const b = await get('/healthz');
	assert.notEqual(a.headers.get('x-request-id'), b.headers.get('x-request-id'));
	const c = await get('/healthz', { headers: { 'x-request-id': 'trace-12345678' } });
	assert.equal(c.headers.get('x-request-id'), 'trace-12345678');
	const d = await get('/healthz', { headers: { 'x-request-id': 'bad id with spaces' } });
	assert.notEqual(d.headers.get('x-request-id'), 'bad id with spaces');
});

test('unknown paths get a problem+json 404', async () => {
	for (const p of ['/nope', '/v1', '/v1/members/abc', '/v1/members/1/x', '/v1/organizations/',
	    '/v1//members']) {
		const r = await call('GET', p, { validate: false });
		assertProblem(r, 404);
		assert.equal(r.json.code, 'not_found');
	}
});

test('a wrong method gets 405 with Allow, as problem+json', async () => {
	const r = await call('DELETE', '/healthz', { validate: false });
	assertProblem(r, 405);
	assert.equal(r.headers.get('allow'), 'GET, HEAD, OPTIONS');
	const m = await call('PUT', '/v1/members', { validate: false, body: {} });
	assertProblem(m, 405);
	assert.match(m.headers.get('allow'), /GET.*POST/);
});

test('CORS preflight is answered on every route, /healthz included', async () => {
	for (const p of ['/healthz', '/readyz', '/v1/members', '/v1/me', '/v1/organizations/abc/members']) {
		const r = await call('OPTIONS', p, { validate: false, headers: {
		    origin: 'https://library.example', 'access-control-request-method': 'POST',
		    'access-control-request-headers': 'authorization, content-type' } });
		assert.equal(r.status, 204, p);
		assert.equal(r.headers.get('access-control-allow-origin'), '*');
		assert.match(r.headers.get('access-control-allow-headers'), /Authorization/);
		assert.match(r.headers.get('access-control-allow-headers'), /Content-Type/);
		assert.match(r.headers.get('access-control-allow-headers'), /If-None-Match/);
		assert.ok(r.headers.get('access-control-allow-methods'));
		assertCommonHeaders(r);
	}
	const g = await get('/healthz', { headers: { origin: 'https://library.example' } });
	assert.match(g.headers.get('access-control-expose-headers'), /ETag/);
	assert.match(g.headers.get('access-control-expose-headers'), /X-Request-Id/);
});

test('GETs have a strong ETag and If-None-Match gives 304', async () => {
	const a = await get('/v1/organizations');
	const etag = a.headers.get('etag');
	assert.match(etag, /^"[0-9a-f]{32}"$/);
	const b = await get('/v1/organizations', { headers: { 'if-none-match': etag } });
	assert.equal(b.status, 304);
	assert.equal(b.text, '');
	assert.equal(b.headers.get('etag'), etag);
	assertCommonHeaders(b);
	const c = await get('/v1/organizations', { headers: { 'if-none-match': '"nope", ' + etag } });
	assert.equal(c.status, 304);
	const d = await get('/v1/organizations', { headers: { 'if-none-match': '"other"' } });
	assert.equal(d.status, 200);
});

test('authenticated responses are private, no-store; anonymous ones revalidate', async () => {
	const m = await makeMember();
	const r = await get('/v1/me', { token: m.token });
	assert.equal(r.headers.get('cache-control'), 'private, no-store');
	const a = await get('/v1/organizations');
	assert.equal(a.headers.get('cache-control'), 'no-cache');
});

test('malformed JSON, duplicate keys, non-objects are 400 naming the body', async () => {
	const cases = ['{', '{"email": "a@b.c", "email": "x@y.z"}', '[1,2]', '"text"',
	    '{"email": "\\ud800"}', 'null'];
	for (const raw of cases) {
		const r = await call('POST', '/v1/sessions', { rawBody: raw, validate: false });
		assertProblem(r, 400, 'body');
	}
	const dup = await call('POST', '/v1/sessions', {
	    rawBody: '{"email": "a@b.c", "password": "x", "password": "y"}', validate: false });
	assert.match(dup.json.detail, /duplicate/);
});

test('unknown and mistyped fields are 400 naming each field', async () => {
	const r = await call('POST', '/v1/members', { validate: false, body: {
	    email: 'x@example.org', password: 'long enough password', display_name: 'X',
	    admin: true } });
	assertProblem(r, 400, 'admin');
	const t = await call('POST', '/v1/members', { validate: false, body: {
	    email: 42, password: 'short', display_name: '' } });
	assertProblem(t, 400);
	const fields = t.json.errors.map((e) => e.field).sort();
	assert.deepEqual(fields, ['display_name', 'email', 'password']);
});

test('wrong content type is 415', async () => {
	const r = await call('POST', '/v1/sessions', { validate: false,
	    rawBody: 'email=a&password=b', contentType: 'application/x-www-form-urlencoded' });
	assertProblem(r, 415);
	const l = await call('POST', '/v1/sessions', { validate: false,
	    rawBody: '{}', contentType: 'application/json; charset=latin1' });
	assertProblem(l, 415);
	const m = await makeMember();
	const p = await call('PATCH', '/v1/me', { token: m.token, rawBody: '{"bio": "x"}',
	    contentType: 'application/merge-patch+json' });
	assert.equal(p.status, 200);
	const q = await call('PATCH', '/v1/me', { token: m.token, rawBody: '{"bio": "x"}',
	    contentType: 'text/plain', validate: false });
	assertProblem(q, 415);
});

test('bodies over 64 KiB are 413 problem+json', async () => {
	const big = JSON.stringify({ email: 'a@b.c', password: 'x'.repeat(70 * 1024) });
	const r = await call('POST', '/v1/sessions', { rawBody: big, validate: false });
	assertProblem(r, 413);
});

test('bad query parameters are 400 naming the parameter, never a default', async () => {
	for (const [qs, name] of [['limit=0', 'limit'], ['limit=101', 'limit'], ['limit=abc', 'limit'],
	    ['limit=', 'limit'], ['cursor=!!!', 'cursor'], ['kind=castle', 'kind'],
	    ['limit=5&limit=6', 'limit'], ['frobnicate=1', 'frobnicate'],
	    ['access_token=abc', 'access_token'], ['q=%zz', 'query']]) {
		const r = await call('GET', `/v1/organizations?${qs}`, { validate: false });
		assertProblem(r, 400, name);
	}
});

test('a cursor is bound to its list and filters: only the limit may change', async () => {
	const m = await makeMember();
	const city = `Cursorville ${uid()}`;
	const t0 = Date.now() + 86400e3;
	const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
	for (let i = 0; i < 3; i++) {
		const r = await post('/v1/events', { title: `Meetup ${i}`, kind: 'meetup', city,
		    starts_at: iso(t0 + i * 3600e3), ends_at: iso(t0 + i * 3600e3 + 1800e3),
		    timezone: 'Europe/Paris' }, { token: m.token });
		assert.equal(r.status, 201, r.text);
	}
	const q = `city=${encodeURIComponent(city)}`;
	const p1 = await get(`/v1/events?${q}&kind=meetup&limit=1`);
	assert.equal(p1.status, 200, p1.text);
	const cur = p1.json.next_cursor;
	assert.ok(cur, p1.text);
	// Other filters: another value, one filter less, one more.
	for (const other of [`${q}&kind=training`, q, `${q}&kind=meetup&tag=x`]) {
		const r = await get(`/v1/events?${other}&limit=1&cursor=${cur}`);
		assertProblem(r, 400, 'cursor');
		assert.equal(r.json.code, 'validation_failed');
	}
	// Another list, even one whose keys have the same types (text, id).
	assertProblem(await get(`/v1/organizations?limit=1&cursor=${cur}`), 400, 'cursor');
	assertProblem(await get(`/v1/members?limit=1&cursor=${cur}`, { token: m.token }), 400,
	    'cursor');
	// The same filters with another limit: the rest of the list.
	const p2 = await get(`/v1/events?kind=meetup&${q}&limit=5&cursor=${cur}`, { token: m.token });
	assert.equal(p2.status, 200, p2.text);
	assert.deepEqual(p2.json.data.map((e) => e.title), ['Meetup 1', 'Meetup 2']);
	assert.equal(p2.json.next_cursor, null);

	// A list of the same kind picked by the path: another organization's members.
	const a = await makeOrg(m);
	const b = await makeOrg(m);
	for (const x of [await makeMember(), await makeMember()]) {
		const r = await post(`/v1/organizations/${a.id}/members`, { member_id: x.id },
		    { token: m.token });
		assert.equal(r.status, 201, r.text);
	}
	const ma = await get(`/v1/organizations/${a.id}/members?limit=1`, { token: m.token });
	assert.ok(ma.json.next_cursor, ma.text);
	assertProblem(await get(`/v1/organizations/${b.id}/members?limit=1&cursor=${ma.json.next_cursor}`,
	    { token: m.token }), 400, 'cursor');
	// The same organization named by its slug is the same list.
	const bySlug = await get(`/v1/organizations/${a.slug}/members?limit=1&cursor=${ma.json.next_cursor}`,
	    { token: m.token });
	assert.equal(bySlug.status, 200, bySlug.text);
	assert.equal(bySlug.json.data.length, 1);
});

test('a 5xx never leaks SQL: internal errors are generic', async () => {
	// A cursor that decodes but has the wrong shape reaches SQL and is
	// refused there with a clean 400 naming the cursor.
	const bad = Buffer.from('["a", "not a number"]').toString('base64url');
	const r = await call('GET', `/v1/organizations?cursor=${bad}`, { validate: false });
	assert.ok(r.status === 400 || r.status === 500, r.text);
	assert.doesNotMatch(r.text, /SELECT|ERROR:|syntax|relation|function/i);
});

test('no bad input crashed a worker', async () => {
	const after = await workerPids();
	assert.deepEqual(after, pidsBefore);
	assert.ok(after.length >= 2, `expected at least 2 workers, got ${after}`);
});

test('HEAD is answered like GET without a body', async () => {
	const r = await fetch(`${API}/healthz`, { method: 'HEAD' });
	assert.equal(r.status, 200);
	assert.equal(await r.text(), '');
	assert.ok(r.headers.get('x-request-id'));
});

test('the access log has method, path without query, status, duration and request id', async () => {
	const { readFileSync } = await import('node:fs');
	const r = await get('/healthz?', { validate: false });
	const id = r.headers.get('x-request-id');
	// The log is flushed every 200 ms.
	let line;
	for (let i = 0; i < 50 && !line; i++) {
		await new Promise((res) => setTimeout(res, 100));
		line = readFileSync(process.env.API_LOG, 'utf8').split('\n')
		    .find((l) => l.includes(id));
	}
	assert.ok(line, 'no access log line for the request');
	assert.match(line, /method=GET path=\/healthz status=200 bytes=\d+ ms=\d+ request_id=/);
});

test('tokens in the query string are refused, never used', async () => {
	const m = await makeMember();
	const r = await call('GET', `/v1/me?access_token=${m.token}`, { validate: false });
	assertProblem(r, 400, 'access_token');
	const log = (await import('node:fs')).readFileSync(process.env.API_LOG, 'utf8');
	assert.ok(!log.includes(m.token), 'a token reached the log');
});

test('a POST with a token-less write to a protected route is 401', async () => {
	const r = await post('/v1/organizations', { name: 'X', kind: 'other', city: 'Y' });
	assertProblem(r, 401);
});

test('every 401 for a missing token carries the Bearer challenge (RFC 9110)', async () => {
	for (const [method, path, body] of [
		['POST', '/v1/organizations', { name: 'X', kind: 'other', city: 'Y' }],
		['GET', '/v1/me', undefined],
		['PUT', '/v1/me/password', { current_password: 'x'.repeat(12), new_password: 'y'.repeat(12) }],
		['POST', '/v1/me/tokens', { name: 'cli', scope: 'read' }],
		['GET', '/v1/me/email-preferences', undefined],
	]) {
		const r = await call(method, path, { body });
		assertProblem(r, 401);
		assert.equal(r.headers.get('www-authenticate'), 'Bearer', `${method} ${path}`);
	}
});
