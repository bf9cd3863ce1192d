// Invitations by email to people who are not members yet (issue 17):
// through the real stack, the mail delivered to the local SMTP server and
// read with Python's email package and icalendar (tests/mail/parse.py).
// What must not be sent is checked where it is decided: a message that
// must not go out has no outbox row (it is written, or not, in the
// transaction of the invitation).  The caps are checked exactly under
// concurrent requests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { get, post, patch, put, sql, uid, makeMember, assertProblem, PASSWORD } from './lib.mjs';
import { waitForMail } from '../mail/lib.mjs';

const at = (hours) => new Date(Date.now() + hours * 3600 * 1000).toISOString()
  .replace(/\.\d+Z$/, 'Z');
const WEB = process.env.PUBLIC_WEB_URL;

const verified = (fields = {}) => makeMember({ email_verified: true, ...fields });
const stranger = () => `guest-${uid()}@example.net`;

async function event(host, fields = {}) {
  const r = await post('/v1/events', { title: `Poster session ${uid()}`, kind: 'social',
    starts_at: at(72), ends_at: at(74), timezone: 'America/Chicago',
    venue: 'Branch Library', city: 'Shelbyville', ...fields }, { token: host.token });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

const invite = (who, ev, body) => post(`/v1/events/${ev.id}/invitations`, body,
  { token: who.token });

async function outboxTo(address) {
  return sql(`SELECT kind, member_id, event_id FROM outbox
      WHERE lower(to_addr) = lower($1) ORDER BY id`, [address]);
}

// The token of an invitation mail's link to ev: what follows ?invitation=.
function invitationToken(msg, ev) {
  const m = msg.text.match(new RegExp(`^${WEB.replace(/[.]/g, '\\.')}/#/events/${ev.id}\\?invitation=([A-Za-z0-9_-]{43})`, 'm'));
  assert.ok(m, `no invitation link in: ${msg.text}`);
  return m[1];
}

async function invitationMail(address, ev) {
  const [m] = await waitForMail(address, { filter: (x) => x.text.includes(`/#/events/${ev.id}?`) });
  return m;
}

test('an email invitation: one mail with the event, its calendar part and a link; a member\'s address gets the same results', async () => {
  const sender = await verified({ display_name: `Rosa Inviter ${uid()}` });
  const ev = await event(sender);
  // A member who takes invitations from nobody: the sender must not be
  // able to tell this address from a stranger's.
  const member = await verified({ invitations: 'nobody' });
  const guest = stranger();
  const r = await invite(sender, ev, { emails: [` ${guest} `, member.email] });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.results, [
    { email: guest, result: 'invited' },
    { email: member.email, result: 'invited' },
  ]);
  assert.equal(r.json.remaining, 198);
  // Again, upper-cased: the same answers for both, nothing more is sent.
  const again = await invite(sender, ev, { emails: [guest.toUpperCase(), member.email] });
  assert.deepEqual(again.json.results, [
    { email: guest.toUpperCase(), result: 'already_invited' },
    { email: member.email, result: 'already_invited' },
  ]);
  // Members and addresses in one request, results in order.
  const friend = await verified();
  const mixed = await invite(sender, ev, { member_ids: [friend.id], emails: [guest] });
  assert.equal(mixed.status, 200, mixed.text);
  assert.deepEqual(mixed.json.results.map((x) => x.result), ['not_accepting', 'already_invited']);
  assert.equal(mixed.json.results[0].member_id, friend.id);

  const m = await invitationMail(guest, ev);
  assert.deepEqual(m.defects, []);
  assert.equal(m.headers.Subject, `${sender.display_name} invited you to ${ev.title}`);
  assert.ok(m.text.includes(`${sender.display_name} invited you to ${ev.title}`));
  assert.ok(m.text.includes('Where: Branch Library, Shelbyville'));
  assert.ok(m.parts.includes('multipart/alternative'));
  assert.match(m.headers['List-Unsubscribe'], /^<https?:\/\/[^>]+\/v1\/unsubscribe\?token=a\.[0-9a-f]{64}\.all\.[0-9a-f]{32}>$/);
  assert.equal(m.headers['List-Unsubscribe-Post'], 'List-Unsubscribe=One-Click');
  assert.ok(m.text.includes('Never email me again'), 'an address-level unsubscribe link');
  assert.ok(!m.text.includes('/#/me/email'), 'no member preferences for a stranger');
  const token = invitationToken(m, ev);
  assert.equal(token.length, 43);
  assert.ok(m.html.includes(`/#/events/${ev.id}?invitation=${token}`), 'the HTML part has the link too');
  // The calendar part, as a calendar reads it.
  assert.equal(m.calendar.content_type, 'text/calendar');
  assert.equal(m.calendar.method, 'PUBLISH');
  assert.equal(m.calendar.events.length, 1);
  assert.equal(m.calendar.events[0].summary, ev.title);
  assert.equal(new Date(m.calendar.events[0].dtstart).toISOString().replace(/\.\d+Z$/, 'Z'), ev.starts_at);

  // The member whose settings refuse the sender got nothing; only hashes
  // of tokens are kept, and the address until registration.
  assert.deepEqual(await outboxTo(member.email), []);
  const rows = await sql(`SELECT email, encode(token_hash, 'hex') AS th,
      encode(address_hash, 'hex') AS ah FROM email_invitations
      WHERE event_id = $1 ORDER BY id`, [ev.id]);
  assert.equal(rows.length, 2);
  assert.equal(rows[0].email, guest);
  const [{ h }] = await sql(`SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex') AS h`, [token]);
  assert.equal(rows[0].th, h);
  const [{ a }] = await sql(`SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex') AS a`, [guest]);
  assert.equal(rows[0].ah, a);
});

