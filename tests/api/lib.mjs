// Black-box API test helpers: HTTP calls against the real server (every
// response checked against openapi.yaml), and fixtures made in the real
// database.  Environment (set by tests/run.sh): API_URL, DATABASE_URL
// (libpq key=value form), API_PIDS_FILE (the Kore worker pids).

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import pg from 'pg';
import sodium from 'libsodium-wrappers';
import { loadContract, validateResponse } from './contract.mjs';

export const API = process.env.API_URL;
if (!API) throw new Error('API_URL is not set: run the tests through tests/run.sh');

const here = path.dirname(fileURLToPath(import.meta.url));
const contract = await loadContract(path.join(here, '..', '..', 'openapi.yaml'));
await sodium.ready;

export function pgConfig(url) {
	const cfg = {};
	for (const part of url.trim().split(/\s+/)) {
		const [k, v] = part.split('=');
		if (k === 'host') cfg.host = v;
		else if (k === 'port') cfg.port = Number(v);
		else if (k === 'dbname') cfg.database = v;
		else if (k === 'user') cfg.user = v;
	}
	return cfg;
}

export const db = new pg.Pool({ ...pgConfig(process.env.DATABASE_URL), max: 4 });

export async function sql(text, params = []) {
	const r = await db.query(text, params);
	return r.rows;
}

export function uid() {
	return randomBytes(6).toString('hex');
}

// One request through node:http from the local address localAddress (fetch
// cannot choose its source address; the whole of 127/8 reaches the API on
// Linux).  Resolves to { status, headers (a Headers), text }.
function callFrom(localAddress, method, url, headers, body) {
	return new Promise((resolve, reject) => {
		const h = { ...headers };
		if (body !== undefined) h['content-length'] = Buffer.byteLength(body);
		const req = http.request(url, { method, headers: h, localAddress }, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => {
				const out = new Headers();
				for (const [k, v] of Object.entries(res.headers)) {
					for (const x of [].concat(v)) out.append(k, x);
				}
				resolve({ status: res.statusCode, headers: out,
				    text: Buffer.concat(chunks).toString('utf8') });
			});
			res.on('error', reject);
		});
		req.on('error', reject);
		req.end(body);
	});
}

// One HTTP call.  opts: token, body (JSON-encoded unless rawBody),
// rawBody (string/Buffer), headers, contentType, validate (default true),
// localAddress (the client address to call from, e.g. '127.0.0.2').
export async function call(method, urlPath, opts = {}) {
	const headers = { ...(opts.headers || {}) };
	if (opts.token) headers.authorization = `Bearer ${opts.token}`;
	let body;
	if (opts.rawBody !== undefined) {
		body = opts.rawBody;
	} else if (opts.body !== undefined) {
		body = JSON.stringify(opts.body);
	}
	if (body !== undefined && !('content-type' in headers))
		headers['content-type'] = opts.contentType || 'application/json';
	let res, text;
	if (opts.localAddress) {
		res = await callFrom(opts.localAddress, method, API + urlPath, headers, body);
		text = res.text;
	} else {
		res = await fetch(API + urlPath, { method, headers, body, redirect: 'manual' });
		text = await res.text();
	}
	let json = null;
	const ctype = res.headers.get('content-type') || '';
	if (text && /json/.test(ctype)) json = JSON.parse(text);
	const out = { status: res.status, headers: res.headers, text, json };
	if (opts.validate !== false) {
		const problems = validateResponse(contract, method, urlPath, res.status,
		    res.headers, text);
		assert.deepEqual(problems, [], `${method} ${urlPath} -> ${res.status} ` +
		    `does not match openapi.yaml:\n${problems.join('\n')}\n${text.slice(0, 500)}`);
	}
	return out;
}

export const get = (p, o) => call('GET', p, o);
export const post = (p, body, o = {}) => call('POST', p, { ...o, body });
export const patch = (p, body, o = {}) => call('PATCH', p, { ...o, body });
export const put = (p, body, o = {}) => call('PUT', p, { ...o, body });
export const del = (p, o) => call('DELETE', p, o);

// Every application response carries these.
export function assertCommonHeaders(r) {
	assert.match(r.headers.get('x-request-id') || '', /^[A-Za-z0-9._-]{8,32}$/);
	assert.equal(r.headers.get('access-control-allow-origin'), '*');
	assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
}

