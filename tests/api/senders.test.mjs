// Several mail senders on one outbox (issue 21): two more il-sender
// processes beside the suite's own drain one outbox together, and every
// message is claimed once and reaches the SMTP server once (rows are
// claimed with FOR UPDATE SKIP LOCKED and a lease: api.outbox_claim; the
// scheduled jobs run under an advisory lock: api.mail_jobs).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { sql, db, uid, makeMember } from './lib.mjs';

const MAIL_DIR = process.env.MAIL_DIR;
const started = [];

after(async () => {
	for (const s of started) {
		s.child.kill('SIGTERM');
		await Promise.race([s.exited, new Promise((r) => setTimeout(r, 5000))]);
		if (s.child.exitCode === null) s.child.kill('SIGKILL');
		rmSync(s.dir, { recursive: true, force: true });
	}
});

function startSender(env = {}) {
	const dir = mkdtempSync('/tmp/il-sender-');
	const log = `${dir}/sender.log`;
	const out = openSync(log, 'w');
	const child = spawn('api/build/il-sender', [], { env: { ...process.env, ...env },
	    stdio: ['ignore', out, out] });
	const exited = new Promise((res) => child.on('exit', res));
	started.push({ child, dir, exited });
	return log;
}

test('three senders drain one outbox: each message is claimed and sent once', async () => {
	assert.ok(MAIL_DIR && process.env.SMTP_URL, 'the suite\'s mail server');
	const logs = [process.env.SENDER_LOG, startSender({ MAIL_BATCH: '3' }),
	    startSender({ MAIL_BATCH: '3' })];
	// Both new senders are up (they say so when they start).
	for (const end = Date.now() + 10000; ;) {
		if (logs.slice(1).every((l) => /started:/.test(readFileSync(l, 'utf8')))) break;
		assert.ok(Date.now() < end, 'a sender did not start');
		await new Promise((r) => setTimeout(r, 50));
	}
	const m = await makeMember();
	const tag = uid();
	const N = 60;
	// One transaction: the senders see all of them at once.
	const c = await db.connect();
	let ids;
	try {
		await c.query('BEGIN');
		await c.query(`SELECT set_config('il.public_web_url', $1, true),
		    set_config('il.public_api_url', $2, true)`,
		    [process.env.PUBLIC_WEB_URL, process.env.PUBLIC_API_URL]);
		ids = (await c.query(`SELECT api.mail_queue('verification', $1,
	    'drain-' || $2 || '-' || i || '@example.org', 'Drain ' || $2 || ' ' || i,
	    'Hello,', ARRAY['One of many.'], 'Open', 'http://127.0.0.1/', NULL, NULL) AS id
	    FROM generate_series(1, ${N}) i`, [m.id, tag])).rows.map((r) => String(r.id));
		await c.query('COMMIT');
	} finally {
		c.release();
	}
	assert.equal(ids.length, N);

	let rows;
	for (const end = Date.now() + 60000; ;) {
		rows = await sql(`SELECT id::text, status, claims, message_id FROM outbox
		    WHERE id = ANY($1::bigint[])`, [ids]);
		if (rows.every((r) => r.status === 'sent')) break;
		assert.ok(Date.now() < end, `not all sent: ${JSON.stringify(rows.filter((r) => r.status !== 'sent').slice(0, 3))}`);
		await new Promise((r) => setTimeout(r, 100));
	}
	assert.deepEqual(rows.filter((r) => r.claims !== 1), [], 'a message was claimed twice');

	// What the SMTP server got: each message once.
	const byId = new Map();
	for (const n of (await readdir(MAIL_DIR)).filter((f) => f.endsWith('.eml'))) {
		const text = await readFile(path.join(MAIL_DIR, n), 'utf8');
		if (!text.includes(`drain-${tag}-`)) continue;
		const mid = (text.match(/^Message-ID:\s*<([^>]+)>/mi) || [])[1];
		byId.set(mid, (byId.get(mid) || 0) + 1);
	}
	const want = rows.map((r) => r.message_id).sort();
	assert.deepEqual([...byId.keys()].sort(), want, 'every message reached the server');
	assert.deepEqual([...byId.entries()].filter(([, n]) => n !== 1), [], 'a message was sent twice');

	// Who sent what (from the senders' logs): no id twice, all of them.
	const per = logs.map((l) => {
		const sent = new Set();
		for (const [, id] of readFileSync(l, 'utf8').matchAll(/outbox (\d+) \([a-z_]+\): sent/g))
			if (ids.includes(id)) sent.add(id);
		return sent;
	});
	const counts = per.map((s) => s.size);
	console.log(`# ${N} messages sent by three senders: ${counts.join(' + ')}`);
	assert.equal(counts.reduce((a, b) => a + b, 0), N, 'the senders\' logs count each message once');
	assert.ok(counts.filter((c) => c > 0).length >= 2, `one sender did all the work: ${counts}`);
});

test('scheduled jobs run at once from several places queue each reminder once', async () => {
	const { post, put } = await import('./lib.mjs');
	const host = await makeMember({ email_verified: true });
	const guests = await Promise.all(Array.from({ length: 5 }, () => makeMember({ email_verified: true })));
	const starts = new Date(Date.now() + 20 * 3600 * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
	const ends = new Date(Date.now() + 21 * 3600 * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
	const ev = await post('/v1/events', { title: `Jobs ${uid()}`, kind: 'social', starts_at: starts,
	    ends_at: ends, timezone: 'America/Chicago', city: 'Springfield' }, { token: host.token });
	assert.equal(ev.status, 201, ev.text);
	for (const g of guests) {
		const r = await put(`/v1/events/${ev.json.id}/rsvp`, { response: 'going' }, { token: g.token });
		assert.ok(r.status === 200 || r.status === 201, r.text);
	}
	// Four sessions run the jobs at once, three times, beside the senders'
	// own runs (every 2 s in the tests): one runner at a time, the others
	// skip, and a reminder already queued is never queued again.
	const runJobs = async () => {
		const c = await db.connect();
		try {
			await c.query('BEGIN');
			await c.query(`SELECT set_config('il.public_web_url', $1, true),
			    set_config('il.public_api_url', $2, true)`,
			    [process.env.PUBLIC_WEB_URL, process.env.PUBLIC_API_URL]);
			await c.query('SELECT api.mail_jobs()');
			await c.query('COMMIT');
		} finally {
			c.release();
		}
	};
	for (let round = 0; round < 3; round++) await Promise.all([runJobs(), runJobs(), runJobs(), runJobs()]);
	const ids = guests.map((g) => g.id);
	let rows;
	for (const end = Date.now() + 30000; ;) {
		rows = await sql(`SELECT member_id::int, count(*)::int AS n, bool_and(status = 'sent') AS sent
		    FROM outbox WHERE kind = 'reminder' AND event_id = $1 GROUP BY member_id ORDER BY member_id`,
		    [ev.json.id]);
		if (rows.length === ids.length && rows.every((r) => r.sent)) break;
		assert.ok(Date.now() < end, `reminders: ${JSON.stringify(rows)}`);
		await new Promise((r) => setTimeout(r, 100));
	}
	assert.deepEqual(rows.map((r) => [r.member_id, r.n]), ids.map(Number).sort((a, b) => a - b)
	    .map((id) => [id, 1]));
});
