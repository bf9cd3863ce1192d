// The balancer (deploy/nginx/balancer.conf.template) in front of two API
// nodes: requests spread over both, the request id and the client's address
// passed on, and the malformed requests Kore would answer itself (or hang
// on) answered by nginx with problem+json, over raw TCP with bounded
// timeouts.  The replica is a real standby made by pg_basebackup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { get, pgConfig } from '../api/lib.mjs';
import { CLUSTER, NODE_A, NODE_B, raw, until } from './lib.mjs';

const accessLog = path.join(process.env.CLUSTER_DIR, 'nginx', 'access.log');
const nodeAddr = (u) => new URL(u).host;

const refusedIds = [];

// An error nginx answered itself (its request id is checked in the
// balancer's log at the end: no node saw the request).
function assertNginxProblem(r, status) {
	assert.equal(r.timedOut, false, `no answer in time: ${JSON.stringify(r.raw)}`);
	assert.equal(r.status, status, r.raw);
	assert.equal(r.headers['content-type'], 'application/problem+json', r.raw);
	const body = JSON.parse(r.body);
	assert.equal(body.status, status);
	assert.ok(body.type && body.title && body.detail && body.code, r.body);
	assert.match(r.headers['x-request-id'] || '', /^[0-9a-f]{32}$/);
	refusedIds.push(r.headers['x-request-id']);
	return body;
}

test('the replica is a streaming standby made by pg_basebackup', async () => {
	const dir = path.join(process.env.CLUSTER_DIR, 'replica', 'data');
	assert.ok(existsSync(path.join(dir, 'standby.signal')), 'standby.signal (pg_basebackup -R)');
	const c = new pg.Client(pgConfig(process.env.DATABASE_REPLICA_URL));
	await c.connect();
	try {
		const r = await c.query(`SELECT pg_is_in_recovery() AS standby,
		    (SELECT status FROM pg_stat_wal_receiver) AS receiver`);
		assert.deepEqual(r.rows[0], { standby: true, receiver: 'streaming' });
		await assert.rejects(c.query('CREATE TABLE nope (x int)'), /read-only/);
	} finally {
		await c.end();
	}
});

test('requests through the balancer reach both nodes, with the request id passed on', async () => {
	const ids = [];
	for (let i = 0; i < 8; i++) {
		const id = `clu-${i}-${Date.now().toString(36)}`;
		const r = await get('/v1/events?limit=1', { headers: { 'x-request-id': id } });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.headers.get('x-request-id'), id, 'the client\'s request id comes back');
		ids.push(id);
	}
	// The balancer's log names the node each went to.  nginx writes a line
	// after the response is sent: wait for the eighth.
	const logged = () => readFileSync(accessLog, 'utf8').split('\n')
	    .filter((l) => ids.some((id) => l.endsWith(`rid=${id}`)));
	const lines = await until(() => logged().length === 8 && logged(), 5000,
	    'every request is in the balancer\'s log');
	const used = new Set(lines.map((l) => l.split(' ').at(-3)));
	assert.deepEqual([...used].sort(), [nodeAddr(NODE_A), nodeAddr(NODE_B)].sort(),
	    'round robin over both nodes');
	// Without one, nginx makes one the API accepts and echoes.
	const r = await get('/healthz', { validate: false });
	assert.match(r.headers.get('x-request-id'), /^[0-9a-f]{32}$/);
});

const head = (method, extra = '') =>
    `${method} /v1/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${extra}`;

test('duplicate or conflicting Content-Length: 400 problem+json from nginx, in both orders', async () => {
	const body = '{"email": "a@example.org", "password": "xxxxxxxxxxxxxxxx"}';
	const n = Buffer.byteLength(body);
	for (const lens of [[n, n + 5], [n + 5, n], [n, n]]) {
		const r = await raw(CLUSTER, head('POST', lens.map((l) => `Content-Length: ${l}\r\n`)
		    .join('') + '\r\n') + body + 'xxxxx');
		assertNginxProblem(r, 400);
	}
	// Content-Length beside Transfer-Encoding: chunked is refused too.
	const r = await raw(CLUSTER, head('POST', `Content-Length: ${n}\r\n` +
	    'Transfer-Encoding: chunked\r\n\r\n') + `${n.toString(16)}\r\n${body}\r\n0\r\n\r\n`);
	assertNginxProblem(r, 400);
	// A garbled Content-Length likewise.
	const g = await raw(CLUSTER, head('POST', 'Content-Length: 12abc\r\n\r\n') + body);
	assertNginxProblem(g, 400);
});

