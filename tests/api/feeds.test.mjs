// Event feeds: iCalendar (ical.js), RSS 2.0 (fast-xml-parser) and JSON Feed
// 1.1 read by independent parsers and compared with GET /v1/events; hostile
// text; SEQUENCE; ETag/304 and Cache-Control; how stale the per-worker cache
// may be (measured by polling); per-organization feeds by id and slug; the
// personal calendar and its key (create, use, rotate, revoke, never logged);
// the feed window and the 500-item cap; validation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import ICAL from 'ical.js';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { API, call, get, post, patch, del, put, sql, db, uid, makeMember, makeOrg,
    assertProblem } from './lib.mjs';

const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const at = (hours) => iso(Date.now() + hours * HOUR);

async function makeEvent(who, fields = {}) {
	const r = await post('/v1/events', { title: `Feed meetup ${uid()}`, kind: 'meetup',
	    starts_at: at(48), ends_at: at(50), timezone: 'America/Chicago',
	    city: 'Springfield', ...fields }, { token: who.token });
	assert.equal(r.status, 201, r.text);
	return r.json;
}

// A city of its own, so a test's feeds hold only its own events.
const newCity = () => `Feedville ${uid()}`;

// One GET on a new connection (so successive requests may land on either
// worker); resolves { status, headers, text }.
function freshGet(path, headers = {}) {
	return new Promise((resolve, reject) => {
		const req = http.get(API + path, { agent: false, headers }, (res) => {
			let text = '';
			res.setEncoding('utf8');
			res.on('data', (c) => { text += c; });
			res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
		});
		req.on('error', reject);
	});
}

function parseIcs(text) {
	const cal = new ICAL.Component(ICAL.parse(text));
	return cal.getAllSubcomponents('vevent').map((v) => ({
		uid: v.getFirstPropertyValue('uid'),
		summary: v.getFirstPropertyValue('summary'),
		description: v.getFirstPropertyValue('description'),
		location: v.getFirstPropertyValue('location'),
		url: v.getFirstPropertyValue('url'),
		status: v.getFirstPropertyValue('status'),
		sequence: v.getFirstPropertyValue('sequence'),
		categories: v.getAllProperties('categories').flatMap((p) => p.getValues()),
		start: v.getFirstPropertyValue('dtstart').toJSDate().toISOString(),
		end: v.getFirstPropertyValue('dtend').toJSDate().toISOString(),
		dtstamp: v.getFirstPropertyValue('dtstamp').toString(),
	}));
}

function parseRss(text) {
	assert.equal(XMLValidator.validate(text), true, 'RSS must be well-formed XML');
	const doc = new XMLParser({ ignoreAttributes: false, isArray: (name) =>
	    ['item', 'category'].includes(name) }).parse(text);
	return { channel: doc.rss.channel, items: doc.rss.channel.item || [] };
}

const idOf = (uidText) => Number(/^event-(\d+)@/.exec(uidText)[1]);
const isoSec = (s) => new Date(s).toISOString().replace(/\.\d+Z$/, 'Z');

// The events GET /v1/events lists for these filters over the feed window.
async function listed(filters) {
	const qs = new URLSearchParams({ ...filters, from: iso(Date.now() - 30 * DAY + 60000),
	    limit: '100' });
	const r = await get(`/v1/events?${qs}`);
	assert.equal(r.status, 200, r.text);
	const upper = Date.now() + 365 * DAY - 60000;
	return r.json.data.filter((e) => Date.parse(e.starts_at) < upper);
}

