// Reading the mail the product sent, for the API and browser tests.
//
// tests/run.sh starts a local SMTP server (scripts/mail-catcher.py) that
// keeps every message as a file in $MAIL_DIR, and the sender.  Messages
// are parsed by Python's email package and the calendar part by
// icalendar (tests/mail/parse.py): the tests check what a mail client
// would read, not bytes.

import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
export const MAIL_DIR = process.env.MAIL_DIR;

const parsed = new Map();	// file name -> parsed message

async function parseFiles(dir, names) {
  const out = [];
  for (let i = 0; i < names.length; i += 50) {
    const chunk = names.slice(i, i + 50).map((n) => path.join(dir, n));
    const { stdout } = await run('/usr/bin/python3', [path.join(here, 'parse.py'), ...chunk],
      { maxBuffer: 64 * 1024 * 1024 });
    out.push(...JSON.parse(stdout));
  }
  return out;
}

// Every message in dir (default $MAIL_DIR), oldest first, parsed once.
export async function allMail(dir = MAIL_DIR) {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.eml')).sort();
  const key = (n) => `${dir}/${n}`;
  const todo = names.filter((n) => !parsed.has(key(n)));
  if (todo.length) {
    const msgs = await parseFiles(dir, todo);
    todo.forEach((n, i) => parsed.set(key(n), msgs[i]));
  }
  return names.map((n) => parsed.get(key(n)));
}

// The messages to address (matching filter, when given), oldest first.
export async function mailTo(address, filter = () => true, dir = MAIL_DIR) {
  const want = address.toLowerCase();
  return (await allMail(dir)).filter((m) =>
    m.to.some((a) => a.toLowerCase() === want) && filter(m));
}

// Wait until at least count messages to address match filter; returns
// them.  Polls the folder: the sender delivers within seconds.
export async function waitForMail(address, { filter = () => true, count = 1,
  timeout = 30000, dir = MAIL_DIR } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const got = await mailTo(address, filter, dir);
    if (got.length >= count) return got;
    if (Date.now() > deadline) {
      throw new Error(`no mail to ${address} (${got.length} of ${count} within ${timeout} ms)`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

// The first link in the plain text part that contains fragment.
export function linkIn(msg, fragment) {
  const m = msg.text.match(new RegExp(`https?://\\S*${fragment.replace(/[/.]/g, '\\$&')}\\S*`));
  if (!m) throw new Error(`no link with ${fragment} in: ${msg.text}`);
  return m[0];
}