export function assertProblem(r, status, field) {
	assert.equal(r.status, status, r.text);
	assert.match(r.headers.get('content-type'), /^application\/problem\+json/);
	assert.equal(r.json.status, status);
	assert.ok(r.json.detail && r.json.code, r.text);
	if (field !== undefined) {
		const fields = (r.json.errors || []).map((e) => e.field);
		assert.ok(fields.includes(field) || r.json.detail.includes(field),
		    `expected the problem to name ${field}: ${r.text}`);
	}
	assertCommonHeaders(r);
}

// Tokens as the API makes them: 32 random bytes, base64url; the database
// keeps BLAKE2b-256 of the raw bytes.
export function newToken() {
	const raw = randomBytes(32);
	const token = raw.toString('base64url');
	const hash = Buffer.from(sodium.crypto_generichash(32, raw));
	return { token, hash };
}

export const PASSWORD = 'correct horse battery staple';
let templateHash = null;

// A real registration, once: its Argon2id hash is reused by fixtures.
async function passwordHash() {
	if (templateHash) return templateHash;
	const email = `template-${uid()}@example.org`;
	const r = await post('/v1/members', { email, password: PASSWORD,
	    display_name: 'Template Member' });
	assert.equal(r.status, 201, r.text);
	const rows = await sql('SELECT password_hash FROM members WHERE id = $1', [r.json.id]);
	templateHash = rows[0].password_hash;
	return templateHash;
}

// A member made in SQL (fast: no hashing) with a live session token.
// fields: any members column (display_name, city, role, visibility_about...).
export async function makeMember(fields = {}) {
	const hash = await passwordHash();
	const cols = { email: `m-${uid()}@example.org`, display_name: `Member ${uid()}`,
	    password_hash: hash, ...fields };
	const names = Object.keys(cols);
	const rows = await sql(`INSERT INTO members (${names.join(', ')}) VALUES (${
	    names.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id, email, display_name`,
	    names.map((n) => cols[n]));
	const m = rows[0];
	const t = newToken();
	await sql(`INSERT INTO sessions (member_id, token_hash, kind, expires_at)
	    VALUES ($1, $2, 'session', now() + interval '1 day')`, [m.id, t.hash]);
	return { id: Number(m.id), email: m.email, display_name: m.display_name, token: t.token };
}

export async function makeMembers(n, fields = {}) {
	const out = [];
	for (let i = 0; i < n; i++) out.push(await makeMember(fields));
	return out;
}

export async function makeOrg(admin, fields = {}) {
	const r = await post('/v1/organizations', { name: `Library ${uid()}`,
	    kind: 'public_library', city: 'Springfield', ...fields }, { token: admin.token });
	assert.equal(r.status, 201, r.text);
	return r.json;
}

// The Kore worker pids, to prove no bad input crashed a worker.
export async function workerPids() {
	const { execFileSync } = await import('node:child_process');
	const parent = process.env.API_PID;
	if (!parent) return [];
	const out = execFileSync('pgrep', ['-P', parent], { encoding: 'utf8' });
	const kids = out.trim().split('\n').filter(Boolean);
	// Kore forks a keymgr-less worker set under the parent; list them all.
	return kids.sort();
}

// n members with live session tokens, made in SQL in two statements.
export async function bulkMembers(n, fields = {}) {
	const tag = uid();
	const tokens = Array.from({ length: n }, () => newToken());
	const rows = await sql(`INSERT INTO members (email, display_name, password_hash, invitations)
	    SELECT 'c-' || $1 || '-' || i || '@example.org', 'Concurrent ' || $1 || ' ' || i, 'x', $3
	    FROM generate_series(1, $2) i ORDER BY i RETURNING id`,
	    [tag, n, fields.invitations || 'organizations']);
	const ids = rows.map((r) => Number(r.id));
	await sql(`INSERT INTO sessions (member_id, token_hash, kind, expires_at)
	    SELECT m, h, 'session', now() + interval '1 day'
	    FROM unnest($1::bigint[], $2::bytea[]) AS t(m, h)`, [ids, tokens.map((t) => t.hash)]);
	return ids.map((id, i) => ({ id, token: tokens[i].token }));
}
