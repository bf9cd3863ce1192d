// Email through the real stack: the API writes the outbox, il-sender
// sends over SMTP to the local mail server tests/run.sh started, and each
// message is read back with Python's email package and icalendar
// (tests/mail/parse.py).  Consent is checked where it is decided: a
// message that must not go out has no outbox row, written or not in the
// transaction of its cause.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, get, post, patch, put, sql, uid, makeMember, assertProblem, PASSWORD } from './lib.mjs';
import { mailTo, waitForMail, linkIn } from '../mail/lib.mjs';

const at = (hours) => new Date(Date.now() + hours * 3600 * 1000).toISOString()
  .replace(/\.\d+Z$/, 'Z');
const WEB = process.env.PUBLIC_WEB_URL;

function tokenOf(link) {
  return link.slice(link.lastIndexOf('/') + 1);
}

async function outbox(address) {
  return sql(`SELECT kind, status, attempts, last_error, event_id, message_id
      FROM outbox WHERE lower(to_addr) = lower($1) ORDER BY id`, [address]);
}

// A member whose address is verified (in SQL: verification has its own tests).
const verified = (fields = {}) => makeMember({ email_verified: true, ...fields });

async function event(host, fields = {}) {
  const r = await post('/v1/events', { title: `Zine night ${uid()}`, kind: 'social',
    starts_at: at(72), ends_at: at(74), timezone: 'America/Chicago',
    venue: 'Central Library', city: 'Springfield', ...fields }, { token: host.token });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

// Every message a test reads must be one a mail client reads cleanly.
function assertWellFormed(m, { transactional }) {
  assert.deepEqual(m.defects, [], `MIME defects in ${m.file}`);
  assert.match(m.headers['Message-ID'], /^<il\.\d+\.\d+@[^>]+>$/);
  assert.match(m.headers.From, /^Interlibrary <[^>]+@[^>]+>$/);
  assert.equal(m.headers['Auto-Submitted'], 'auto-generated');
  assert.ok(m.text && m.html, 'both a text/plain and a text/html part');
  assert.ok(m.parts.includes('multipart/alternative'));
  if (transactional) {
    assert.equal(m.headers['List-Unsubscribe'], undefined);
  } else {
    assert.match(m.headers['List-Unsubscribe'], /^<https?:\/\/[^>]+\/v1\/unsubscribe\?token=[^>]+>$/);
    assert.equal(m.headers['List-Unsubscribe-Post'], 'List-Unsubscribe=One-Click');
    assert.ok(m.text.includes(`${WEB}/#/me/email`), 'links to the preferences');
  }
}

test('registering sends a verification mail whose link verifies the address once', async () => {
  const email = `Reg-${uid()}@example.org`;
  const name = 'Zoë Ångström';
  const r = await post('/v1/members', { email, password: PASSWORD, display_name: name });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.email_verified, false);
  const [m] = await waitForMail(email);
  assertWellFormed(m, { transactional: true });
  assert.equal(m.headers.Subject, 'Confirm your email address for Interlibrary');
  assert.ok(m.text.includes(`Hello ${name},`), 'UTF-8 text survives');
  assert.ok(m.html.includes(`Hello ${name},`));
  const link = linkIn(m, '/#/verify-email/');
  assert.ok(link.startsWith(`${WEB}/#/verify-email/`));
  assert.ok(m.html.includes(`href="${link}"`), 'the HTML part has the same link');

  const token = tokenOf(link);
  assert.equal(token.length, 43);
  const ok = await post('/v1/email-verification', { token });
  assert.equal(ok.status, 200, ok.text);
  assert.deepEqual(ok.json, { email, email_verified: true });
  const [row] = await sql('SELECT email_verified FROM members WHERE id = $1', [r.json.id]);
  assert.equal(row.email_verified, true);

  assertProblem(await post('/v1/email-verification', { token }), 400, 'token');
  // Only the hash of a token is kept.
  const kept = await sql(`SELECT count(*)::int AS n FROM email_tokens
      WHERE token_hash = sha256(convert_to($1, 'UTF8'))`, [token]);
  assert.equal(kept[0].n, 1);
  const raw = await sql(`SELECT count(*)::int AS n FROM email_tokens t
      JOIN outbox o ON o.member_id = t.member_id
      WHERE t.member_id = $1 AND o.body_text IS NOT NULL`, [r.json.id]);
  assert.equal(raw[0].n, 0, 'a sent message keeps no copy of its token');
});

