// Self-check of contract.mjs: hand-made responses, one right and several
// wrong, must be judged correctly.   node --test api/contract.selfcheck.mjs

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { listOperations, loadContract, validateResponse } from './contract.mjs';

const contract = await loadContract(new URL('../../openapi.yaml', import.meta.url));

const JSON_HEADERS = {
  'Content-Type': 'application/json; charset=utf-8',
  'X-Request-Id': '0123456789abcdef0123456789abcdef',
  'Cache-Control': 'private, no-store',
};
const PROBLEM_HEADERS = { ...JSON_HEADERS, 'Content-Type': 'application/problem+json' };

const membership = () => ({
  member: { id: 3, display_name: 'Cat Cataloguer' },
  role: 'member',
  status: 'active',
  created_at: '2026-03-01T18:30:00Z',
});
const PATH = '/v1/organizations/central-library/members/3';

function check(body, { status = 200, headers = JSON_HEADERS, method = 'PATCH', path = PATH } = {}) {
  return validateResponse(contract, method, path, status, headers,
    typeof body === 'string' ? body : JSON.stringify(body));
}

function assertCaught(problems, pattern) {
  assert.ok(problems.length > 0, 'the validator accepted a wrong response');
  assert.ok(problems.some((p) => pattern.test(p)), `no problem matches ${pattern}: ${problems.join(' | ')}`);
}

test('a correct response passes', () => {
  assert.deepEqual(check(membership()), []);
});

test('the query string is ignored and ids in paths match templates', () => {
  const org = {
    id: 1, slug: 'central-library', name: 'Central Library', kind: 'public_library',
    city: 'Springfield', website: null, description: null, archived: false,
    member_count: 2, membership: null,
    created_at: '2026-03-01T18:30:00Z', updated_at: '2026-03-01T18:30:00Z',
  };
  const headers = { ...JSON_HEADERS, ETag: '"0123456789abcdef0123456789abcdef"', 'Cache-Control': 'no-cache' };
  assert.deepEqual(check({ data: [org], next_cursor: null },
    { method: 'GET', path: '/v1/organizations?limit=1&kind=other', headers }), []);
  assert.deepEqual(check(org, { method: 'GET', path: '/v1/organizations/1', headers }), []);
});

test('an additional property is caught', () => {
  assertCaught(check({ ...membership(), secret: 'x' }), /additional properties.*"secret"/);
  const nested = membership();
  nested.member.email = 'cat@example.org';
  assertCaught(check(nested), /\/member must NOT have additional properties/);
});

test('a missing required property is caught', () => {
  const body = membership();
  delete body.role;
  assertCaught(check(body), /must have required property 'role'/);
});

test('a wrong type or value is caught', () => {
  assertCaught(check({ ...membership(), member: { id: '3', display_name: 'Cat' } }), /\/member\/id must be integer/);
  assertCaught(check({ ...membership(), status: 'invited' }), /\/status must be equal to one of the allowed values/);
  assertCaught(check({ ...membership(), created_at: '2026-03-01 18:30' }), /\/created_at must/);
});

test('an undocumented status code is caught', () => {
  assertCaught(check(membership(), { status: 418 }), /status 418 is not documented/);
  assertCaught(check(membership(), { status: 202 }), /status 202 is not documented/);
});

test('an undocumented path or method is caught', () => {
  assertCaught(check(membership(), { path: '/v1/nowhere' }), /path is not documented/);
  assertCaught(check(membership(), { method: 'PUT' }), /PUT is not documented/);
});

test('a wrong content type is caught', () => {
  assertCaught(check(membership(), { headers: { ...JSON_HEADERS, 'Content-Type': 'text/html' } }), /Content-Type text\/html is not documented/);
  assertCaught(check(membership(), { headers: { ...JSON_HEADERS, 'Content-Type': 'application/json' } }), /charset=utf-8/);
  const problem = {
    type: 'https://interlibrary.example/problems/not_found', title: 'Not Found',
    status: 404, detail: 'no such organization', code: 'not_found', errors: [],
  };
  assert.deepEqual(check(problem, { status: 404, headers: PROBLEM_HEADERS }), []);
  assertCaught(check(problem, { status: 404 }), /application\/json; charset=utf-8 is not documented/);
});

test('a body that is not JSON is caught', () => {
  assertCaught(check('{"member":'), /not JSON/);
});

test('204 and 304 must have empty bodies', () => {
  const del = { method: 'DELETE' };
  assert.deepEqual(check('', { ...del, status: 204 }), []);
  assertCaught(check('{}', { ...del, status: 204 }), /body must be empty/);
  const get = { method: 'GET', path: '/v1/me', headers: { ...JSON_HEADERS, ETag: '"0123456789abcdef0123456789abcdef"' } };
  assert.deepEqual(check('', { ...get, status: 304 }), []);
  assertCaught(check('{}', { ...get, status: 304 }), /body must be empty/);
});

test('a required header that is missing or malformed is caught', () => {
  const { 'X-Request-Id': _, ...noId } = JSON_HEADERS;
  assertCaught(check(membership(), { headers: noId }), /header X-Request-Id is missing/);
  assertCaught(check(membership(), { headers: { ...JSON_HEADERS, 'Cache-Control': 'public' } }), /header Cache-Control/);
});

test('a literal path segment beats a template', () => {
  assert.deepEqual(check('', { method: 'DELETE', path: '/v1/sessions/current', status: 204 }), []);
  assertCaught(check('', { method: 'DELETE', path: '/v1/sessions/current', status: 200 }), /DELETE \/v1\/sessions\/current/);
});

test('listOperations lists every operation once', () => {
  const ops = listOperations(contract);
  const keys = ops.map((o) => `${o.method} ${o.path}`);
  assert.equal(new Set(keys).size, keys.length);
  assert.ok(keys.includes('GET /healthz'));
  assert.ok(keys.includes('PATCH /v1/organizations/{org}/members/{member_id}'));
  assert.ok(ops.every((o) => typeof o.operationId === 'string'));
});