test('the three formats show what GET /v1/events shows, read by independent parsers', async () => {
	const admin = await makeMember();
	const org = await makeOrg(admin);
	const city = newCity();
	const a = await makeEvent(admin, { city, organization: org.slug, tags: ['zines', 'comics'],
	    venue: 'Main Branch', address: '1 Library Way', description: 'Swap zines.' });
	const b = await makeEvent(admin, { city, starts_at: at(24 * 40), ends_at: at(24 * 40 + 3),
	    online_url: 'https://meet.example.org/abc' });
	const c = await makeEvent(admin, { city, kind: 'training' });
	const cancel = await post(`/v1/events/${c.id}/cancel`, { reason: 'Snow storm' },
	    { token: admin.token });
	assert.equal(cancel.status, 200, cancel.text);
	// One 10 days ago (inside the window), one 40 days ago and one two years
	// ahead (outside it).
	const past = await makeEvent(admin, { city });
	const old = await makeEvent(admin, { city });
	const far = await makeEvent(admin, { city });
	await sql(`UPDATE events SET starts_at = now() - interval '10 days',
	    ends_at = now() - interval '10 days' + interval '2 hours' WHERE id = $1`, [past.id]);
	await sql(`UPDATE events SET starts_at = now() - interval '40 days',
	    ends_at = now() - interval '40 days' + interval '2 hours' WHERE id = $1`, [old.id]);
	await sql(`UPDATE events SET starts_at = now() + interval '2 years',
	    ends_at = now() + interval '2 years 2 hours' WHERE id = $1`, [far.id]);

	const want = await listed({ city });
	const wantIds = want.map((e) => e.id);
	assert.deepEqual(wantIds, [past.id, a.id, c.id, b.id]);
	const byId = new Map(want.map((e) => [e.id, e]));
	const q = `?city=${encodeURIComponent(city)}`;

	// iCalendar.
	const ics = await get(`/v1/events.ics${q}`);
	assert.equal(ics.status, 200, ics.text);
	assert.match(ics.headers.get('content-type'), /^text\/calendar; charset=utf-8$/);
	assert.ok(ics.text.split('\n').every((l) => l === '' || l.endsWith('\r')), 'CRLF lines');
	assert.ok(ics.text.split('\r\n').every((l) => Buffer.byteLength(l) <= 75), 'folded at 75 octets');
	assert.match(ics.text, /\r\nREFRESH-INTERVAL;VALUE=DURATION:PT60M\r\n/);
	const vevents = parseIcs(ics.text);
	assert.deepEqual(vevents.map((v) => idOf(v.uid)), wantIds);
	for (const v of vevents) {
		const e = byId.get(idOf(v.uid));
		assert.equal(v.summary, e.title);
		assert.equal(isoSec(v.start), e.starts_at);
		assert.equal(isoSec(v.end), e.ends_at);
		assert.equal(v.status, e.status === 'cancelled' ? 'CANCELLED' : 'CONFIRMED');
		assert.equal(v.sequence, e.sequence);
		assert.match(v.url, new RegExp(`/#/events/${e.id}$`));
		assert.ok(v.categories.includes(e.kind));
		for (const t of e.tags) assert.ok(v.categories.includes(t));
	}
	const va = vevents.find((v) => idOf(v.uid) === a.id);
	assert.equal(va.location, `Main Branch, 1 Library Way, ${city}`);
	assert.match(va.description, /Swap zines\./);
	// UIDs are stable across requests and formats; DTSTAMP is the latest change.
	assert.equal(parseIcs((await get(`/v1/events.ics${q}`)).text)[0].uid, vevents[0].uid);

	// RSS 2.0.
	const rss = await get(`/v1/events.rss${q}`);
	assert.equal(rss.status, 200, rss.text);
	assert.match(rss.headers.get('content-type'), /^application\/rss\+xml; charset=utf-8$/);
	const { channel, items } = parseRss(rss.text);
	assert.equal(channel.title, 'Interlibrary events');
	assert.deepEqual(items.map((i) => idOf(i.guid['#text'])), wantIds);
	for (const i of items) {
		const e = byId.get(idOf(i.guid['#text']));
		assert.equal(i.title, (e.status === 'cancelled' ? 'Cancelled: ' : '') + e.title);
		assert.match(i.link, new RegExp(`/#/events/${e.id}$`));
		assert.ok(i.category.includes(e.kind));
	}

	// JSON Feed 1.1.
	const jf = await get(`/v1/events.json${q}`);
	assert.equal(jf.status, 200, jf.text);
	assert.match(jf.headers.get('content-type'), /^application\/feed\+json; charset=utf-8$/);
	const feed = JSON.parse(jf.text);
	assert.equal(feed.version, 'https://jsonfeed.org/version/1.1');
	assert.equal(feed.feed_url, `${API}/v1/events.json${q.replace(/%20/g, '%20')}`);
	assert.deepEqual(feed.items.map((i) => idOf(i.id)), wantIds);
	for (const i of feed.items) {
		const e = byId.get(idOf(i.id));
		assert.equal(i.title, (e.status === 'cancelled' ? 'Cancelled: ' : '') + e.title);
		assert.equal(i._interlibrary.starts_at, e.starts_at);
		assert.equal(i._interlibrary.ends_at, e.ends_at);
		assert.equal(i._interlibrary.status, e.status);
		assert.equal(i._interlibrary.sequence, e.sequence);
		assert.equal(i.date_modified, e.updated_at);
	}
	assert.match(feed.items.find((i) => idOf(i.id) === c.id).content_text, /Cancelled: Snow storm/);

	// Filters combine like the list's.
	const training = JSON.parse((await get(`/v1/events.json${q}&kind=training`)).text);
	assert.deepEqual(training.items.map((i) => idOf(i.id)), [c.id]);
	const tagged = JSON.parse((await get(`/v1/events.json${q}&tag=Zines`)).text);
	assert.deepEqual(tagged.items.map((i) => idOf(i.id)), [a.id]);
	const byOrg = JSON.parse((await get(`/v1/events.json${q}&organization=${org.slug}`)).text);
	assert.deepEqual(byOrg.items.map((i) => idOf(i.id)), [a.id]);
	const soon = JSON.parse((await get(`/v1/events.json${q}&from=${at(1)}&to=${at(24 * 30)}`)).text);
	assert.deepEqual(soon.items.map((i) => idOf(i.id)), [a.id, c.id]);
});

// The first day-th of month (1-12) at hour:00 UTC after now, as an ISO string.
function nextUtc(month, day, hour) {
	const now = new Date();
	for (let y = now.getUTCFullYear(); ; y++) {
		const t = Date.UTC(y, month - 1, day, hour);
		if (t > now.getTime() + DAY) return new Date(t);
	}
}
const WDAY = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const day = (d) => `${WDAY[d.getUTCDay()]}, ${String(d.getUTCDate()).padStart(2, '0')} ${
    MON[d.getUTCMonth()]} ${d.getUTCFullYear()}`;

test('RSS and JSON Feed say when in the event\'s time zone: CST in winter, CDT in summer', async () => {
	const m = await makeMember();
	const city = newCity();
	// 10:00 to 12:00 in Chicago: 16:00 UTC in January, 15:00 UTC in July.
	const winter = nextUtc(1, 12, 16);
	const summer = nextUtc(7, 13, 15);
	const w = await makeEvent(m, { city, title: `Winter ${uid()}`, starts_at: iso(winter.getTime()),
	    ends_at: iso(winter.getTime() + 2 * HOUR) });
	const s = await makeEvent(m, { city, title: `Summer ${uid()}`, starts_at: iso(summer.getTime()),
	    ends_at: iso(summer.getTime() + 2 * HOUR) });
	// A late event in Tokyo ends on the next day there.
	const late = nextUtc(3, 3, 14);
	const t = await makeEvent(m, { city, title: `Late ${uid()}`, timezone: 'Asia/Tokyo',
	    starts_at: iso(late.getTime()), ends_at: iso(late.getTime() + 3 * HOUR) });
	const want = new Map([
		[w.id, `When: ${day(winter)} 10:00 CST to 12:00 CST (America/Chicago)`],
		[s.id, `When: ${day(summer)} 10:00 CDT to 12:00 CDT (America/Chicago)`],
		[t.id, `When: ${day(new Date(late.getTime() + 9 * HOUR))} 23:00 JST to ${
		    day(new Date(late.getTime() + 12 * HOUR))} 02:00 JST (Asia/Tokyo)`],
	]);
	const q = `?city=${encodeURIComponent(city)}`;

	const { items } = parseRss((await get(`/v1/events.rss${q}`)).text);
	assert.equal(items.length, 3);
	for (const i of items) {
		const first = i.description.replace(/^<p>/, '').split('<br>')[0];
		assert.equal(first, want.get(idOf(i.guid['#text'])));
		assert.doesNotMatch(i.description, /UTC/);
	}
	const feed = JSON.parse((await get(`/v1/events.json${q}`)).text);
	assert.equal(feed.items.length, 3);
	for (const i of feed.items) {
		assert.equal(i.content_text.split('\n')[0], want.get(idOf(i.id)));
		// The extension keeps the instants in UTC.
		assert.match(i._interlibrary.starts_at, /Z$/);
	}
});

