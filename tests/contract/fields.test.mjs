// The C field tables and openapi.yaml say the same thing, field by field.
//
// The API validates query strings and request bodies against the field
// tables of api/src (http/routes.c and resources/*.c); openapi.yaml
// documents the same rules for clients (and frontend/lib/limits.js is
// generated from it).  This test builds api/build/routes.json with
// `make -C api dump-routes` (tests/unit/dump_routes.c prints the route
// table and every field table) and compares, for every route:
//
//  - that openapi.yaml has the operation, and that every operation of
//    openapi.yaml has a route;
//  - its query parameters: names, type, integer minimum/maximum, string
//    minLength/maxLength, enum values, required, the default `limit`;
//  - its request body: whether it has one (a route that takes any body,
//    EP_ANY_BODY, has an optional one of any type), whether it is required
//    (EP_JSON_BODY), whether it takes application/merge-patch+json, and
//    each property, nested objects and arrays of objects included: type,
//    minLength/maxLength or minimum/maximum, format (email, date-time)
//    or pattern (URL, decimal), enum values, required, nullable
//    (`type: [string, 'null']` or a `oneOf` with `type: 'null'`),
//    readOnly (FF_READONLY), writeOnly (FT_SECRET), array
//    minItems/maxItems and item lengths; a property on one side only is
//    an unknown field; an object schema that lets other properties
//    through is a difference too (the API refuses unknown fields).
//
// A read-only property is refused whatever its value, so only its name
// and readOnly are compared.  In a merge patch (PATCH) nothing is
// required; in an array of objects the items' required fields apply.
//
// Run: cd tests && node --test contract/fields.test.mjs

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import YAML from 'yaml';

const here = path.dirname(fileURLToPath(import.meta.url));
const top = path.resolve(here, '../..');
const ID_MAX = 999999999999999999n;
const ITEM_MAX_DEFAULT = 64;	/* FT_STRINGS items when item_max is 0 */
const LIMIT_DEFAULT = 20;	/* input_parse_query() */
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/*
 * Routes whose path openapi.yaml writes differently: the router matches
 * a whole segment and the start checks the ".ics" suffix.
 */
const PATH_ALIASES = { '/v1/events/{event_ics}': '/v1/events/{id}.ics' };

/* Integers as BigInt: 999999999999999999 is beyond 2^53. */
const doc = YAML.parse(readFileSync(path.join(top, 'openapi.yaml'), 'utf8'),
  { intAsBigInt: true });

function dumpRoutes() {
  execFileSync('make', ['-s', '--no-print-directory', '-C',
    path.join(top, 'api'), 'dump-routes'], { stdio: ['ignore', 'ignore', 'inherit'] });
  // min and max as BigInt: quoted before parsing, or 18 nines would round.
  const text = readFileSync(path.join(top, 'api/build/routes.json'), 'utf8')
    .replace(/"(min|max)": (-?[0-9]+)/g, '"$1": "$2"');
  return JSON.parse(text, (k, v) => (k === 'min' || k === 'max' ? BigInt(v) : v));
}