test('verification tokens: malformed, unknown and expired ones are refused naming token', async () => {
  assertProblem(await post('/v1/email-verification', { token: 'short' }), 400, 'token');
  assertProblem(await post('/v1/email-verification', {}), 400, 'token');
  assertProblem(await post('/v1/email-verification', { token: 'A'.repeat(43) }), 400, 'token');
  const email = `exp-${uid()}@example.org`;
  const r = await post('/v1/members', { email, password: PASSWORD, display_name: 'Late Reader' });
  assert.equal(r.status, 201);
  const [m] = await waitForMail(email);
  await sql(`UPDATE email_tokens SET expires_at = now() - interval '1 second'
      WHERE member_id = $1`, [r.json.id]);
  const late = await post('/v1/email-verification', { token: tokenOf(linkIn(m, '/verify-email/')) });
  assertProblem(late, 400, 'token');
  assert.match(late.json.detail, /expired/);
});

test('the verification mail can be sent again, at most once a minute, and not once verified', async () => {
  const me = await makeMember();
  const r = await post('/v1/me/email-verification', undefined, { token: me.token });
  assert.equal(r.status, 202, r.text);
  assert.equal(r.json.email, me.email);
  const [m] = await waitForMail(me.email);
  assert.equal(m.headers.Subject, 'Confirm your email address for Interlibrary');
  const again = await post('/v1/me/email-verification', undefined, { token: me.token });
  assertProblem(again, 429);
  assert.ok(Number(again.headers.get('retry-after')) >= 1);
  assert.equal((await post('/v1/email-verification',
    { token: tokenOf(linkIn(m, '/verify-email/')) })).status, 200);
  const done = await post('/v1/me/email-verification', undefined, { token: me.token });
  assertProblem(done, 409);
  assert.equal(done.json.code, 'already_verified');
  assertProblem(await post('/v1/me/email-verification'), 401);
});

test('password reset: the same bytes for any address, a single-use link, every session ends', async () => {
  const me = await makeMember();
  const stranger = `nobody-${uid()}@example.org`;
  const a = await post('/v1/password-resets', { email: me.email.toUpperCase() });
  const b = await post('/v1/password-resets', { email: stranger });
  assert.equal(a.status, 202);
  assert.equal(b.status, 202);
  assert.equal(a.text, b.text, 'the answer never tells whether the address is a member\'s');
  assert.deepEqual(await outbox(stranger), []);

  const [m] = await waitForMail(me.email);
  assertWellFormed(m, { transactional: true });
  assert.equal(m.headers.Subject, 'Reset your Interlibrary password');
  const token = tokenOf(linkIn(m, '/#/reset-password/'));

  assertProblem(await post('/v1/password-resets/confirm', { token, password: 'short' }), 400,
    'password');
  const newPassword = 'a much better passphrase';
  const ok = await post('/v1/password-resets/confirm', { token, password: newPassword });
  assert.equal(ok.status, 204, ok.text);
  assertProblem(await get('/v1/me', { token: me.token }), 401);
  const login = await post('/v1/sessions', { email: me.email, password: newPassword });
  assert.equal(login.status, 201, login.text);
  assert.equal((await post('/v1/sessions', { email: me.email, password: PASSWORD })).status, 401);

  const reuse = await post('/v1/password-resets/confirm', { token, password: 'yet another passphrase' });
  assertProblem(reuse, 400, 'token');
  assert.match(reuse.json.detail, /already used/);
});

test('password reset: an expired link is refused, and a newer one makes older ones useless', async () => {
  const me = await makeMember();
  await post('/v1/password-resets', { email: me.email });
  await post('/v1/password-resets', { email: me.email });
  const [first, second] = await waitForMail(me.email, { count: 2 });
  const t1 = tokenOf(linkIn(first, '/reset-password/'));
  const t2 = tokenOf(linkIn(second, '/reset-password/'));
  assert.notEqual(t1, t2);
  await sql(`UPDATE email_tokens SET expires_at = now() - interval '1 second'
      WHERE token_hash = sha256(convert_to($1, 'UTF8'))`, [t1]);
  const late = await post('/v1/password-resets/confirm', { token: t1, password: 'fresh passphrase 1' });
  assertProblem(late, 400, 'token');
  assert.match(late.json.detail, /expired/);
  assert.equal((await post('/v1/password-resets/confirm',
    { token: t2, password: 'fresh passphrase 2' })).status, 204);
  // Reset tokens live 30 minutes.
  const [row] = await sql(`SELECT extract(epoch FROM expires_at - created_at)::int AS s
      FROM email_tokens WHERE token_hash = sha256(convert_to($1, 'UTF8'))`, [t2]);
  assert.equal(row.s, 1800);
});