test('a member\'s address that allows the sender gets the mail with the member\'s own footer', async () => {
  const sender = await verified();
  const ev = await event(sender);
  const member = await verified({ invitations: 'anyone' });
  const r = await invite(sender, ev, { emails: [member.email] });
  assert.deepEqual(r.json.results, [{ email: member.email, result: 'invited' }]);
  const m = await invitationMail(member.email, ev);
  assert.ok(m.text.includes(`${WEB}/#/me/email`), 'links to the member\'s preferences');
  assert.match(m.headers['List-Unsubscribe'], /token=m\.\d+\.invitations\./);
});

test('the body: 1 to 50 entries in all, and addresses as the API reads them', async () => {
  const sender = await verified();
  const ev = await event(sender);
  assertProblem(await invite(sender, ev, {}), 400, 'member_ids');
  assertProblem(await invite(sender, ev, { emails: [] }), 400, 'emails');
  for (const bad of ['no-at-sign', 'a@b', 'two@@example.org', 'sp ace@example.org', 'x@example.org.']) {
    assertProblem(await invite(sender, ev, { emails: [bad] }), 400, 'emails');
  }
  const many = Array.from({ length: 26 }, () => stranger());
  const r = await invite(sender, ev, { emails: many, member_ids: Array.from({ length: 25 }, (_, i) => i + 1) });
  assertProblem(r, 400, 'emails');
  assertProblem(await invite(sender, ev, { emails: Array.from({ length: 51 }, () => stranger()) }), 400, 'emails');
  assert.equal((await sql('SELECT count(*)::int AS n FROM email_invitations WHERE sender_id = $1',
    [sender.id]))[0].n, 0, 'nothing was invited');
  assertProblem(await post(`/v1/events/${ev.id}/invitations`, { emails: [stranger()] }), 401);
});

