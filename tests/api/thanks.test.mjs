// Thanks and celebration: the link a thanker must have to what they
// name (event, mentorship, collaboration), consent (private until the
// recipient shows it; in the community activity only with both), the
// recipient's list and the profile, blocks; milestones computed from real
// data and on the profile only when the member opts in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { get, post, patch, sql, uid, makeMember, assertProblem } from './lib.mjs';
import { pastEvent, upcomingEvent, going, sameOrg, mentorshipPair, collabPartners, block } from './relations.mjs';

const as = (who) => ({ token: who.token });
const thank = (from, to, body) => post(`/v1/members/${to.id}/thanks`, body, as(from));

test('a thank-you needs a real link to what it names', async () => {
	const a = await makeMember({ invitations: 'nobody' });
	const b = await makeMember({ invitations: 'nobody' });
	const stranger = await makeMember();
	// Event: both took part, it has started.
	const ev = await pastEvent(stranger, [a, b], { title: `Harbour social ${uid()}` });
	let r = await thank(a, b, { text: 'Thanks for the snacks!', event_id: ev });
	assert.equal(r.status, 201, r.text);
	assert.equal(r.headers.get('location'), `${process.env.API_URL}/v1/thanks/${r.json.id}`);
	assert.deepEqual(r.json.about, { type: 'event', id: ev, title: (await sql('SELECT title FROM events WHERE id = $1', [ev]))[0].title });
	assert.deepEqual(r.json.sharing, { from: false, to: false, public: false });
	assert.equal(r.json.from.id, a.id);
	assert.equal(r.json.to.id, b.id);
	// The organizer of an event may thank those who took part, and back.
	assert.equal((await thank(stranger, b, { text: 'Thanks for coming', event_id: ev })).status, 201);
	// Not there: not linked.
	const other = await pastEvent(stranger, [a]);
	r = await thank(a, b, { text: 'Thanks', event_id: other });
	assertProblem(r, 403, 'event_id');
	assert.equal(r.json.code, 'not_linked');
	// An event that has not started yet.
	const soon = await upcomingEvent(stranger);
	await going(soon, a);
	await going(soon, b);
	assertProblem(await thank(a, b, { text: 'Thanks', event_id: soon.id }), 403, 'event_id');
	assertProblem(await thank(a, b, { text: 'Thanks', event_id: 999999999999 }), 403, 'event_id');
	// Mentorship: the two parties, accepted or completed.
	const ms = await mentorshipPair(a, b);
	r = await thank(b, a, { text: 'Thank you for mentoring me', mentorship_id: ms.id });
	assert.equal(r.status, 201, r.text);
	assert.equal(r.json.about.type, 'mentorship');
	assertProblem(await thank(stranger, a, { text: 'x', mentorship_id: ms.id }), 403, 'mentorship_id');
	// Collaboration: both approved participants.
	const c = await collabPartners(a, b);
	assert.equal((await thank(a, b, { text: 'Great work', collaboration_id: c.id })).status, 201);
	assertProblem(await thank(stranger, b, { text: 'x', collaboration_id: c.id }), 403, 'collaboration_id');
	// At most one thing, some text, not oneself.
	assertProblem(await thank(a, b, { text: 'x', event_id: ev, collaboration_id: c.id }), 400, 'collaboration_id');
	assertProblem(await thank(a, b, { text: '  ' }), 400, 'text');
	assertProblem(await thank(a, b, { text: 'x'.repeat(1001), event_id: ev }), 400, 'text');
	assertProblem(await thank(a, a, { text: 'me' }), 400, 'id');
	assertProblem(await thank(a, { id: 999999999999 }, { text: 'x' }), 404);
	// Naming nothing follows the recipient's consent to messages: b accepts
	// nobody, but they work together.
	assert.equal((await thank(a, b, { text: 'Just thanks' })).status, 201);
	r = await thank(stranger, a, { text: 'Thanks, stranger' });
	assertProblem(r, 403);
	assert.equal(r.json.code, 'not_accepting');
	const colleague = await makeMember();
	await sameOrg(colleague, stranger);
	await sql("UPDATE members SET invitations = 'organizations' WHERE id = $1", [stranger.id]);
	assert.equal((await thank(colleague, stranger, { text: 'Thanks, colleague' })).status, 201);
	// A block refuses every thank-you, links or not.
	await block(b, a);
	r = await thank(a, b, { text: 'Thanks again', event_id: ev });
	assertProblem(r, 403);
	assert.equal(r.json.code, 'not_accepting');
	assertProblem(await thank(b, a, { text: 'x', mentorship_id: ms.id }), 403);
	// The recipient is notified.
	const notes = (await get('/v1/me/notifications?limit=100', as(b))).json.data
	    .filter((n) => n.type === 'thanks_received');
	assert.ok(notes.length >= 3);
	assert.ok(notes.every((n) => n.subject.type === 'thanks'));
});