test('password reset: limited per address whether or not it is a member\'s, and per client', async () => {
  for (const email of [(await makeMember()).email, `ghost-${uid()}@example.org`]) {
    for (let i = 0; i < 3; i++) {
      assert.equal((await post('/v1/password-resets', { email })).status, 202);
    }
    const r = await post('/v1/password-resets', { email: email.toUpperCase() });
    assertProblem(r, 429);
    assert.ok(Number(r.headers.get('retry-after')) > 0);
  }
  // Per client: tests/run.sh lifts the limit for 127.0.0.1, so another
  // client address is used, through the same SQL the API calls.
  const client = `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.7`;
  const tag = uid();
  for (let i = 0; i < 20; i++) {
    await sql(`SELECT api.password_reset_request(NULL, '{}', '{}', $1, $2)`,
      [{ email: `c${i}-${tag}@example.org` }, client]);
  }
  await assert.rejects(sql(`SELECT api.password_reset_request(NULL, '{}', '{}', $1, $2)`,
    [{ email: `c20-${tag}@example.org` }, client]), /from your network/);
});

test('password reset: an existing and an unknown address take similar time', async () => {
  const me = await makeMember();
  const times = { member: [], stranger: [] };
  for (let i = 0; i < 3; i++) {
    for (const [k, email] of [['member', me.email], ['stranger', `t${i}-${uid()}@example.org`]]) {
      const t0 = process.hrtime.bigint();
      const r = await post('/v1/password-resets', { email: k === 'member' ? email : email });
      times[k].push(Number(process.hrtime.bigint() - t0) / 1e6);
      assert.equal(r.status, 202);
    }
  }
  const median = (xs) => xs.sort((x, y) => x - y)[1];
  // Neither path hashes a password or talks to the mail server: both are
  // one short transaction.  A generous bound, for a loaded machine.
  assert.ok(Math.abs(median(times.member) - median(times.stranger)) < 250,
    JSON.stringify(times));
});

test('email preferences: defaults, a merge patch, read-only fields refused', async () => {
  const me = await makeMember();
  const r = await get('/v1/me/email-preferences', { token: me.token });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { email: me.email, email_verified: false, address_rejected: false,
    invitations: true, reminders: true, changes: true, digest: false, mentorship: true,
    collaboration: true, messages: true });
  const p = await patch('/v1/me/email-preferences', { digest: true, reminders: false },
    { token: me.token });
  assert.equal(p.status, 200, p.text);
  assert.equal(p.json.digest, true);
  assert.equal(p.json.reminders, false);
  assert.equal(p.json.changes, true);
  assert.equal((await get('/v1/me/email-preferences', { token: me.token })).json.digest, true);
  assertProblem(await patch('/v1/me/email-preferences', { email_verified: true },
    { token: me.token }), 400, 'email_verified');
  assertProblem(await patch('/v1/me/email-preferences', { digest: 'yes' },
    { token: me.token }), 400, 'digest');
  assertProblem(await get('/v1/me/email-preferences'), 401);
});

test('RSVP confirmations carry the event for calendars, in its own time zone', async () => {
  const host = await verified();
  const guest = await verified({ display_name: 'Guest Reader' });
  const ev = await event(host, { starts_at: '2027-03-10T00:30:00Z', ends_at: '2027-03-10T02:00:00Z' });
  assert.equal((await put(`/v1/events/${ev.id}/rsvp`, { response: 'going' },
    { token: guest.token })).status, 200);
  const [m] = await waitForMail(guest.email);
  assertWellFormed(m, { transactional: false });
  assert.equal(m.headers.Subject, `You are going: ${ev.title}`);
  assert.equal(m.content_type, 'multipart/mixed');
  // 00:30 UTC is the evening before in Chicago.
  assert.ok(m.text.includes('When: Tuesday 9 March 2027, 18:30 CST until 20:00'), m.text);
  assert.ok(m.text.includes('Where: Central Library, Springfield'));
  const cal = m.calendar;
  assert.equal(cal.method, 'PUBLISH');
  assert.equal(cal.params.method, 'PUBLISH');
  assert.equal(cal.events.length, 1);
  assert.equal(cal.events[0].summary, ev.title);
  assert.equal(cal.events[0].dtstart, '2027-03-10T00:30:00+00:00');
  assert.equal(cal.events[0].dtend, '2027-03-10T02:00:00+00:00');
  assert.match(cal.events[0].uid, new RegExp(`^event-${ev.id}@`));
  // The same UID as the event's own feed, so calendars merge them.
  const ics = await call('GET', `/v1/events/${ev.id}.ics`, { validate: false });
  assert.ok(ics.text.includes(`UID:${cal.events[0].uid}`));
});