// Another API instance on the same database, with env on top of this
// one's; resolves once both its workers have started.
async function otherApi(env) {
	const port = await new Promise((resolve) => {
		const srv = net.createServer().listen(0, '127.0.0.1', () => {
			const p = srv.address().port;
			srv.close(() => resolve(p));
		});
	});
	const dir = mkdtempSync('/tmp/interlibrary-feeds-');
	const child = spawn('bash', ['scripts/api.sh', dir], { env: { ...process.env,
	    API_PORT: String(port), API_WORKERS: '2', ...env } });
	let out = '';
	await new Promise((resolve, reject) => {
		const seen = (d) => {
			out += d;
			if (/worker 1 started/.test(out) && /worker 2 started/.test(out)) resolve();
		};
		child.stdout.on('data', seen);
		child.stderr.on('data', seen);
		child.on('exit', () => reject(new Error(`the other API stopped: ${out}`)));
	});
	return {
		url: `http://127.0.0.1:${port}`,
		stop: () => new Promise((resolve) => {
			child.removeAllListeners('exit');
			child.on('exit', () => {
				rmSync(dir, { recursive: true, force: true });
				resolve();
			});
			child.kill('SIGTERM');
		}),
	};
}

test('UIDs come from the installation\'s id: the same across restarts and public URLs', async () => {
	const m = await makeMember();
	const city = newCity();
	const ev = await makeEvent(m, { city });
	const [{ id }] = await sql('SELECT id::text AS id FROM instance');
	const uid = `event-${ev.id}@${id}.interlibrary`;
	const q = `?city=${encodeURIComponent(city)}`;
	assert.equal(parseIcs((await get(`/v1/events/${ev.id}.ics`, { validate: false })).text)[0].uid,
	    uid);
	assert.equal(parseIcs((await get(`/v1/events.ics${q}`)).text)[0].uid, uid);
	assert.equal(parseRss((await get(`/v1/events.rss${q}`)).text).items[0].guid['#text'], uid);
	assert.equal(JSON.parse((await get(`/v1/events.json${q}`)).text).items[0].id, uid);
	// The same database served under other public URLs: the same UIDs.
	const other = await otherApi({ PUBLIC_WEB_URL: 'https://events.library.example',
	    PUBLIC_API_URL: 'https://api.library.example' });
	try {
		const r = await fetch(`${other.url}/v1/events/${ev.id}.ics`);
		assert.equal(r.status, 200);
		const [v] = parseIcs(await r.text());
		assert.equal(v.uid, uid);
		assert.equal(v.url, `https://events.library.example/#/events/${ev.id}`);
	} finally {
		await other.stop();
	}
});

test('an event\'s kind equal to one of its tags is one category', async () => {
	const m = await makeMember();
	const city = newCity();
	const ev = await makeEvent(m, { city, kind: 'training', tags: ['makerspace', 'training'] });
	const q = `?city=${encodeURIComponent(city)}`;
	const [v] = parseIcs((await get(`/v1/events.ics${q}`)).text);
	assert.equal(idOf(v.uid), ev.id);
	assert.deepEqual(v.categories, ['training', 'makerspace']);
	const { items } = parseRss((await get(`/v1/events.rss${q}`)).text);
	assert.deepEqual(items[0].category, ['training', 'makerspace']);
	const feed = JSON.parse((await get(`/v1/events.json${q}`)).text);
	assert.deepEqual(feed.items[0].tags, ['training', 'makerspace']);
});

test('LOCATION and Where: join venue, address and city without repeating a part', async () => {
	const m = await makeMember();
	const city = newCity();
	const ev = await makeEvent(m, { city, venue: 'Main Branch',
	    address: `1 Library Way, ${city.toUpperCase()}` });
	const q = `?city=${encodeURIComponent(city)}`;
	const [v] = parseIcs((await get(`/v1/events.ics${q}`)).text);
	assert.equal(idOf(v.uid), ev.id);
	assert.equal(v.location, `Main Branch, 1 Library Way, ${city.toUpperCase()}`);
	const { items } = parseRss((await get(`/v1/events.rss${q}`)).text);
	assert.match(items[0].description, new RegExp(
	    `<br>\nWhere: Main Branch, 1 Library Way, ${city.toUpperCase()}(<br>|</p>)`));
});

test('an event feed\'s RSS, byte for byte', async () => {
	const m = await makeMember();
	const city = newCity();
	const when = nextUtc(1, 12, 16);
	const ev = await makeEvent(m, { city, title: 'Exact & sure', description: 'Bring <zines>.',
	    starts_at: iso(when.getTime()), ends_at: iso(when.getTime() + 2 * HOUR),
	    venue: 'Main Branch', address: `1 Library Way, ${city}`, tags: ['zines', 'meetup'] });
	await sql(`UPDATE events SET created_at = '2026-01-02T03:04:05Z',
	    updated_at = '2026-01-02T03:04:06Z' WHERE id = $1`, [ev.id]);
	const [{ id }] = await sql('SELECT id::text AS id FROM instance');
	const web = process.env.PUBLIC_WEB_URL;
	const q = `?city=${encodeURIComponent(city)}`;
	const r = await get(`/v1/events.rss${q}`);
	assert.equal(r.status, 200, r.text);
	assert.equal(r.text, `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:geo="http://www.w3.org/2003/01/geo/wgs84_pos#">
<channel>
<title>Interlibrary events</title>
<link>${web}/#/events</link>
<description>Events from 30 days ago to one year ahead</description>
<atom:link href="${API}/v1/events.rss${q}" rel="self" type="application/rss+xml"/>
<lastBuildDate>Fri, 02 Jan 2026 03:04:06 +0000</lastBuildDate>
<ttl>60</ttl>
<generator>Interlibrary</generator>
<item>
<title>Exact &amp; sure</title>
<link>${web}/#/events/${ev.id}</link>
<guid isPermaLink="false">event-${ev.id}@${id}.interlibrary</guid>
<pubDate>Fri, 02 Jan 2026 03:04:05 +0000</pubDate>
<description>&lt;p&gt;When: ${day(when)} 10:00 CST to 12:00 CST (America/Chicago)&lt;br&gt;
Where: Main Branch, 1 Library Way, ${city}&lt;br&gt;
&lt;br&gt;
Bring &amp;lt;zines&amp;gt;.&lt;/p&gt;</description>
<category>meetup</category>
<category>zines</category>
</item>
</channel>
</rss>
`);
});