test('registering from the link: the RSVP (waitlist when full), the address verified, the invitation used once', async () => {
  const sender = await verified();
  const ev = await event(sender, { capacity: 1 });
  const first = await verified();
  // The only place is taken.
  assert.equal((await put(`/v1/events/${ev.id}/rsvp`, { response: 'going' },
    { token: first.token })).status, 200);
  const guest = stranger();
  assert.equal((await invite(sender, ev, { emails: [guest] })).json.results[0].result, 'invited');
  const token = invitationToken(await invitationMail(guest, ev), ev);

  // A wrong token creates no account.
  const wrong = await post('/v1/members', { email: guest, password: PASSWORD,
    display_name: 'Guest Reader', invitation: 'A'.repeat(43) });
  assertProblem(wrong, 404, 'invitation');
  assertProblem(await post('/v1/members', { email: guest, password: PASSWORD,
    display_name: 'Guest Reader', invitation: 'short' }), 400, 'invitation');
  assert.equal((await sql('SELECT count(*)::int AS n FROM members WHERE lower(email) = lower($1)',
    [guest]))[0].n, 0);

  const r = await post('/v1/members', { email: guest, password: PASSWORD,
    display_name: 'Guest Reader', invitation: token });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.email_verified, true, 'the link proved the address');
  const [rsvp] = await sql('SELECT status, response FROM rsvps WHERE event_id = $1 AND member_id = $2',
    [ev.id, r.json.id]);
  assert.deepEqual(rsvp, { status: 'waitlisted', response: 'going' });
  const [inv] = await sql(`SELECT status, email, member_id FROM email_invitations
      WHERE event_id = $1`, [ev.id]);
  assert.deepEqual(inv, { status: 'accepted', email: null, member_id: String(r.json.id) });
  // The waitlist confirmation, and no verification mail.
  const [c] = await waitForMail(guest, { filter: (x) => x.headers.Subject.startsWith('You are on the waitlist') });
  assert.ok(c.text.includes(ev.title));
  assert.deepEqual((await outboxTo(guest)).map((o) => o.kind), ['invitation', 'confirmation']);

  // Used: a second account cannot take it.
  const twice = await post('/v1/members', { email: stranger(), password: PASSWORD,
    display_name: 'Someone Else', invitation: token });
  assertProblem(twice, 409, 'invitation');
  // Accepted: no longer something to report as unwanted.
  assertProblem(await post('/v1/email-invitations/report', { token }), 409, 'token');
});

test('registering from the link with another address: going, and that address still to verify', async () => {
  const sender = await verified();
  const ev = await event(sender);
  const guest = stranger();
  await invite(sender, ev, { emails: [guest] });
  const token = invitationToken(await invitationMail(guest, ev), ev);
  const other = stranger();
  const r = await post('/v1/members', { email: other, password: PASSWORD,
    display_name: 'Work Address', invitation: token });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.email_verified, false);
  const [rsvp] = await sql('SELECT status FROM rsvps WHERE event_id = $1 AND member_id = $2',
    [ev.id, r.json.id]);
  assert.equal(rsvp.status, 'going');
  const [v] = await waitForMail(other);
  assert.equal(v.headers.Subject, 'Confirm your email address for Interlibrary');
});

test('"never email me again" puts the address on the list for good: no mail, not_accepting, from anyone', async () => {
  const sender = await verified();
  const [ev1, ev2] = [await event(sender), await event(sender)];
  const guest = stranger();
  await invite(sender, ev1, { emails: [guest] });
  const m = await invitationMail(guest, ev1);
  const url = m.headers['List-Unsubscribe'].slice(1, -1);
  // RFC 8058 one-click: a POST with that body, no session.
  const off = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'List-Unsubscribe=One-Click' });
  assert.equal(off.status, 200);
  const kept = await sql(`SELECT reason FROM email_suppressions
      WHERE address_hash = sha256(convert_to(lower($1), 'UTF8'))`, [guest]);
  assert.deepEqual(kept, [{ reason: 'unsubscribed' }]);

  const other = await verified();
  const ev3 = await event(other);
  for (const [who, ev] of [[sender, ev2], [other, ev3]]) {
    const r = await invite(who, ev, { emails: [guest.toUpperCase()] });
    assert.deepEqual(r.json.results, [{ email: guest.toUpperCase(), result: 'not_accepting' }]);
  }
  assert.equal((await outboxTo(guest)).length, 1, 'only the first invitation was ever written');
  assert.equal((await sql(`SELECT count(*)::int AS n FROM email_invitations
      WHERE address_hash = sha256(convert_to(lower($1), 'UTF8'))`, [guest]))[0].n, 1);
});