test('consent: no mail to an unverified member, against a preference, or to a suppressed address', async () => {
  const host = await verified();
  const unverified = await makeMember();
  const noReminders = await verified();
  const suppressed = await verified();
  const fine = await verified();
  assert.equal((await patch('/v1/me/email-preferences', { reminders: false },
    { token: noReminders.token })).status, 200);
  await sql(`INSERT INTO email_suppressions (address_hash, reason)
      VALUES (api.address_hash($1), 'rejected')`, [suppressed.email.toUpperCase()]);
  const ev = await event(host);
  for (const m of [unverified, noReminders, suppressed, fine]) {
    assert.equal((await put(`/v1/events/${ev.id}/rsvp`, { response: 'going' },
      { token: m.token })).status, 200);
  }
  // Written in the RSVP's own transaction, or not at all.
  assert.deepEqual(await outbox(unverified.email), []);
  assert.deepEqual(await outbox(noReminders.email), []);
  assert.deepEqual(await outbox(suppressed.email), []);
  assert.equal((await outbox(fine.email)).length, 1);
  await waitForMail(fine.email);
  // A rejected address gets no password reset mail either.
  assert.equal((await post('/v1/password-resets', { email: suppressed.email })).status, 202);
  assert.deepEqual(await outbox(suppressed.email), []);
  const prefs = await get('/v1/me/email-preferences', { token: suppressed.token });
  assert.equal(prefs.json.address_rejected, true);
});

test('one-click unsubscribe: a bare POST with no session, then nothing more of that kind', async () => {
  const host = await verified();
  const guest = await verified();
  const ev1 = await event(host);
  await put(`/v1/events/${ev1.id}/rsvp`, { response: 'going' }, { token: guest.token });
  const [m] = await waitForMail(guest.email);
  const url = new URL(m.headers['List-Unsubscribe'].slice(1, -1));
  const target = url.pathname + url.search;

  const before = await get(target);
  assert.equal(before.status, 200, before.text);
  assert.deepEqual(before.json, { scope: 'member', kind: 'reminders', unsubscribed: false });
  // What mail providers send (RFC 8058): a form body, no cookies, no token.
  const r = await call('POST', target, { rawBody: 'List-Unsubscribe=One-Click',
    contentType: 'application/x-www-form-urlencoded' });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { scope: 'member', kind: 'reminders', unsubscribed: true });
  // A bare POST (Content-Length: 0) does the same, and twice changes nothing.
  const bare = await call('POST', target, { rawBody: '' });
  assert.equal(bare.status, 200, bare.text);
  assert.equal(bare.json.unsubscribed, true);
  const prefs = await get('/v1/me/email-preferences', { token: guest.token });
  assert.equal(prefs.json.reminders, false);
  assert.equal(prefs.json.changes, true, 'only that kind');

  const ev2 = await event(host);
  await put(`/v1/events/${ev2.id}/rsvp`, { response: 'going' }, { token: guest.token });
  assert.equal((await outbox(guest.email)).length, 1, 'no second confirmation');

  // The footer's web link carries the same token.
  assert.ok(m.text.includes(`${WEB}/#/unsubscribe/${url.searchParams.get('token')}`));
});

test('unsubscribe links cannot be forged or guessed', async () => {
  const other = await verified();
  const forged = `m.${other.id}.changes.${'0'.repeat(32)}`;
  assertProblem(await get(`/v1/unsubscribe?token=${forged}`), 404, 'token');
  assertProblem(await call('POST', `/v1/unsubscribe?token=${forged}`, { rawBody: '' }), 404, 'token');
  assertProblem(await call('POST', '/v1/unsubscribe?token=nonsense', { rawBody: '' }), 404, 'token');
  assertProblem(await call('POST', '/v1/unsubscribe', { rawBody: '' }), 400, 'token');
  const prefs = await get('/v1/me/email-preferences', { token: other.token });
  assert.equal(prefs.json.changes, true);
});