test('hostile text never makes a second event and RSS stays well-formed', async () => {
	const m = await makeMember();
	const city = newCity();
	const evil = 'Party\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil@x\r\nSUMMARY:pwned ]]> ' +
	    '<script>alert(1)</script> \u0001\u0008\u001b\u007f & "quotes" ;,\\';
	const ev = await makeEvent(m, { city, title: evil.slice(0, 200), description: evil + '\n]]><![CDATA[',
	    venue: 'Hall; B, \\ <b>', tags: ['a,b', 'c;d'] });
	// Bytes the API would not let in, written behind its back.
	await sql(`UPDATE events SET cancel_reason = NULL, description = description || E'\\x0b\\x0c'
	    WHERE id = $1`, [ev.id]);
	const q = `?city=${encodeURIComponent(city)}`;

	const ics = (await get(`/v1/events.ics${q}`)).text;
	assert.equal(ics.match(/^BEGIN:VEVENT\r$/gm).length, 1);
	assert.equal(ics.match(/^END:VEVENT\r$/gm).length, 1);
	const [v, ...more] = parseIcs(ics);
	assert.equal(more.length, 0);
	assert.equal(idOf(v.uid), ev.id);
	// CRLF becomes a newline inside the value; other controls are dropped.
	assert.equal(v.summary, ev.title.replace(/\r\n/g, '\n').replace(/[\u0001\u0008\u001b\u007f]/g, ''));
	assert.deepEqual(v.categories.filter((c) => c !== 'meetup').sort(), ['a,b', 'c;d']);

	const rss = (await get(`/v1/events.rss${q}`)).text;
	const { items } = parseRss(rss);
	assert.equal(items.length, 1);
	assert.ok(!rss.includes('<script>'), 'markup arrives escaped');
	assert.match(items[0].title, /<script>alert\(1\)<\/script>/);

	const feed = JSON.parse((await get(`/v1/events.json${q}`)).text);
	assert.equal(feed.items.length, 1);
	assert.ok(!/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(JSON.stringify(feed.items[0].content_text)));
});

test('one event as iCalendar; SEQUENCE grows with every edit; cancelled is STATUS:CANCELLED', async () => {
	const m = await makeMember();
	const ev = await makeEvent(m);
	const one = async () => {
		const r = await call('GET', `/v1/events/${ev.id}.ics`, { validate: false });
		assert.equal(r.status, 200, r.text);
		assert.match(r.headers.get('content-type'), /^text\/calendar; charset=utf-8$/);
		assert.equal(r.headers.get('cache-control'), 'public, max-age=60');
		assert.match(r.headers.get('etag'), /^"[0-9a-f]{32}"$/);
		const vs = parseIcs(r.text);
		assert.equal(vs.length, 1);
		return vs[0];
	};
	const v0 = await one();
	assert.equal(v0.sequence, 0);
	assert.equal(v0.status, 'CONFIRMED');
	assert.equal(v0.summary, ev.title);

	const p = await patch(`/v1/events/${ev.id}`, { title: 'Renamed meetup' }, { token: m.token });
	assert.equal(p.status, 200, p.text);
	// The same URL again: the worker that made the change serves it at once.
	const v1 = await one();
	assert.equal(v1.sequence, 1);
	assert.equal(v1.summary, 'Renamed meetup');
	assert.equal(v1.uid, v0.uid);

	const c = await post(`/v1/events/${ev.id}/cancel`, { reason: 'Flooded' }, { token: m.token });
	assert.equal(c.status, 200, c.text);
	const v2 = await one();
	assert.equal(v2.sequence, 2);
	assert.equal(v2.status, 'CANCELLED');

	for (const bad of ['abc.ics', '0.ics', `${ev.id}.ical`, `${ev.id}x.ics`]) {
		const r = await call('GET', `/v1/events/${bad}`, { validate: false });
		assertProblem(r, 404);
	}
	assertProblem(await call('GET', '/v1/events/999999999999.ics', { validate: false }), 404);
});

// One keep-alive connection, so its requests stay on the worker that
// accepted it; that worker is the prefix of the request ids it gives
// (api/src/http/dispatch.c: a random prefix per worker, then a counter).
function pinnedConnection() {
	const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
	const send = (method, path, { token, body } = {}) => new Promise((resolve, reject) => {
		const headers = { 'content-type': 'application/json' };
		if (token) headers.authorization = `Bearer ${token}`;
		const req = http.request(API + path, { method, agent, headers }, (res) => {
			let text = '';
			res.setEncoding('utf8');
			res.on('data', (c) => { text += c; });
			res.on('end', () => resolve({ status: res.statusCode, text,
			    worker: String(res.headers['x-request-id']).slice(0, 16) }));
		});
		req.on('error', reject);
		req.end(body === undefined ? undefined : JSON.stringify(body));
	});
	return { send, close: () => agent.destroy() };
}