test('consent: private until shown; public on the profile; in the activity only with both', async () => {
	const a = await makeMember({ visibility_about: 'public' });
	const b = await makeMember({ visibility_about: 'public' });
	const third = await makeMember();
	const ev = await pastEvent(a, [a, b], { title: `Zine fair ${uid()}` });
	const text = `Thank you for the zines ${uid()}`;
	let r = await thank(a, b, { text, event_id: ev, share_publicly: true });
	assert.equal(r.status, 201, r.text);
	const t = r.json;
	assert.deepEqual(t.sharing, { from: true, to: false, public: false });
	const inActivity = async () => (await get('/v1/activity?limit=100')).json.data
	    .some((x) => x.kind === 'thanks' && x.id === `thanks:${t.id}`);
	const onProfile = async (who) => {
		const p = await get(`/v1/members/${b.id}`, who ? as(who) : {});
		return (p.json.thanks || []).some((x) => x.id === t.id);
	};
	// Private: only the two (and site admins) see it.
	assert.equal(await onProfile(third), false);
	assert.equal(await inActivity(), false);
	assertProblem(await get(`/v1/thanks/${t.id}`, as(third)), 404);
	assert.equal((await get(`/v1/thanks/${t.id}`, as(a))).status, 200);
	r = await get('/v1/me/thanks', as(b));
	assert.deepEqual(r.json.data.map((x) => x.id), [t.id]);
	r = await get('/v1/me/thanks?role=given', as(a));
	assert.deepEqual(r.json.data.map((x) => x.id), [t.id]);
	assertProblem(await get('/v1/me/thanks?role=sent', as(a)), 400, 'role');
	// The recipient shows it: on the profile, and (the thanker agreed) in the activity.
	r = await patch(`/v1/thanks/${t.id}`, { share_publicly: true }, as(b));
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json.sharing, { from: true, to: true, public: true });
	assert.equal(await onProfile(third), true);
	assert.equal(await onProfile(null), true, 'about is public: anonymous readers see it');
	assert.equal((await get(`/v1/thanks/${t.id}`, as(third))).status, 200);
	r = await get(`/v1/members/${b.id}/thanks`);
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json.data.map((x) => x.id), [t.id]);
	const item = (await get('/v1/activity?limit=100')).json.data.find((x) => x.id === `thanks:${t.id}`);
	assert.ok(item, 'in the activity');
	assert.equal(item.text, text);
	assert.deepEqual(item.subject, { type: 'member', id: b.id });
	assert.match(item.title, /^Thanks for Zine fair/);
	assert.deepEqual(item.members.map((m) => m.id), [a.id, b.id]);
	assert.ok((await get('/v1/activity.rss')).text.includes(text));
	// The thanker takes their consent back: off the activity, still on the profile.
	r = await patch(`/v1/thanks/${t.id}`, { share_publicly: false }, as(a));
	assert.deepEqual(r.json.sharing, { from: false, to: true, public: false });
	assert.equal(await inActivity(), false);
	assert.equal(await onProfile(third), true);
	// A third member cannot change it; nobody can patch what the API shows.
	assertProblem(await patch(`/v1/thanks/${t.id}`, { share_publicly: false }, as(third)), 403);
	assertProblem(await patch(`/v1/thanks/${t.id}`, { text: 'edited' }, as(a)), 400, 'text');
	// The recipient hides it again.
	await patch(`/v1/thanks/${t.id}`, { share_publicly: false }, as(b));
	assert.equal(await onProfile(third), false);
	// Private profiles show no celebrations.
	await sql("UPDATE members SET visibility_about = 'private' WHERE id = $1", [b.id]);
	await patch(`/v1/thanks/${t.id}`, { share_publicly: true }, as(b));
	assert.equal(await onProfile(third), false);
	assertProblem(await get(`/v1/members/${b.id}/thanks`, as(third)), 404);
	assert.equal(await onProfile(b), true, 'the member sees their own');
});