test('a cancellation is mailed to everyone going, with the cancelled event for calendars', async () => {
  const host = await verified();
  const guest = await verified();
  const ev = await event(host);
  await put(`/v1/events/${ev.id}/rsvp`, { response: 'going' }, { token: guest.token });
  await waitForMail(guest.email);
  const c = await post(`/v1/events/${ev.id}/cancel`, { reason: 'The roof leaks' },
    { token: host.token });
  assert.equal(c.status, 200, c.text);
  const [m] = await waitForMail(guest.email, { filter: (x) => x.headers.Subject.startsWith('Cancelled') });
  assertWellFormed(m, { transactional: false });
  assert.equal(m.headers.Subject, `Cancelled: ${ev.title}`);
  assert.ok(m.text.includes('The roof leaks') || m.text.includes('cancelled'), m.text);
  assert.equal(m.calendar.events[0].status, 'CANCELLED');
  assert.ok(m.calendar.events[0].sequence > 0);
});

test('the day before, everyone going gets a reminder; advocacy reminders carry the talking points', async () => {
  const host = await verified();
  const guest = await verified();
  const ev = await event(host, { kind: 'advocacy', title: `Budget hearing ${uid()}`,
    starts_at: at(20), ends_at: at(22), target: 'City council',
    talking_points: 'Libraries return $4 for every $1.\nHours were cut twice.' });
  await put(`/v1/events/${ev.id}/rsvp`, { response: 'going' }, { token: guest.token });
  // The sender's scheduled job (every 2 s in the tests) queues it.
  const [m] = await waitForMail(guest.email, { filter: (x) => x.headers.Subject.startsWith('Tomorrow') });
  assertWellFormed(m, { transactional: false });
  assert.equal(m.headers.Subject, `Tomorrow: ${ev.title}`);
  assert.ok(m.text.includes('Target: City council'));
  assert.ok(m.text.includes('Libraries return $4 for every $1.\nHours were cut twice.'), m.text);
  assert.ok(m.html.includes('Libraries return $4 for every $1.<br>Hours were cut twice.'));
  assert.equal(m.calendar.events[0].summary, ev.title);
  // Once per member and start time, however often the job runs.
  const again = await sql(`SELECT count(*)::int AS n FROM outbox
      WHERE kind = 'reminder' AND member_id = $1`, [guest.id]);
  assert.equal(again[0].n, 1);
  assert.deepEqual(await mailTo(host.email, (x) => x.headers.Subject.startsWith('Tomorrow')), [],
    'the host did not say they are going');
});

test('the weekly digest goes only to members who chose it, once a week', async () => {
  const city = `Digestville ${uid()}`;
  const reader = await verified({ city });
  const other = await verified({ city });
  const host = await verified();
  const ev = await event(host, { city, title: `Poetry slam ${uid()}`, starts_at: at(96), ends_at: at(98) });
  assert.equal((await patch('/v1/me/email-preferences', { digest: true },
    { token: reader.token })).status, 200);
  const [m] = await waitForMail(reader.email, { filter: (x) => x.headers.Subject === 'Your week in Interlibrary' });
  assertWellFormed(m, { transactional: false });
  assert.ok(m.text.includes(`Coming up in ${city}:`), m.text);
  assert.ok(m.text.includes(ev.title));
  assert.ok(m.text.includes(`${WEB}/#/events/${ev.id}`));
  assert.deepEqual((await outbox(other.email)).filter((o) => o.kind === 'digest'), []);
  const [row] = await sql('SELECT sent_at FROM mail_digests WHERE member_id = $1', [reader.id]);
  assert.ok(row, 'recorded, so the next one waits a week');
});

test('the digest of a member with a home area lists the events within 50 km of it', async () => {
  // A region no other test uses: 0.3 degrees of longitude from home is
  // about 33 km at 10 N, 1 degree about 110 km; the city names say nothing.
  const reader = await verified({ city: `Elsewhere ${uid()}` });
  assert.equal((await patch('/v1/me', { home_latitude: 10, home_longitude: 20 },
    { token: reader.token })).status, 200);
  const host = await verified();
  const near = await event(host, { city: `Nearton ${uid()}`, title: `Quilt circle ${uid()}`,
    latitude: 10, longitude: 20.3, starts_at: at(50), ends_at: at(52) });
  const far = await event(host, { city: `Farton ${uid()}`, title: `Far fair ${uid()}`,
    latitude: 10, longitude: 21, starts_at: at(50), ends_at: at(52) });
  assert.equal((await patch('/v1/me/email-preferences', { digest: true },
    { token: reader.token })).status, 200);
  const [m] = await waitForMail(reader.email, { filter: (x) => x.headers.Subject === 'Your week in Interlibrary' });
  assert.ok(m.text.includes('Coming up near you:'), m.text);
  assert.ok(m.text.includes(near.title), m.text);
  assert.ok(!m.text.includes(far.title), m.text);
});