test('unknown methods get 405 with Allow and problem+json, not an empty 400', async () => {
	for (const m of ['PROPFIND', 'TRACE', 'CONNECT', 'MKCOL', 'FOO', 'BREW']) {
		const target = m === 'CONNECT' ? '127.0.0.1:80' : '/v1/events';
		const r = await raw(CLUSTER, `${m} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
		    'Connection: close\r\n\r\n');
		if (m === 'CONNECT') {
			// nginx refuses CONNECT while parsing the request line.
			assertNginxProblem(r, r.status === 405 ? 405 : 400);
			continue;
		}
		const body = assertNginxProblem(r, 405);
		assert.equal(body.code, 'method_not_allowed');
		assert.equal(r.headers.allow, 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS', m);
	}
});

test('bare-LF request lines are read as lines (nginx), answered, and never hang', async () => {
	const r = await raw(CLUSTER, 'GET /v1/events?limit=1 HTTP/1.1\nHost: 127.0.0.1\n' +
	    'Connection: close\n\n');
	assert.equal(r.timedOut, false);
	assert.equal(r.status, 200, r.raw);
	assert.match(r.headers['content-type'], /^application\/json/);
	assert.ok(Array.isArray(JSON.parse(r.body).data));
	// A body after bare-LF headers is framed by its Content-Length.
	const body = '{"email": "nobody@example.org", "password": "wrong password here"}';
	const p = await raw(CLUSTER, `POST /v1/sessions HTTP/1.1\nHost: 127.0.0.1\n` +
	    `Content-Type: application/json\nContent-Length: ${Buffer.byteLength(body)}\n` +
	    'Connection: close\n\n' + body);
	assert.equal(p.timedOut, false);
	assert.equal(p.status, 401, p.raw);
	assert.equal(p.headers['content-type'], 'application/problem+json');
	// A lone CR inside the request line is malformed: 400, at once.
	const cr = await raw(CLUSTER, 'GET /v1/ev\rents HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
	assertNginxProblem(cr, 400);
	// Garbage instead of a request line.
	const junk = await raw(CLUSTER, 'HELLO THERE\r\n\r\n');
	assert.equal(junk.timedOut, false);
	assert.ok([400, 0].includes(junk.status), junk.raw);
	if (junk.status) assertNginxProblem(junk, 400);
});

test('a write with no body and no length: 411 problem+json, not Kore\'s empty 411', async () => {
	for (const m of ['POST', 'PUT', 'PATCH']) {
		const r = await raw(CLUSTER, `${m} /v1/me HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
		    'Connection: close\r\n\r\n');
		assertNginxProblem(r, 411);
	}
	// With Content-Length: 0 it reaches the API (401: no token).
	const r = await raw(CLUSTER, 'POST /v1/sessions/current/refresh HTTP/1.1\r\n' +
	    'Host: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
	assert.ok(r.status >= 400 && r.status < 500, r.raw);
	assert.equal(r.headers['content-type'], 'application/problem+json');
});

test('a body over 1 MiB and headers over 8 KiB are refused by nginx with problem+json', async () => {
	const big = await raw(CLUSTER, head('POST', `Content-Length: ${2 * 1024 * 1024}\r\n` +
	    'Connection: close\r\n\r\n') + '{}', { timeoutMs: 5000 });
	assertNginxProblem(big, 413);
	const h = await raw(CLUSTER, 'GET /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
	    `X-Big: ${'a'.repeat(9000)}\r\nConnection: close\r\n\r\n`);
	assertNginxProblem(h, 431);
});

test('the malformed requests never reached a node, and both nodes still answer', async () => {
	for (const u of [NODE_A, NODE_B]) {
		const r = await fetch(`${u}/healthz`);
		assert.equal(r.status, 200);
	}
	assert.ok(refusedIds.length >= 15, `${refusedIds.length} refusals`);
	// nginx logs a request after answering it: wait until all are there.
	const inLog = (l, id) => l.endsWith(`rid=${id}`);
	const log = await until(() => {
		const ls = readFileSync(accessLog, 'utf8').split('\n');
		return refusedIds.every((id) => ls.some((l) => inLog(l, id))) && ls;
	}, 5000, 'every refused request is in the balancer\'s log');
	for (const id of refusedIds) {
		const line = log.find((l) => inLog(l, id));
		assert.ok(line, `request ${id} is in the balancer's log`);
		assert.equal(line.split(' ').at(-3), '-', `no node saw it: ${line}`);
	}
});