function deref(obj) {
  const seen = new Set();
  while (obj && typeof obj.$ref === 'string') {
    if (seen.has(obj.$ref)) throw new Error(`$ref loop at ${obj.$ref}`);
    seen.add(obj.$ref);
    const { $ref, ...rest } = obj;
    let v = doc;
    for (const key of $ref.replace(/^#\//, '').split('/')) {
      v = v?.[key.replaceAll('~1', '/').replaceAll('~0', '~')];
    }
    if (v === undefined) throw new Error(`$ref ${$ref} does not resolve`);
    // A $ref with siblings: both apply, as with allOf.
    obj = Object.keys(rest).length ? { allOf: [v, rest] } : v;
  }
  return obj;
}

const big = (v) => (v === undefined ? undefined : BigInt(v));

/*
 * One schema as a flat shape: { types (Set), minLength, maxLength,
 * minimum, maximum, minItems, maxItems, format, pattern, enum, readOnly,
 * writeOnly, default, items, properties, required (Set), closed,
 * variants (the non-null branches of a oneOf with more than one) }.
 * allOf parts and $ref siblings are merged; a oneOf with one non-null
 * branch is that branch, nullable.
 */
function shape(schema) {
  schema = deref(schema ?? {});
  let s = { required: new Set(), properties: {} };
  const parts = [];
  const own = { ...schema };
  delete own.allOf;
  delete own.oneOf;
  delete own.anyOf;
  parts.push(own);
  for (const p of schema.allOf ?? []) parts.push(shape(p));
  const branches = schema.oneOf ?? schema.anyOf;
  if (branches) {
    const shapes = branches.map(shape);
    const nonNull = shapes.filter((b) => !(b.types?.size === 1 && b.types.has('null')));
    const nullable = nonNull.length < shapes.length;
    if (nonNull.length === 1) {
      const b = { ...nonNull[0] };
      if (nullable && b.types) b.types = new Set([...b.types, 'null']);
      parts.push(b);
    } else {
      parts.push({ variants: nonNull, types: nullable ? new Set(['null']) : undefined,
        nullableOnly: nullable });
    }
  }
  for (const p of parts) s = merge(s, norm(p));
  return s;
}

/* The keywords of one schema object (already a shape, or raw). */
function norm(p) {
  if (p.required instanceof Set) return p;
  const out = { ...p };
  if (typeof p.type === 'string') out.types = new Set([p.type]);
  else if (Array.isArray(p.type)) out.types = new Set(p.type);
  delete out.type;
  if (!out.types && Array.isArray(p.enum)) {
    out.types = new Set(p.enum.map((v) => (v === null ? 'null' : typeof v)));
  }
  out.required = new Set(p.required ?? []);
  out.properties = {};
  for (const [k, v] of Object.entries(p.properties ?? {})) out.properties[k] = shape(v);
  if (p.items) out.items = shape(p.items);
  for (const k of ['minLength', 'maxLength', 'minimum', 'maximum', 'minItems', 'maxItems']) {
    if (p[k] !== undefined) out[k] = big(p[k]);
  }
  out.closed = p.additionalProperties === false || p.unevaluatedProperties === false;
  return out;
}

function merge(a, b) {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) {
    if (v === undefined) continue;
    if (k === 'types') {
      if (b.nullableOnly && a.types) out.types = new Set([...a.types, 'null']);
      else out.types = a.types && !b.nullableOnly
        ? new Set([...a.types].filter((t) => v.has(t))) : v;
    } else if (k === 'required') {
      out.required = new Set([...a.required, ...v]);
    } else if (k === 'properties') {
      out.properties = { ...a.properties };
      for (const [pk, pv] of Object.entries(v)) {
        out.properties[pk] = out.properties[pk] ? merge(out.properties[pk], pv) : pv;
      }
    } else if (k === 'items') {
      out.items = a.items ? merge(a.items, v) : v;
    } else if (k === 'closed') {
      out.closed = a.closed || v;
    } else {
      out[k] = v;
    }
  }
  return out;
}

const nonNullTypes = (s) => [...(s.types ?? [])].filter((t) => t !== 'null').sort();
const sameSet = (a, b) => a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');

/* What kind of string openapi describes: the C type it should be. */
function stringKind(s) {
  if (s.format === 'email') return 'email';
  if (s.format === 'date-time') return 'time';
  if (typeof s.pattern === 'string' && s.pattern.startsWith('^https?://')) return 'url';
  if (typeof s.pattern === 'string' && s.pattern.includes('[0-9]{1,10}(\\.[0-9]{1,2})?')) {
    return 'decimal';
  }
  return 'text';
}