test('an address its server refuses for good is suppressed; a busy one is retried, then failed', async () => {
  const host = await verified();
  const bounce = await verified({ email: `bounce-${uid()}@example.org` });
  const busy = await verified({ email: `busy-${uid()}@example.org` });
  const ev = await event(host);
  for (const m of [bounce, busy]) {
    await put(`/v1/events/${ev.id}/rsvp`, { response: 'going' }, { token: m.token });
  }
  const until = async (fn) => {
    const deadline = Date.now() + 30000;
    for (;;) {
      const v = await fn();
      if (v) return v;
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const [b] = await until(async () => {
    const rows = await outbox(bounce.email);
    return rows[0]?.status === 'failed' && rows;
  });
  assert.match(b.last_error, /550/);
  assert.equal(b.attempts, 1, 'a permanent refusal is not retried');
  const sup = await sql(`SELECT reason FROM email_suppressions WHERE address_hash = api.address_hash($1)`,
    [bounce.email]);
  assert.deepEqual(sup, [{ reason: 'rejected' }]);
  // MAIL_MAX_ATTEMPTS=3 in the tests, 1 s apart then 2 s.
  const [t] = await until(async () => {
    const rows = await outbox(busy.email);
    return rows[0]?.status === 'failed' && rows;
  });
  assert.match(t.last_error, /451/);
  assert.equal(t.attempts, 3);
  assert.deepEqual(await mailTo(bounce.email), []);
  assert.deepEqual(await mailTo(busy.email), []);
  const again = await post('/v1/me/email-verification', undefined, { token: bounce.token });
  assertProblem(again, 409);
});

test('/readyz says whether mail goes out', async () => {
  const r = await get('/readyz');
  assert.equal(r.status, 200);
  assert.equal(r.json.mail.status, 'sending');
  assert.equal(typeof r.json.mail.queued, 'number');
});

test('new messages: at most one mail per conversation per hour, whatever is read meanwhile', async () => {
  const ada = await verified({ invitations: 'anyone' });
  const ben = await verified({ invitations: 'anyone', display_name: 'Ben Writer' });
  const secret = `first-${uid()}`;
  const aboutMessages = { filter: (m) => /sent you/.test(m.headers.Subject) };
  let r = await post('/v1/conversations', { member_id: ada.id, text: secret }, { token: ben.token });
  assert.equal(r.status, 201, r.text);
  const id = r.json.id;
  const [first] = await waitForMail(ada.email, aboutMessages);
  assert.equal(first.headers.Subject, 'Ben Writer sent you a message');
  assert.ok(linkIn(first, `/#/conversations/${id}`));
  assert.ok(!first.text.includes(secret) && !first.html.includes(secret),
      'the mail never carries the message');
  const readAll = async () => {
    const last = (await get(`/v1/conversations/${id}?limit=1`, { token: ada.token })).json.messages.data[0].id;
    r = await patch(`/v1/conversations/${id}`, { last_read_message_id: last }, { token: ada.token });
    assert.equal(r.status, 200, r.text);
  };
  // Read, then a new message: a new in-app notice, but no second mail within the hour.
  await readAll();
  r = await post(`/v1/conversations/${id}/messages`, { text: 'second' }, { token: ben.token });
  assert.equal(r.status, 201, r.text);
  const notes = (await get('/v1/me/notifications', { token: ada.token })).json.data
      .filter((n) => n.type === 'message_received' && !n.read);
  assert.equal(notes.length, 1, 'the in-app notice is there');
  assert.equal((await outbox(ada.email)).filter((m) => m.kind === 'message').length, 1);
  // An hour later, the next new message is mailed again.
  await sql(`UPDATE mail_conversation_notices SET mailed_at = now() - interval '61 minutes'
      WHERE member_id = $1 AND conversation_id = $2`, [ada.id, id]);
  await readAll();
  r = await post(`/v1/conversations/${id}/messages`, { text: 'third' }, { token: ben.token });
  assert.equal(r.status, 201, r.text);
  const mails = await waitForMail(ada.email, { ...aboutMessages, count: 2 });
  assert.equal(mails.length, 2);
  assert.equal((await outbox(ada.email)).filter((m) => m.kind === 'message').length, 2);
});