test('at most 3 email invitations per address per 30 days, from all senders together', async () => {
  const guest = stranger();
  const got = [];
  for (let i = 0; i < 4; i++) {
    const s = await verified();
    const r = await invite(s, await event(s), { emails: [guest] });
    got.push(r.json.results[0].result);
  }
  assert.deepEqual(got, ['invited', 'invited', 'invited', 'not_accepting']);
  assert.equal((await outboxTo(guest)).length, 3);
  // A month later the address may be invited again.
  await sql(`UPDATE email_invitations SET created_at = created_at - interval '31 days'
      WHERE address_hash = sha256(convert_to(lower($1), 'UTF8'))`, [guest]);
  const s = await verified();
  assert.equal((await invite(s, await event(s), { emails: [guest] })).json.results[0].result, 'invited');
});

test('20 concurrent senders inviting one address: exactly 3 invited, 3 mails', async () => {
  const guest = stranger();
  const senders = [];
  for (let i = 0; i < 20; i++) {
    const s = await verified();
    senders.push({ s, ev: await event(s) });
  }
  const rs = await Promise.all(senders.map(({ s, ev }) => invite(s, ev, { emails: [guest, stranger()] })));
  for (const r of rs) assert.equal(r.status, 200, r.text);
  const results = rs.map((r) => r.json.results[0].result);
  assert.equal(results.filter((x) => x === 'invited').length, 3, results.join());
  assert.equal(results.filter((x) => x === 'not_accepting').length, 17, results.join());
  assert.ok(rs.every((r) => r.json.results[1].result === 'invited'), 'other addresses are not held back');
  assert.equal((await outboxTo(guest)).length, 3);
  await waitForMail(guest, { count: 3 });
});

test('the cap of 200 a day counts email invitations, all or nothing, exactly under concurrency', async () => {
  const sender = await verified();
  const ev = await event(sender);
  // 190 used in the last day: 95 member invitations and 95 by email.
  const others = await sql(`INSERT INTO members (email, display_name, password_hash)
      SELECT 'cap-' || $1 || '-' || g || '@example.org', 'Cap ' || g, 'x'
      FROM generate_series(1, 95) g RETURNING id`, [uid()]);
  await sql(`INSERT INTO invitations (event_id, sender_id, recipient_id, reason, created_at)
      SELECT $1, $2, m, 'open to invitations from anyone', now() - interval '2 hours'
      FROM unnest($3::bigint[]) m`, [ev.id, sender.id, others.map((o) => o.id)]);
  await sql(`INSERT INTO email_invitations (event_id, sender_id, address_hash, email, token_hash, created_at)
      SELECT $1, $2, gen_random_bytes(32), NULL, gen_random_bytes(32), now() - interval '1 hour'
      FROM generate_series(1, 95)`, [ev.id, sender.id]);
  const batches = Array.from({ length: 5 }, () => Array.from({ length: 5 }, () => stranger()));
  const rs = await Promise.all(batches.map((emails) => invite(sender, ev, { emails })));
  const ok = rs.filter((r) => r.status === 200);
  const refused = rs.filter((r) => r.status === 429);
  assert.equal(ok.length, 2, rs.map((r) => r.status).join());
  assert.equal(refused.length, 3);
  for (const r of refused) {
    assertProblem(r, 429);
    assert.ok(Number(r.headers.get('retry-after')) >= 1);
  }
  assert.deepEqual(ok.map((r) => r.json.remaining).sort(), [0, 5]);
  const [{ n }] = await sql(`SELECT (SELECT count(*) FROM invitations WHERE sender_id = $1)
      + (SELECT count(*) FROM email_invitations WHERE sender_id = $1) AS n`, [sender.id]);
  assert.equal(Number(n), 200);
  // A refused request sent nothing: no row, no mail for its addresses.
  for (const [i, r] of rs.entries()) {
    const written = (await Promise.all(batches[i].map(outboxTo))).flat().length;
    assert.equal(written, r.status === 200 ? 5 : 0);
  }
});