function lengths(problems, where, s, min, max, what = 'Length') {
  const lo = s[`min${what}`] ?? 0n;
  if (lo !== min) problems.push(`${where}: C min ${min}, openapi min${what} ${lo}`);
  if (s[`max${what}`] !== max) {
    problems.push(`${where}: C max ${max}, openapi max${what} ${s[`max${what}`]}`);
  }
}

function expectTypes(problems, where, s, want) {
  const got = nonNullTypes(s);
  if (got.join() !== want) {
    problems.push(`${where}: C wants type ${want}, openapi has ${got.join() || 'none'}`);
    return false;
  }
  return true;
}

/*
 * Compare one C field with its openapi shape.  ctx: { body, patch }
 * (body: a request body property, patch: inside a merge patch).
 */
function compareField(problems, where, f, s, ctx) {
  const readonly = f.flags.includes('readonly');
  if (readonly !== (s.readOnly === true)) {
    problems.push(`${where}: C ${readonly ? 'read-only' : 'writable'}, openapi ${
      s.readOnly ? 'readOnly' : 'writable'}`);
  }
  if (readonly) return;
  const nullable = f.flags.includes('nullable');
  const oaNullable = s.types?.has('null') ?? false;
  if (nullable !== oaNullable) {
    problems.push(`${where}: C ${nullable ? 'nullable' : 'not nullable'}, openapi ${
      oaNullable ? 'nullable' : 'not nullable'}`);
  }
  if (ctx.body && (f.type === 'secret') !== (s.writeOnly === true)) {
    problems.push(`${where}: C ${f.type}, openapi writeOnly ${s.writeOnly === true}`);
  }
  switch (f.type) {
    case 'string': case 'secret': case 'email': case 'url': case 'time': case 'decimal': {
      if (!expectTypes(problems, where, s, 'string')) return;
      const kind = stringKind(s);
      const want = f.type === 'secret' ? 'text' : f.type === 'string' ? 'text' : f.type;
      if (kind !== want) problems.push(`${where}: C ${f.type}, openapi a ${kind} string`);
      if (s.enum) problems.push(`${where}: C ${f.type}, openapi an enum`);
      lengths(problems, where, s, f.min, f.max);
      return;
    }
    case 'enum': {
      if (!expectTypes(problems, where, s, 'string')) return;
      const values = (s.enum ?? []).filter((v) => v !== null);
      if (!sameSet(values, f.values)) {
        problems.push(`${where}: C values [${f.values}], openapi enum [${values}]`);
      }
      for (const v of f.values) {
        const n = BigInt([...v].length);
        if (n < f.min || n > f.max) {
          problems.push(`${where}: C refuses its own value "${v}" (length ${f.min}..${f.max})`);
        }
      }
      return;
    }
    case 'int':
      if (!expectTypes(problems, where, s, 'integer')) return;
      if (s.minimum !== f.min) problems.push(`${where}: C min ${f.min}, openapi minimum ${s.minimum}`);
      if (s.maximum !== f.max) problems.push(`${where}: C max ${f.max}, openapi maximum ${s.maximum}`);
      return;
    case 'number':
      if (!expectTypes(problems, where, s, 'number')) return;
      if (s.minimum !== f.min) problems.push(`${where}: C min ${f.min}, openapi minimum ${s.minimum}`);
      if (s.maximum !== f.max) problems.push(`${where}: C max ${f.max}, openapi maximum ${s.maximum}`);
      return;
    case 'bool':
      expectTypes(problems, where, s, 'boolean');
      return;
    case 'strings': case 'ints': {
      if (!expectTypes(problems, where, s, 'array')) return;
      lengths(problems, where, s, f.min, f.max, 'Items');
      const item = s.items ?? {};
      if (f.type === 'ints') {
        compareField(problems, `${where}[]`, { name: f.name, flags: [], type: 'int',
          min: 1n, max: ID_MAX }, item, ctx);
      } else {
        compareField(problems, `${where}[]`, { name: f.name, flags: [],
          type: f.values ? 'enum' : 'string', min: 1n,
          max: BigInt(f.item_max || ITEM_MAX_DEFAULT), values: f.values }, item, ctx);
      }
      return;
    }
    case 'object':
      if (!expectTypes(problems, where, s, 'object')) return;
      compareObject(problems, where, f.fields ?? [], s, ctx);
      return;
    case 'objects':
      if (!expectTypes(problems, where, s, 'array')) return;
      lengths(problems, where, s, f.min, f.max, 'Items');
      if (!expectTypes(problems, `${where}[]`, s.items ?? {}, 'object')) return;
      compareObject(problems, `${where}[]`, f.fields ?? [], s.items, { ...ctx, patch: false });
      return;
    case 'ref': {
      const v = s.variants ?? [];
      const id = v.find((b) => nonNullTypes(b).join() === 'integer');
      const slug = v.find((b) => nonNullTypes(b).join() === 'string');
      if (v.length !== 2 || !id || !slug) {
        problems.push(`${where}: C an id or a string, openapi not a oneOf of the two`);
        return;
      }
      compareField(problems, `${where} (id)`, { name: f.name, flags: [], type: 'int',
        min: 1n, max: ID_MAX }, id, ctx);
      compareField(problems, `${where} (string)`, { name: f.name, flags: [],
        type: 'string', min: f.min, max: f.max }, slug, ctx);
      return;
    }
    default:
      problems.push(`${where}: C type ${f.type} is unknown to this test`);
  }
}