test('a change made through one worker shows at once through the other worker', async () => {
	const m = await makeMember();
	const ev = await makeEvent(m);
	const path = `/v1/events/${ev.id}.ics`;
	// Connections until two of them are on different workers (the
	// workers share connections out evenly).
	const conns = [];
	let a, b;
	try {
		for (let i = 0; i < 16 && !b; i++) {
			const c = pinnedConnection();
			conns.push(c);
			c.worker = (await c.send('GET', path)).worker;
			a ??= c;
			if (c.worker !== a.worker) b = c;
		}
		assert.ok(b, 'no two connections on different workers');
		// Both workers keep the feed now.
		for (const c of [a, b]) {
			const r = await c.send('GET', path);
			assert.equal(r.worker, c.worker);
			assert.equal(parseIcs(r.text)[0].summary, ev.title);
		}
		// Without the shared counter the other worker learns of a change
		// only from PostgreSQL's notification, which often but not always
		// arrives before the next request: so several rounds.
		for (let i = 1; i <= 10; i++) {
			const p = await a.send('PATCH', `/v1/events/${ev.id}`,
			    { token: m.token, body: { title: `Renamed on one worker, ${i}` } });
			assert.equal(p.status, 200, p.text);
			const r = await b.send('GET', path);
			assert.equal(r.worker, b.worker);
			assert.equal(parseIcs(r.text)[0].summary, `Renamed on one worker, ${i}`);
		}
	} finally {
		for (const c of conns) c.close();
	}
});

test('strong ETag, 304 and Cache-Control: public, max-age=60 on every feed', async () => {
	const m = await makeMember();
	const org = await makeOrg(m);
	await makeEvent(m, { organization: org.slug });
	for (const path of ['/v1/events.ics', '/v1/events.rss', '/v1/events.json',
	    `/v1/organizations/${org.slug}/events.ics`, `/v1/organizations/${org.id}/events.rss`,
	    `/v1/organizations/${org.slug}/events.json`]) {
		const r = await get(path);
		assert.equal(r.status, 200, `${path}: ${r.text}`);
		assert.equal(r.headers.get('cache-control'), 'public, max-age=60', path);
		const etag = r.headers.get('etag');
		assert.match(etag, /^"[0-9a-f]{32}"$/);
		// Whichever worker answers, the same data gives the same bytes.
		for (let i = 0; i < 4; i++) {
			const again = await freshGet(path, { 'if-none-match': etag });
			assert.equal(again.status, 304, path);
			assert.equal(again.text, '');
			assert.equal(again.headers.etag, etag);
		}
		const head = await call('HEAD', path);
		assert.equal(head.status, 200);
		assert.equal(head.text, '');
		assert.equal(head.headers.get('etag'), etag);
	}
});

test('Last-Modified is the latest change of a feed\'s events; If-Modified-Since at or after it is 304', async () => {
	const m = await makeMember();
	const city = newCity();
	const a = await makeEvent(m, { city });
	const b = await makeEvent(m, { city, starts_at: at(72), ends_at: at(73) });
	// A change becomes a validator once it is a minute old (a write that
	// started earlier may still commit an earlier updated_at until then).
	await sql(`UPDATE events SET updated_at = CASE id WHEN $1
	    THEN now() - interval '10 minutes 0.25 seconds' ELSE now() - interval '20 minutes' END
	    WHERE id = ANY(ARRAY[$1, $2]::bigint[])`, [a.id, b.id]);
	const [{ t }] = await sql('SELECT max(updated_at) AS t FROM events WHERE id = ANY($1)',
	    [[a.id, b.id]]);
	const q = `?city=${encodeURIComponent(city)}`;
	const httpDate = (d) => new Date(Math.floor(d.getTime() / 1000) * 1000).toUTCString();
	for (const ext of ['ics', 'rss', 'json']) {
		const path = `/v1/events.${ext}${q}`;
		const r = await get(path);
		assert.equal(r.status, 200, r.text);
		const lm = r.headers.get('last-modified');
		assert.equal(lm, httpDate(t), path);
		// From the cache too, on either worker; at or after it: 304.
		for (let i = 0; i < 4; i++) {
			const again = await freshGet(path, { 'if-modified-since': lm });
			assert.equal(again.status, 304, path);
			assert.equal(again.text, '');
			assert.equal(again.headers['last-modified'], lm);
			assert.equal(again.headers.etag, r.headers.get('etag'));
		}
		const later = new Date(Date.parse(lm) + 3600000).toUTCString();
		assert.equal((await freshGet(path, { 'if-modified-since': later })).status, 304);
		const before = new Date(Date.parse(lm) - 1000).toUTCString();
		assert.equal((await freshGet(path, { 'if-modified-since': before })).status, 200);
		// If-None-Match decides when both are sent; a date not in IMF-fixdate is ignored.
		assert.equal((await freshGet(path, { 'if-modified-since': lm,
		    'if-none-match': '"0123456789abcdef0123456789abcdef"' })).status, 200);
		assert.equal((await freshGet(path, { 'if-none-match': r.headers.get('etag'),
		    'if-modified-since': before })).status, 304);
		assert.equal((await freshGet(path, { 'if-modified-since': 'yesterday' })).status, 200);
	}
	// An edit: too recent to be a validator, so no Last-Modified and the
	// old date no longer gets a 304; once it settles, the new date.
	const path = `/v1/events.json${q}`;
	const old = (await get(path)).headers.get('last-modified');
	const p = await patch(`/v1/events/${a.id}`, { title: 'Moved on' }, { token: m.token });
	assert.equal(p.status, 200, p.text);
	const now = await get(path, { headers: { 'if-modified-since': old } });
	assert.equal(now.status, 200);
	assert.equal(now.headers.get('last-modified'), null);
	const [{ t2 }] = await sql(`UPDATE events SET updated_at = now() - interval '2 minutes'
	    WHERE id = $1 RETURNING updated_at AS t2`, [a.id]);
	const settled = await get(`${path}&kind=meetup`, { headers: { 'if-modified-since': old } });
	assert.equal(settled.status, 200);
	assert.equal(settled.headers.get('last-modified'), httpDate(t2));
	// An empty feed and the personal calendar have none (the calendar also
	// changes with its owner's RSVPs): If-Modified-Since changes nothing.
	const far = { headers: { 'if-modified-since': 'Fri, 31 Dec 9999 23:59:59 GMT' } };
	const empty = await get(`/v1/events.ics?city=${encodeURIComponent(newCity())}`, far);
	assert.equal(empty.status, 200);
	assert.equal(empty.headers.get('last-modified'), null);
	assert.equal((await put(`/v1/events/${b.id}/rsvp`, { response: 'going' }, { token: m.token })).status,
	    200);
	const key = (await call('POST', '/v1/me/calendar-key', { token: m.token, rawBody: '' })).json.key;
	const cal = await get(`/v1/me/calendar.ics?key=${key}`, far);
	assert.equal(cal.status, 200);
	assert.equal(cal.headers.get('last-modified'), null);
});