test('milestones: computed from real data, on the profile only when opted in', async () => {
	const m = await makeMember({ visibility_about: 'members' });
	const viewer = await makeMember();
	const host = await makeMember();
	// Joined three years ago; hosted an event; went to 10 events; a mentorship
	// and a collaboration completed.
	await sql("UPDATE members SET created_at = now() - interval '3 years 2 days' WHERE id = $1", [m.id]);
	await pastEvent(m, [m], { agoHours: 500 });
	for (let i = 0; i < 9; i++) await pastEvent(host, [m], { agoHours: 100 + i });
	const mentee = await makeMember();
	await mentorshipPair(m, mentee, { complete: true });
	const c = await collabPartners(host, m);
	for (const status of ['seeking_partners', 'active', 'completed']) {
		const r = await patch(`/v1/collaborations/${c.id}`, { status }, as(host));
		assert.equal(r.status, 200, r.text);
	}
	let r = await get('/v1/me/milestones', as(m));
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.show_on_profile, false);
	const kinds = r.json.milestones.map((x) => x.kind);
	assert.deepEqual([...kinds].sort(), ['collaboration_completed', 'events_attended',
	    'first_event_hosted', 'mentorship_completed', 'years_in_community']);
	const years = r.json.milestones.find((x) => x.kind === 'years_in_community');
	assert.equal(years.years, 3);
	assert.equal(years.text, '3 years in the community');
	// Oldest first.
	const ats = r.json.milestones.map((x) => x.at);
	assert.deepEqual(ats, [...ats].sort());
	// Not shown until opted in.
	assert.equal('milestones' in (await get(`/v1/members/${m.id}`, as(viewer))).json, false);
	r = await patch('/v1/me/milestones', { show_on_profile: true }, as(m));
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.show_on_profile, true);
	let p = (await get(`/v1/members/${m.id}`, as(viewer))).json;
	assert.deepEqual(p.milestones.map((x) => x.kind).sort(), [...kinds].sort());
	// Never a count of others, a rank or points: only the member's own facts.
	for (const x of p.milestones) assert.deepEqual(Object.keys(x).filter((k) => !['kind', 'at', 'text', 'years'].includes(k)), []);
	// Anonymous readers do not see a members-only profile's celebrations.
	assert.equal('milestones' in ((await get(`/v1/members/${m.id}`)).json || {}), false);
	await patch('/v1/me/milestones', { show_on_profile: false }, as(m));
	p = (await get(`/v1/members/${m.id}`, as(viewer))).json;
	assert.equal('milestones' in p, false);
	assertProblem(await patch('/v1/me/milestones', { milestones: [] }, as(m)), 400, 'milestones');
	// A newcomer has none: nothing to compare, nothing shown as missing.
	const newcomer = await makeMember();
	r = await get('/v1/me/milestones', as(newcomer));
	assert.deepEqual(r.json.milestones, []);
	// Ten events, not nine.
	const nine = await makeMember();
	for (let i = 0; i < 9; i++) await pastEvent(host, [nine], { agoHours: 200 + i });
	r = await get('/v1/me/milestones', as(nine));
	assert.deepEqual(r.json.milestones, []);
});
