#!/usr/bin/env bash
# Several nodes (README: Running on several machines): req/s of the public
# list (anonymous GET /v1/events?limit=20) through the balancer with one
# API node and with two, and how long a change made through node A takes
# to reach node B's feed (p50/p99 over ROUNDS changes).  The stack is
# tests/cluster/cluster.sh's: a streaming replica, two nodes, nginx.  On
# two shared cores the gain of a second node is bounded; the figure is for
# the record.
#
#   bash bench/cluster.sh          (DURATION=10 CONNS=64 ROUNDS=50 by default)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ROUNDS=${ROUNDS:-50}
bench_start
. "$top/scripts/node-toolchain.sh"
node_toolchain_path

psql "$DATABASE_URL" -X -q -v ON_ERROR_STOP=1 <<SQL >/dev/null
INSERT INTO members (email, password_hash, display_name)
VALUES ('bench-cluster@example.org', 'x', 'Bench Organizer');
INSERT INTO events (title, description, kind, tags, starts_at, ends_at, timezone,
    venue, city, created_by)
SELECT 'Cluster event number ' || i, repeat('Librarians meet. ', 8),
    (ARRAY['social','meetup','training','tour'])[1 + i % 4], ARRAY['zines'],
    now() + make_interval(days => i), now() + make_interval(days => i, hours => 2),
    'America/Chicago', 'Main Branch', 'Springfield',
    (SELECT id FROM members WHERE email = 'bench-cluster@example.org')
FROM generate_series(1, 40) i;
SQL

# The single API of bench_start is not needed beside the cluster.
kill -TERM "$API_PID" 2>/dev/null || true
export PG_DIR="$BENCH_DIR/pg" PG_PORT
cluster_stop() {
	set +e
	bash "$top/tests/cluster/cluster.sh" stop "$BENCH_DIR/cluster" >/dev/null 2>&1
	bench_cleanup
}
trap cluster_stop EXIT
bash "$top/tests/cluster/cluster.sh" start "$BENCH_DIR/cluster" >"$BENCH_DIR/cluster.log" 2>&1 ||
    { tail -20 "$BENCH_DIR/cluster.log" >&2; exit 1; }
set -a
. "$BENCH_DIR/cluster/env"
set +a

echo "cluster: the public list through the balancer (DURATION=${DURATION}s, ${CONNS:-64} connections)"
wrk_run "two nodes" "$CLUSTER_URL/v1/events?limit=20"
two=$RPS
bash "$top/tests/cluster/cluster.sh" node-stop "$BENCH_DIR/cluster" b
curl -fs -o /dev/null "$CLUSTER_URL/v1/events?limit=20"
wrk_run "one node (b stopped)" "$CLUSTER_URL/v1/events?limit=20"
one=$RPS
bash "$top/tests/cluster/cluster.sh" node-start "$BENCH_DIR/cluster" b >/dev/null
echo "two nodes / one node: $(ratio "$two" "$one")x"

# The delay: a write through node A, then node B's feed polled every 5 ms.
token=$(node -e '
const c = require("crypto");
const raw = c.randomBytes(32);
console.log(raw.toString("base64url") + " " + raw.toString("hex"));')
tok=${token% *}
hash=$(cd "$top/tests" && node -e '
const s = require("libsodium-wrappers");
s.ready.then(() => console.log(Buffer.from(s.crypto_generichash(32,
    Buffer.from(process.argv[1], "hex"))).toString("hex")));' "${token#* }")
psql "$DATABASE_URL" -X -q -v ON_ERROR_STOP=1 -c "INSERT INTO sessions (member_id,
    token_hash, kind, expires_at) SELECT id, '\\x$hash', 'session', now() + interval '1 hour'
    FROM members WHERE email = 'bench-cluster@example.org'" >/dev/null
NODE_A_URL=$NODE_A_URL NODE_B_URL=$NODE_B_URL TOKEN=$tok ROUNDS=$ROUNDS node --input-type=module -e '
const { NODE_A_URL: A, NODE_B_URL: B, TOKEN, ROUNDS } = process.env;
const h = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };
const word = `bench${Date.now()}`;
const at = (d) => new Date(Date.now() + d * 3600e3).toISOString().replace(/\.\d+Z$/, "Z");
const c = await fetch(`${A}/v1/events`, { method: "POST", headers: h, body: JSON.stringify({
    title: `${word} 0`, kind: "meetup", starts_at: at(30), ends_at: at(31), timezone: "UTC" }) });
if (c.status !== 201) throw new Error(`create: ${c.status} ${await c.text()}`);
const ev = await c.json();
const feed = `${B}/v1/events.json?q=${word}`;
const delays = [];
for (let i = 1; i <= Number(ROUNDS); i++) {
	for (let k = 0; k < 4; k++) await (await fetch(feed)).text();
	const title = `${word} ${i}`;
	const r = await fetch(`${A}/v1/events/${ev.id}`, { method: "PATCH", headers: h,
	    body: JSON.stringify({ title }) });
	if (r.status !== 200) throw new Error(`patch: ${r.status}`);
	const t0 = performance.now();
	for (;;) {
		if ((await (await fetch(feed)).text()).includes(`"${title}"`)) break;
		if (performance.now() - t0 > 10000) throw new Error("not seen in 10 s");
		await new Promise((res) => setTimeout(res, 5));
	}
	delays.push(performance.now() - t0);
}
delays.sort((a, b) => a - b);
const q = (p) => delays[Math.min(delays.length - 1, Math.floor(p * delays.length))].toFixed(1);
console.log(`invalidation: a change through node A in node B\x27s feed after p50 ${q(0.5)} ms, ` +
    `p99 ${q(0.99)} ms, max ${delays.at(-1).toFixed(1)} ms (${delays.length} changes)`);
'