// Poll a feed for up to 6.5 s after a change; every answer that comes more
// than 5 s after the change must show it.  Returns the lag (ms) after which
// every answer showed it.
async function pollUntilFresh(path, isFresh, changedAt) {
	let lastStale = -1;
	const samples = [];
	while (Date.now() - changedAt < 6500) {
		const r = await freshGet(path);
		const t = Date.now() - changedAt;
		assert.equal(r.status, 200, r.text);
		const fresh = isFresh(r.text);
		samples.push([t, fresh]);
		if (!fresh) lastStale = t;
		if (lastStale < 0 && samples.length >= 20) break;
		await new Promise((res) => setTimeout(res, 50));
	}
	const late = samples.filter(([t, f]) => t > 5000 && !f);
	assert.deepEqual(late, [], `stale answers more than 5 s after the change: ${JSON.stringify(samples)}`);
	return lastStale;
}

test('cache staleness: a change shows at once through the API, within 5 s from anywhere', async () => {
	const m = await makeMember();
	const city = newCity();
	const ev = await makeEvent(m, { city });
	const path = `/v1/events.json?city=${encodeURIComponent(city)}`;
	const titles = (text) => JSON.parse(text).items.map((i) => i.title);
	// Warm the caches.
	for (let i = 0; i < 10; i++) assert.deepEqual(titles((await freshGet(path)).text), [ev.title]);

	// Through the API: the worker that made the change empties its cache at
	// once and tells the others.
	const p = await patch(`/v1/events/${ev.id}`, { title: 'Changed through the API' }, { token: m.token });
	assert.equal(p.status, 200, p.text);
	const apiLag = await pollUntilFresh(path, (t) => titles(t)[0] === 'Changed through the API',
	    Date.now());
	assert.ok(apiLag < 1000, `a change through the API took ${apiLag} ms to show`);

	// A new event through the API.
	const ev2 = await makeEvent(m, { city, starts_at: at(72), ends_at: at(73) });
	await pollUntilFresh(path, (t) => titles(t).includes(ev2.title), Date.now());

	// Behind the API's back (psql, another API instance): the entries' 4 s
	// TTL bounds it.
	for (let i = 0; i < 5; i++) await freshGet(path);
	await sql(`UPDATE events SET title = 'Changed in SQL', updated_at = now() WHERE id = $1`, [ev.id]);
	const sqlLag = await pollUntilFresh(path, (t) => titles(t)[0] === 'Changed in SQL', Date.now());
	console.log(`# staleness: API write ${apiLag} ms, SQL write ${sqlLag} ms (-1: never stale)`);
});

// The access log lines of the requests whose ids are ids (flushed every
// 200 ms: polled until all are there).
async function accessLines(ids) {
	for (let i = 0; ; i++) {
		const log = await readFile(process.env.API_LOG, 'utf8');
		const lines = ids.map((id) => log.split('\n').find((l) => l.includes(`request_id=${id}`)));
		if (lines.every(Boolean)) return lines;
		assert.ok(i < 100, `access log lines missing for ${ids.filter((_, j) => !lines[j])}`);
		await new Promise((res) => setTimeout(res, 100));
	}
}

// Whether the API has connections it has not accepted, or bytes it has not
// read, on its port (/proc/net/tcp: rx_queue is the accept queue of a
// listening socket, the unread bytes of a connection).
function apiUnread() {
	const port = Number(new URL(API).port);
	return readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1).some((l) => {
		const f = l.trim().split(/\s+/);
		return f.length > 4 && parseInt(f[1].split(':')[1], 16) === port &&
		    parseInt(f[4].split(':')[1], 16) > 0;
	});
}

test('a feed nobody kept is queried once per worker, however many ask at once', async () => {
	// A key no worker keeps; the database holds every query of it (a lock
	// on events) until all the requests have been sent and one query waits.
	const path = `/v1/events.json?tag=flight-${uid()}`;
	const n = 40;
	const lock = await db.connect();
	const pending = [];
	try {
		await lock.query('BEGIN');
		await lock.query('LOCK TABLE events IN ACCESS EXCLUSIVE MODE');
		const sent = [];
		for (let i = 0; i < n; i++) {
			const id = `flight-${uid()}-${i}`;
			let done;
			sent.push(new Promise((res) => { done = res; }));
			pending.push(new Promise((resolve, reject) => {
				const req = http.request(`${API}${path}`, { agent: false,
				    headers: { 'x-request-id': id } }, (res) => {
					let body = '';
					res.setEncoding('utf8');
					res.on('data', (c) => { body += c; });
					res.on('end', () => resolve({ id, status: res.statusCode, body }));
				});
				req.on('error', reject);
				req.on('finish', done);
				req.end();
			}));
		}
		// Sent, then read by the workers: accepted (the listening socket's
		// queue is empty) and no unread bytes on any connection to the API.
		await Promise.all(sent);
		for (let i = 0; ; i++) {
			const [{ n: waiting }] = await sql(`SELECT count(*)::int AS n FROM pg_stat_activity
			    WHERE wait_event_type = 'Lock' AND query LIKE '%feed_events%'`);
			if (waiting > 0 && !apiUnread()) break;
			assert.ok(i < 200, `no feed query waited for the lock (${waiting}), or the API left requests unread`);
			await new Promise((res) => setTimeout(res, 25));
		}
	} finally {
		await lock.query('COMMIT').catch(() => {});
		lock.release();
	}
	const answers = await Promise.all(pending);
	for (const a of answers) assert.equal(a.status, 200, a.body);
	assert.equal(new Set(answers.map((a) => a.body)).size, 1, 'the answers differ');
	const lines = await accessLines(answers.map((a) => a.id));
	const misses = {};
	for (const l of lines) {
		const how = l.match(/ cache=(\w+)/)?.[1];
		assert.ok(['hit', 'wait', 'miss'].includes(how), l);
		if (how === 'miss') {
			const worker = l.match(/^\[wrk (\d+)\]/)[1];
			misses[worker] = (misses[worker] || 0) + 1;
		}
	}
	for (const [worker, count] of Object.entries(misses))
		assert.equal(count, 1, `worker ${worker} queried ${count} times: ${JSON.stringify(misses)}`);
	const waited = lines.filter((l) => l.includes(' cache=wait')).length;
	console.log(`# ${n} requests: ${JSON.stringify(misses)} queried, ${waited} waited, ${n - waited - Object.keys(misses).length} hit`);
});