/* The properties of an object schema against a C field table. */
function compareObject(problems, where, fields, s, ctx) {
  const at = (name) => (where ? `${where}.${name}` : name);
  if (!s.closed) {
    problems.push(`${where || 'body'}: openapi lets unknown properties through; the API refuses them`);
  }
  const byName = new Map(fields.map((f) => [f.name, f]));
  for (const name of Object.keys(s.properties)) {
    if (!byName.has(name)) problems.push(`${at(name)}: unknown field: in openapi only`);
  }
  for (const f of fields) {
    const ps = s.properties[f.name];
    if (!ps) {
      problems.push(`${at(f.name)}: unknown field: in C only`);
      continue;
    }
    compareField(problems, at(f.name), f, ps, ctx);
    const required = f.flags.includes('required');
    if (ctx.patch && required && !where) {
      problems.push(`${at(f.name)}: C marks it required, which a merge patch ignores`);
    }
    const cRequired = required && !ctx.patch;
    if (cRequired !== s.required.has(f.name)) {
      problems.push(`${at(f.name)}: C ${cRequired ? 'required' : 'optional'}, openapi ${
        s.required.has(f.name) ? 'required' : 'optional'}`);
    }
  }
}

function operationOf(route) {
  const p = PATH_ALIASES[route.path] ?? route.path;
  const item = doc.paths?.[p];
  const op = item?.[route.method.toLowerCase()];
  return op ? { item, op } : null;
}

function compareQuery(problems, route, item, op) {
  const params = new Map();
  for (const raw of [...(item.parameters ?? []), ...(op.parameters ?? [])]) {
    const prm = deref(raw);
    if (prm.in === 'query') params.set(prm.name, prm);
  }
  const fields = new Map(route.query.map((f) => [f.name, f]));
  for (const name of params.keys()) {
    if (!fields.has(name)) problems.push(`query ${name}: unknown parameter: in openapi only`);
  }
  for (const f of route.query) {
    const prm = params.get(f.name);
    if (!prm) {
      problems.push(`query ${f.name}: unknown parameter: in C only`);
      continue;
    }
    const s = shape(prm.schema);
    compareField(problems, `query ${f.name}`, f, s, { body: false, patch: false });
    const required = f.flags.includes('required');
    if (required !== (prm.required === true)) {
      problems.push(`query ${f.name}: C ${required ? 'required' : 'optional'}, openapi ${
        prm.required ? 'required' : 'optional'}`);
    }
    if (f.name === 'limit' && s.default !== undefined && big(s.default) !== BigInt(LIMIT_DEFAULT)) {
      problems.push(`query limit: C defaults to ${LIMIT_DEFAULT}, openapi to ${s.default}`);
    }
    if (f.name === 'limit' && s.default === undefined) {
      problems.push(`query limit: C defaults to ${LIMIT_DEFAULT}, openapi gives no default`);
    }
  }
}

