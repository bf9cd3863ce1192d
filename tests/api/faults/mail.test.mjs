// The sender under faults, on a database of its own (so the suite's own
// sender and mail server are not involved): the SMTP server is down
// while 100 messages queue, then comes up: all 100 arrive, each once.
// The sender is killed (SIGKILL) while it drains 100 messages and started
// again: nothing is lost, and a message sent twice carries the same
// Message-ID both times, so exactly 100 distinct Message-IDs arrive.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { db, pgConfig, uid } from '../lib.mjs';
import { allMail } from '../../mail/lib.mjs';

const top = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const dbName = `mailfault_${uid()}`;
const dbUrl = process.env.DATABASE_URL.replace(/dbname=\S+/, `dbname=${dbName}`);
const procs = new Set();
const dirs = [];

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function until(what, fn, ms = 60000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function start(cmd, args, env = {}) {
  const p = spawn(cmd, args, { cwd: top, env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'] });
  p.log = '';
  p.stdout.on('data', (d) => { p.log += d; });
  p.stderr.on('data', (d) => { p.log += d; });
  p.exited = new Promise((r) => p.on('exit', r));
  procs.add(p);
  return p;
}

async function stop(p, signal = 'SIGTERM') {
  if (p.exitCode === null && p.signalCode === null) p.kill(signal);
  await p.exited;
  procs.delete(p);
}

function catcher(port, dir, delayMs = 0) {
  const p = start('/usr/bin/python3', [path.join(top, 'scripts/mail-catcher.py'), '--port',
    String(port), '--dir', dir, '--quiet', '--delay-ms', String(delayMs)]);
  return until('the mail server to listen', () => p.log.includes('listening') && p, 15000);
}

function sender(port) {
  return start(path.join(top, 'api/build/il-sender'), [], { DATABASE_URL: dbUrl,
    SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_RETRY_SECONDS: '1', MAIL_LEASE_SECONDS: '3',
    MAIL_MAX_ATTEMPTS: '10', MAIL_BATCH: '10', MAIL_JOBS_SECONDS: '3600' });
}

const client = new pg.Client(pgConfig(dbUrl));

// n messages, queued the way the API queues them (api.mail_queue).
async function queue(tag, n) {
  const rows = await client.query(`SELECT api.mail_queue('verification', NULL,
      'fault-' || $1 || '-' || i || '@example.org', 'Fault ' || $1 || ' ' || i, NULL,
      ARRAY['Message ' || i || ' of ' || $2], NULL, NULL) AS id
      FROM generate_series(1, $2::int) i`, [tag, n]);
  return rows.rows.map((r) => r.id);
}

async function states(ids) {
  const r = await client.query(`SELECT status, count(*)::int AS n FROM outbox
      WHERE id = ANY ($1) GROUP BY status`, [ids]);
  return Object.fromEntries(r.rows.map((x) => [x.status, x.n]));
}

function tempDir() {
  const d = mkdtempSync('/tmp/il-mailfault-');
  dirs.push(d);
  return d;
}

test('setup: a database of its own', async () => {
  await db.query(`CREATE DATABASE ${dbName}`);
  execFileSync('bash', ['scripts/migrate.sh'], { cwd: top, env: { ...process.env,
    DATABASE_URL: dbUrl }, stdio: ['ignore', 'ignore', 'inherit'] });
  await client.connect();
  await client.query(`SELECT set_config('il.public_web_url', $1, false),
      set_config('il.public_api_url', $2, false)`,
  [process.env.PUBLIC_WEB_URL, process.env.PUBLIC_API_URL]);
});

test('the SMTP server is down while 100 messages queue, then up: all 100 arrive, each once', async () => {
  const port = await freePort();
  const dir = tempDir();
  const s = sender(port);
  const ids = await queue('down', 100);
  // The sender found the server down and put its batch back, untried.
  await until('the sender to find the server down', async () => {
    const r = await client.query(`SELECT count(*)::int AS n FROM outbox
        WHERE id = ANY ($1) AND last_error LIKE '%unavailable%'`, [ids]);
    return r.rows[0].n > 0;
  });
  assert.deepEqual(await states(ids), { queued: 100 }, 'nothing failed or was lost while down');
  const c = await catcher(port, dir);
  await until('all 100 to be sent', async () => (await states(ids)).sent === 100);
  const got = await allMail(dir);
  assert.equal(got.length, 100, 'each message arrived once');
  assert.equal(new Set(got.map((m) => m.headers['Message-ID'])).size, 100);
  const r = await client.query(`SELECT count(*)::int AS n FROM outbox
      WHERE id = ANY ($1) AND attempts = 1`, [ids]);
  assert.equal(r.rows[0].n, 100, 'untried batches do not count as attempts');
  await stop(s);
  assert.equal(s.exitCode, 0, s.log);
  await stop(c);
});

test('the sender is killed while it drains 100 messages: none lost, repeats keep their Message-ID', async () => {
  const port = await freePort();
  const dir = tempDir();
  // 50 ms a message: the drain takes a few seconds, long enough to kill.
  const c = await catcher(port, dir, 50);
  let s = sender(port);
  const ids = await queue('kill', 100);
  const expected = new Set((await client.query(`SELECT 'il.' || id || '.' ||
      extract(epoch FROM created_at)::bigint AS m FROM outbox WHERE id = ANY ($1)`, [ids]))
    .rows.map((r) => r.m));
  await until('a first part to arrive', async () => (await allMail(dir)).length >= 20);
  await stop(s, 'SIGKILL');
  const sent = (await states(ids)).sent ?? 0;
  assert.ok(sent < 100, `killed before the end (${sent} recorded as sent)`);
  s = sender(port);
  await until('all 100 to be sent', async () => (await states(ids)).sent === 100);
  const got = await allMail(dir);
  const mids = got.map((m) => m.headers['Message-ID'].replace(/^<(il\.\d+\.\d+)@.*>$/, '$1'));
  assert.equal(new Set(mids).size, 100, 'exactly 100 distinct Message-IDs');
  assert.deepEqual([...new Set(mids)].sort(), [...expected].sort());
  assert.ok(got.length >= 100 && got.length <= 100 + 10,
    `at most the killed batch repeats (${got.length} arrived)`);
  await stop(s);
  await stop(c);
});

after(async () => {
  for (const p of procs) await stop(p, 'SIGKILL');
  await client.end().catch(() => {});
  await db.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