test('per-organization feeds by id and slug', async () => {
	const admin = await makeMember();
	const org = await makeOrg(admin);
	const other = await makeOrg(admin);
	const e1 = await makeEvent(admin, { organization: org.slug });
	const e2 = await makeEvent(admin, { organization: org.id, starts_at: at(96), ends_at: at(97) });
	await makeEvent(admin, { organization: other.slug });
	await makeEvent(admin);

	for (const ref of [org.id, org.slug, org.slug.toUpperCase()]) {
		const feed = JSON.parse((await get(`/v1/organizations/${ref}/events.json`)).text);
		assert.deepEqual(feed.items.map((i) => idOf(i.id)), [e1.id, e2.id], String(ref));
		assert.equal(feed.title, `Interlibrary events: ${org.name}`);
		assert.match(feed.home_page_url, new RegExp(`/#/organizations/${org.slug}$`));
		const v = parseIcs((await get(`/v1/organizations/${ref}/events.ics`)).text);
		assert.deepEqual(v.map((x) => idOf(x.uid)), [e1.id, e2.id]);
		const { channel, items } = parseRss((await get(`/v1/organizations/${ref}/events.rss`)).text);
		assert.equal(channel.title, `Interlibrary events: ${org.name}`);
		assert.deepEqual(items.map((i) => idOf(i.guid['#text'])), [e1.id, e2.id]);
	}
	// A renamed organization shows at once on this worker.
	const r = await patch(`/v1/organizations/${org.id}`, { name: 'Renamed Library' }, { token: admin.token });
	assert.equal(r.status, 200, r.text);
	const feed = JSON.parse((await get(`/v1/organizations/${org.slug}/events.json`)).text);
	assert.equal(feed.title, 'Interlibrary events: Renamed Library');

	assertProblem(await get('/v1/organizations/no-such-library-here/events.ics'), 404);
	assertProblem(await get('/v1/organizations/999999999/events.json'), 404);
	assertProblem(await get(`/v1/organizations/${org.slug}/events.rss?organization=${other.slug}`), 400,
	    'organization');
});

test('bad feed parameters are 400 naming the parameter', async () => {
	const cases = [
		['/v1/events.ics?limit=5', 'limit'],
		['/v1/events.rss?cursor=abc', 'cursor'],
		['/v1/events.json?kind=party', 'kind'],
		['/v1/events.ics?from=yesterday', 'from'],
		['/v1/events.ics?from=2026-02-30T10:00:00Z', 'from'],
		[`/v1/events.json?from=${at(10)}&to=${at(5)}`, 'to'],
		['/v1/events.rss?organization=no-such-library-here', 'organization'],
		['/v1/events.json?q=%20%2B', 'q'],
		['/v1/events.json?city=a&city=b', 'city'],
	];
	for (const [path, field] of cases) assertProblem(await get(path), 400, field);
	const r = await call('POST', '/v1/events.ics', { rawBody: '', validate: false });
	assert.equal(r.status, 405);
	assert.match(r.headers.get('allow'), /GET/);
});

test('at most 500 items', async () => {
	const m = await makeMember();
	const city = newCity();
	await sql(`INSERT INTO events (title, kind, starts_at, ends_at, timezone, city, created_by)
	    SELECT 'Bulk ' || i, 'social', now() + make_interval(hours => i),
	        now() + make_interval(hours => i + 1), 'UTC', $1, $2
	    FROM generate_series(1, 510) i`, [city, m.id]);
	const feed = JSON.parse((await get(`/v1/events.json?city=${encodeURIComponent(city)}`)).text);
	assert.equal(feed.items.length, 500);
	assert.equal(feed.items[0].title, 'Bulk 1');
	assert.equal(feed.items[499].title, 'Bulk 500');
	const ics = (await get(`/v1/events.ics?city=${encodeURIComponent(city)}`)).text;
	assert.equal(parseIcs(ics).length, 500);
});

// Answers leave in one writev(2) of the whole send queue (api/src/http/
// sendq.c), which must resume exactly where the kernel stopped taking
// bytes: a feed of several MB is more than the socket buffers hold, so
// a client that has not started reading makes the API's write stop part
// way through, and again each time it catches up.
test('a feed larger than the socket buffers arrives whole, to a fast and to a slow reader', async () => {
	const m = await makeMember();
	const city = newCity();
	await sql(`INSERT INTO events (title, description, kind, starts_at, ends_at, timezone,
	        city, created_by)
	    SELECT 'Long ' || i, repeat('Zines, outreach and coffee ' || i || '. ', 200), 'social',
	        now() + make_interval(hours => i), now() + make_interval(hours => i + 1), 'UTC',
	        $1, $2
	    FROM generate_series(1, 500) i`, [city, m.id]);
	const path = `/v1/events.ics?city=${encodeURIComponent(city)}`;
	const fast = await freshGet(path);
	assert.equal(fast.status, 200);
	const size = Buffer.byteLength(fast.text);
	assert.ok(size > 3e6, `the feed is ${size} bytes`);
	assert.equal(Number(fast.headers['content-length']), size);

	const slow = await new Promise((resolve, reject) => {
		const sock = net.connect(new URL(API).port, '127.0.0.1');
		const chunks = [];
		sock.on('error', reject);
		sock.on('data', (c) => {
			chunks.push(c);
			sock.pause();		// a slow reader: a chunk at a time
			setImmediate(() => sock.resume());
		});
		sock.on('end', () => resolve(Buffer.concat(chunks)));
		sock.pause();			// not reading at first
		sock.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
		    () => setTimeout(() => sock.resume(), 300));
	});
	const split = slow.indexOf('\r\n\r\n');
	assert.match(slow.subarray(0, split).toString(), /^HTTP\/1\.1 200 /);
	assert.equal(slow.subarray(split + 4).toString(), fast.text);
	assert.equal(parseIcs(fast.text).length, 500);
});