test('spam marks from the link: 3 addresses suspend the sender, the admins get the reports, resolving lifts it', async () => {
  const sender = await verified({ display_name: `Spammy ${uid()}` });
  const ev = await event(sender);
  const guests = [stranger(), stranger(), stranger()];
  assert.ok((await invite(sender, ev, { emails: guests })).json.results.every((x) => x.result === 'invited'));
  const tokens = [];
  for (const g of guests) tokens.push(invitationToken(await invitationMail(g, ev), ev));

  assertProblem(await post('/v1/email-invitations/report', { token: 'A'.repeat(43) }), 404, 'token');
  assertProblem(await post('/v1/email-invitations/report', { token: 'short' }), 400, 'token');
  for (const [i, token] of tokens.entries()) {
    const r = await post('/v1/email-invitations/report', { token });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { status: 'reported_spam' });
    // Twice from the same address is one mark.
    assert.equal((await post('/v1/email-invitations/report', { token })).status, 200);
    if (i < 2) {
      const still = await invite(sender, ev, { emails: [stranger()] });
      assert.equal(still.status, 200, `${i + 1} marks do not suspend`);
    }
  }
  // A reported invitation cannot be used to register.
  assertProblem(await post('/v1/members', { email: guests[0], password: PASSWORD,
    display_name: 'Not Wanted', invitation: tokens[0] }), 409, 'invitation');
  const blocked = await invite(sender, ev, { emails: [stranger()] });
  assertProblem(blocked, 403);
  assert.equal(blocked.json.code, 'invitations_suspended');

  const admin = await makeMember({ role: 'admin' });
  const list = await get('/v1/reports?status=open&subject_type=member&limit=100', { token: admin.token });
  assert.equal(list.status, 200, list.text);
  const mine = list.json.data.filter((x) => x.subject.id === sender.id);
  assert.equal(mine.length, 3, 'one report per mark, about the sender');
  assert.ok(mine.every((x) => x.reporter === null && x.reason.includes(sender.display_name)
    && x.reason.includes(ev.title)));
  const res = await patch(`/v1/reports/${mine[0].id}`, { status: 'resolved' }, { token: admin.token });
  assert.equal(res.status, 200, res.text);
  assert.equal((await invite(sender, ev, { emails: [stranger()] })).status, 200,
    'two open marks left: inviting again');
});

test('addresses never registered are deleted after 90 days', async () => {
  const sender = await verified();
  const ev = await event(sender);
  const [old, fresh] = [stranger(), stranger()];
  await invite(sender, ev, { emails: [old, fresh] });
  await sql(`UPDATE email_invitations SET created_at = now() - interval '91 days'
      WHERE email = $1`, [old]);
  // The sender's scheduled jobs run every 2 seconds in the tests.
  const deadline = Date.now() + 30000;
  for (;;) {
    const rows = await sql('SELECT email FROM email_invitations WHERE event_id = $1 ORDER BY id', [ev.id]);
    if (rows.length === 1) {
      assert.deepEqual(rows, [{ email: fresh }]);
      break;
    }
    assert.ok(Date.now() < deadline, 'the 90-day-old address was not deleted');
    await new Promise((r) => setTimeout(r, 100));
  }
});
