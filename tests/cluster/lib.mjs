// Helpers of the cluster tests (tests/cluster/, run by tests/run.sh after
// the single-node suites): raw HTTP over a TCP socket, the cluster's
// addresses, and tests/cluster/cluster.sh to stop and start its parts.
// Environment (tests/run.sh, from tests/cluster/cluster.sh's <dir>/env):
// API_URL and CLUSTER_URL (the balancer), NODE_A_URL, NODE_B_URL,
// DATABASE_REPLICA_URL, CLUSTER_DIR, and the primary's DATABASE_URL,
// PG_DIR, PG_PORT.

import net from 'node:net';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { sql } from '../api/lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const CLUSTER = process.env.CLUSTER_URL;
export const NODE_A = process.env.NODE_A_URL;
export const NODE_B = process.env.NODE_B_URL;
if (!CLUSTER || !NODE_A || !NODE_B || !process.env.CLUSTER_DIR)
	throw new Error('the cluster is not running: run these tests through tests/run.sh');

// One raw request (a string or Buffer, written as is; the socket is not
// half-closed, which nginx would take for a client gone away) to the host
// and port of url.  Resolves with the first response once it is complete
// (headers and Content-Length bytes of body), or when the server closes
// the connection, or after timeoutMs with timedOut set: { status, headers
// (lowercase names; repeated ones joined with ", "), body, raw, timedOut }.
export function raw(url, bytes, { timeoutMs = 5000 } = {}) {
	const u = new URL(url);
	return new Promise((resolve, reject) => {
		const chunks = [];
		let done = false;
		const s = net.connect({ host: u.hostname, port: Number(u.port) });
		const finish = (timedOut) => {
			if (done) return;
			done = true;
			clearTimeout(timer);
			s.destroy();
			const all = Buffer.concat(chunks).toString('latin1');
			resolve({ ...parse(all), raw: all, timedOut });
		};
		const timer = setTimeout(() => finish(true), timeoutMs);
		s.on('connect', () => s.write(bytes));
		s.on('data', (c) => {
			chunks.push(c);
			if (parse(Buffer.concat(chunks).toString('latin1')).complete) finish(false);
		});
		s.on('error', (e) => {
			// A server that answers and closes may reset the rest of a
			// large request: the answer read so far is what counts.
			if (chunks.length) finish(false);
			else if (!done) { done = true; clearTimeout(timer); reject(e); }
		});
		s.on('close', () => finish(false));
	});
}

function parse(text) {
	const end = text.indexOf('\r\n\r\n');
	if (!text.startsWith('HTTP/') || end < 0)
		return { status: 0, headers: {}, body: '', complete: false };
	const lines = text.slice(0, end).split('\r\n');
	const status = Number(lines[0].split(' ')[1]);
	const headers = {};
	for (const l of lines.slice(1)) {
		const i = l.indexOf(':');
		const k = l.slice(0, i).trim().toLowerCase();
		const v = l.slice(i + 1).trim();
		headers[k] = k in headers ? `${headers[k]}, ${v}` : v;
	}
	let body = text.slice(end + 4);
	const len = headers['content-length'];
	let complete = false;
	if (len !== undefined && body.length >= Number(len)) {
		body = body.slice(0, Number(len));
		complete = true;
	}
	return { status, headers, body, complete };
}

// tests/cluster/cluster.sh <cmd> <CLUSTER_DIR> [args]: resolves on exit 0.
export function ctl(cmd, ...args) {
	return new Promise((resolve, reject) => {
		execFile('bash', [path.join(here, 'cluster.sh'), cmd, process.env.CLUSTER_DIR, ...args],
		    { timeout: 120000 }, (err, stdout, stderr) => {
			if (err) reject(new Error(`cluster.sh ${cmd} ${args.join(' ')}: ${err.message}\n${stdout}${stderr}`));
			else resolve(stdout);
		});
	});
}

// Poll fn (async, truthy when done) every 50 ms for at most ms.
export async function until(fn, ms, what) {
	const end = Date.now() + ms;
	for (;;) {
		const v = await fn();
		if (v) return v;
		if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
		await new Promise((r) => setTimeout(r, 50));
	}
}

// n members with live session tokens (tests/api/lib.mjs).
export { bulkMembers } from '../api/lib.mjs';

export const at = (hours) => new Date(Date.now() + hours * 3600 * 1000).toISOString()
    .replace(/\.\d+Z$/, 'Z');