test('personal calendar: create, use, rotate, revoke; the key is never stored or logged', async () => {
	const me = await makeMember();
	const host = await makeMember();
	const going = await makeEvent(host);
	const maybe = await makeEvent(host);
	const cancelled = await makeEvent(host);
	assert.equal((await put(`/v1/events/${going.id}/rsvp`, { response: 'going' }, { token: me.token })).status, 200);
	assert.equal((await put(`/v1/events/${maybe.id}/rsvp`, { response: 'maybe' }, { token: me.token })).status, 200);
	assert.equal((await put(`/v1/events/${cancelled.id}/rsvp`, { response: 'going' }, { token: me.token })).status, 200);
	assert.equal((await post(`/v1/events/${cancelled.id}/cancel`, {}, { token: host.token })).status, 200);

	assertProblem(await call('POST', '/v1/me/calendar-key', { rawBody: '' }), 401);
	const k1 = await call('POST', '/v1/me/calendar-key', { token: me.token, rawBody: '' });
	assert.equal(k1.status, 201, k1.text);
	assert.match(k1.json.key, /^[A-Za-z0-9_-]{43}$/);
	assert.equal(k1.json.url, `${API}/v1/me/calendar.ics?key=${k1.json.key}`);
	assert.equal(k1.json.webcal_url, `${API.replace(/^https?/, 'webcal')}/v1/me/calendar.ics?key=${k1.json.key}`);
	// Only a hash is stored.
	const rows = await sql('SELECT encode(key_hash, \'hex\') AS h FROM calendar_keys WHERE member_id = $1', [me.id]);
	assert.equal(rows.length, 1);
	assert.equal(rows[0].h.length, 64);
	assert.ok(!rows[0].h.includes(Buffer.from(k1.json.key, 'base64url').toString('hex')));

	const cal = await get(`/v1/me/calendar.ics?key=${k1.json.key}`);
	assert.equal(cal.status, 200, cal.text);
	// Calendar apps keep it and revalidate: private, no-cache, and a 304
	// for the ETag they hold (never with a token: then private, no-store).
	assert.equal(cal.headers.get('cache-control'), 'private, no-cache');
	const calTag = cal.headers.get('etag');
	assert.match(calTag, /^"[0-9a-f]{32}"$/);
	const same = await get(`/v1/me/calendar.ics?key=${k1.json.key}`,
	    { headers: { 'if-none-match': calTag } });
	assert.equal(same.status, 304);
	assert.equal(same.headers.get('etag'), calTag);
	assert.equal(same.headers.get('cache-control'), 'private, no-cache');
	assert.equal((await get(`/v1/me/calendar.ics?key=${k1.json.key}`, { token: me.token }))
	    .headers.get('cache-control'), 'private, no-store');
	const vs = parseIcs(cal.text);
	assert.deepEqual(vs.map((v) => idOf(v.uid)).sort((a, b) => a - b), [going.id, cancelled.id]);
	assert.equal(vs.find((v) => idOf(v.uid) === cancelled.id).status, 'CANCELLED');
	// Withdrawing takes the event out at once (the personal calendar is not cached).
	assert.equal((await del(`/v1/events/${going.id}/rsvp`, { token: me.token })).status, 204);
	const afterRes = await get(`/v1/me/calendar.ics?key=${k1.json.key}`,
	    { headers: { 'if-none-match': calTag } });
	assert.equal(afterRes.status, 200, 'a withdrawn RSVP changes the calendar');
	const after = parseIcs(afterRes.text);
	assert.deepEqual(after.map((v) => idOf(v.uid)), [cancelled.id]);

	// Rotate: the old key stops working at once.
	const k2 = await call('POST', '/v1/me/calendar-key', { token: me.token, rawBody: '' });
	assert.equal(k2.status, 201, k2.text);
	assert.notEqual(k2.json.key, k1.json.key);
	assertProblem(await get(`/v1/me/calendar.ics?key=${k1.json.key}`), 404);
	assert.equal((await get(`/v1/me/calendar.ics?key=${k2.json.key}`)).status, 200);

	// Revoke.
	assert.equal((await del('/v1/me/calendar-key', { token: me.token })).status, 204);
	assert.equal((await del('/v1/me/calendar-key', { token: me.token })).status, 204);
	assertProblem(await get(`/v1/me/calendar.ics?key=${k2.json.key}`), 404);
	assert.equal((await sql('SELECT 1 FROM calendar_keys WHERE member_id = $1', [me.id])).length, 0);

	// Bad keys.
	assertProblem(await get('/v1/me/calendar.ics'), 400, 'key');
	assertProblem(await get('/v1/me/calendar.ics?key=short'), 400, 'key');
	assertProblem(await get(`/v1/me/calendar.ics?key=${'*'.repeat(43)}`), 400, 'key');

	// The access log prints paths only: no key ever appears in it.
	if (process.env.API_LOG) {
		await new Promise((res) => setTimeout(res, 300));
		const log = await readFile(process.env.API_LOG, 'utf8');
		assert.match(log, /path=\/v1\/me\/calendar\.ics status=200/);
		for (const k of [k1.json.key, k2.json.key]) assert.ok(!log.includes(k), 'a calendar key reached the log');
	}
});