function compareBody(problems, route, op) {
  const rb = op.requestBody ? deref(op.requestBody) : null;
  // EP_ANY_BODY (RFC 8058 one-click): any body is accepted and ignored.
  if (route.flags.includes('any_body')) {
    if (!rb || rb.required === true) problems.push('body: C takes any body, optional');
    return;
  }
  if (route.body === null || !rb) {
    if (route.body !== null) problems.push('body: C takes one, openapi has no requestBody');
    if (rb) problems.push('body: openapi has a requestBody, C takes none');
    return;
  }
  const jsonBody = route.flags.includes('json_body');
  if (jsonBody !== (rb.required === true)) {
    problems.push(`body: C ${jsonBody ? 'requires' : 'does not require'} one, openapi required: ${
      rb.required === true}`);
  }
  const types = Object.keys(rb.content ?? {});
  const want = route.flags.includes('merge_patch')
    ? ['application/json', 'application/merge-patch+json'] : ['application/json'];
  if (!sameSet(types, want)) {
    problems.push(`body: C takes ${want.join(', ')}, openapi ${types.join(', ')}`);
  }
  const schemas = types.map((t) => JSON.stringify(rb.content[t].schema,
    (k, v) => (typeof v === 'bigint' ? String(v) : v)));
  if (new Set(schemas).size > 1) problems.push('body: the media types have different schemas');
  const s = shape(rb.content?.['application/json']?.schema);
  if (nonNullTypes(s).join() !== 'object') {
    problems.push(`body: openapi type ${nonNullTypes(s).join() || 'none'}, C an object`);
  }
  compareObject(problems, '', route.body, s,
    { body: true, patch: route.flags.includes('merge_patch') });
}

const dumped = dumpRoutes();
const routes = dumped.routes;

// A rule's bounds live inside its string, where the field tables cannot say them: the
// contract states them as extensions (the web app's limits.js carries them) and they
// must be the API's own (RECUR_* in api/src/il.h).
test('a recurrence rule\'s bounds in openapi.yaml are the API\'s', () => {
  const r = deref(doc.components.schemas.EventCreate).allOf
    .map(deref).find((s) => s.properties?.recurrence).properties.recurrence;
  assert.deepEqual(
    { rule_max: Number(r.maxLength), count_max: Number(r['x-count-maximum']),
      years_max: Number(r['x-years-maximum']) },
    dumped.recurrence);
});

test('every openapi operation has a C route, and every C route an operation', () => {
  const c = new Set(routes.map((r) => `${r.method} ${PATH_ALIASES[r.path] ?? r.path}`));
  const oa = new Set();
  for (const [p, item] of Object.entries(doc.paths)) {
    for (const m of METHODS) if (item[m]) oa.add(`${m.toUpperCase()} ${p}`);
  }
  assert.deepEqual([...oa].filter((x) => !c.has(x)), [], 'in openapi.yaml only');
  assert.deepEqual([...c].filter((x) => !oa.has(x)), [], 'in the C route table only');
});

for (const route of routes) {
  test(`${route.method} ${route.path}: query and body fields match openapi.yaml`, () => {
    const found = operationOf(route);
    assert.ok(found, 'openapi.yaml has no such operation');
    const problems = [];
    compareQuery(problems, route, found.item, found.op);
    compareBody(problems, route, found.op);
    assert.deepEqual(problems, []);
  });
}
