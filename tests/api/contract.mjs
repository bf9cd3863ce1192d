// Checks real API responses against openapi.yaml.
//
//   const contract = await loadContract(new URL('../../openapi.yaml', import.meta.url));
//   const problems = validateResponse(contract, 'GET', '/v1/me', res.status,
//       res.headers, await res.text());
//   assert.deepEqual(problems, []);
//
// validateResponse() finds the operation whose path template matches the
// URL path (the query string is ignored; a literal segment beats a
// template, so /v1/sessions/current is not /v1/sessions/{id}), picks the
// response documented for the status (then its "4XX" range, then
// "default"), checks the documented headers, the content type and the
// body (JSON Schema 2020-12 through ajv, with the whole OpenAPI document
// added as one schema so that every "#/components/..." $ref resolves).
// It returns a list of problems, each a sentence; [] means the response
// honours the contract.  listOperations() lists every documented
// operation, so a suite can check it exercised them all.

import { readFile } from 'node:fs/promises';

import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import YAML from 'yaml';

const DOC_ID = 'https://interlibrary.example/openapi.yaml';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch',
  'trace'];

/* RFC 6901 escaping of one JSON pointer token. */
function ptrToken(s) {
  return String(s).replaceAll('~', '~0').replaceAll('/', '~1');
}

function ptrGet(doc, ptr) {
  if (ptr === '' || ptr === '#') return doc;
  let v = doc;
  for (const raw of ptr.replace(/^#?\//, '').split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (v === null || typeof v !== 'object' || !(key in v)) {
      throw new Error(`openapi: $ref ${ptr} does not resolve`);
    }
    v = v[key];
  }
  return v;
}

/*
 * Follow local $refs of non-schema objects (responses, headers,
 * parameters).  Returns [object, its JSON pointer].
 */
function deref(doc, obj, ptr) {
  const seen = new Set();
  while (obj && typeof obj === 'object' && typeof obj.$ref === 'string') {
    if (!obj.$ref.startsWith('#/')) {
      throw new Error(`openapi: only local $refs are supported: ${obj.$ref}`);
    }
    if (seen.has(obj.$ref)) throw new Error(`openapi: $ref loop at ${obj.$ref}`);
    seen.add(obj.$ref);
    ptr = obj.$ref;
    obj = ptrGet(doc, ptr);
  }
  return [obj, ptr];
}

function templateRegex(template) {
  const names = [];
  const re = template.split('/').map((seg) => {
    const m = /^\{([^}]+)\}$/.exec(seg);
    if (m) {
      names.push(m[1]);
      return '([^/]+)';
    }
    return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }).join('/');
  return { regex: new RegExp(`^${re}$`), names };
}

/** Parse openapi.yaml (a path or file: URL) into a contract for validateResponse(). */
export async function loadContract(path) {
  const text = await readFile(path, 'utf8');
  const doc = YAML.parse(text);
  if (typeof doc?.openapi !== 'string' || !doc.openapi.startsWith('3.1')) {
    throw new Error(`${path}: not an OpenAPI 3.1 document`);
  }
  // strict: false because the document is an OpenAPI description, not a
  // pure JSON Schema: ajv must ignore "openapi", "paths", "components" and
  // OpenAPI annotations.  allErrors gives every violation, not the first.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(doc, DOC_ID);

  const routes = Object.entries(doc.paths ?? {}).map(([template, item]) => {
    const { regex, names } = templateRegex(template);
    return { template, item, regex, names, ptr: `#/paths/${ptrToken(template)}` };
  });
  // Literal paths first, then by fewer templated segments.
  routes.sort((a, b) => a.names.length - b.names.length);
  return { doc, ajv, routes, validators: new Map() };
}

/** Every documented operation: [{ method: 'GET', path, operationId }]. */
export function listOperations(contract) {
  const out = [];
  for (const [path, item] of Object.entries(contract.doc.paths ?? {})) {
    for (const m of METHODS) {
      if (item[m]) out.push({ method: m.toUpperCase(), path, operationId: item[m].operationId });
    }
  }
  return out;
}

function validatorFor(contract, ptr) {
  let v = contract.validators.get(ptr);
  if (!v) {
    v = contract.ajv.compile({ $ref: `${DOC_ID}${ptr}` });
    contract.validators.set(ptr, v);
  }
  return v;
}

function normalizeHeaders(headers) {
  const out = new Map();
  if (!headers) return out;
  const add = (k, v) => {
    if (v === undefined || v === null) return;
    out.set(String(k).toLowerCase(), Array.isArray(v) ? v.join(', ') : String(v));
  };
  if (typeof headers.forEach === 'function' && !Array.isArray(headers)) {
    headers.forEach((v, k) => add(k, v)); // Headers, Map
  } else if (Array.isArray(headers)) {
    for (const [k, v] of headers) add(k, v);
  } else {
    for (const [k, v] of Object.entries(headers)) add(k, v);
  }
  return out;
}

function formatErrors(errors) {
  return (errors ?? []).map((e) => {
    const where = e.instancePath || '(root)';
    let msg = `${where} ${e.message}`;
    if (e.keyword === 'additionalProperties') msg += `: "${e.params.additionalProperty}"`;
    else if (e.keyword === 'unevaluatedProperties') msg += `: "${e.params.unevaluatedProperty}"`;
    else if (e.keyword === 'enum') msg += `: ${JSON.stringify(e.params.allowedValues)}`;
    return msg;
  });
}

function findRoute(contract, urlPath) {
  const path = String(urlPath).split(/[?#]/)[0];
  for (const r of contract.routes) {
    if (r.regex.test(path)) return r;
  }
  return null;
}

function mediaType(ctype) {
  return ctype.split(';')[0].trim().toLowerCase();
}

function isJson(mt) {
  return mt === 'application/json' || mt.endsWith('+json');
}

/**
 * Check one response against the contract.  Returns a list of problems
 * ([] when the response matches the documentation).
 */
export function validateResponse(contract, method, urlPath, status, headers, bodyText) {
  const { doc } = contract;
  const m = String(method).toLowerCase();
  const what = `${String(method).toUpperCase()} ${urlPath} -> ${status}`;
  const problems = [];
  const hdrs = normalizeHeaders(headers);
  const body = bodyText ?? '';

  const route = findRoute(contract, urlPath);
  if (!route) return [`${what}: the path is not documented`];

  // Preflight: every documented path answers OPTIONS with an empty 204
  // (info.description, "CORS"); it is not an operation of its own.
  if (m === 'options' && !route.item.options) {
    if (status !== 204) problems.push(`${what}: a preflight must answer 204`);
    if (body.length > 0) problems.push(`${what}: a preflight must have an empty body`);
    if (!hdrs.has('access-control-allow-methods')) {
      problems.push(`${what}: a preflight must send Access-Control-Allow-Methods`);
    }
    return problems;
  }

  // HEAD is answered for every GET route, with the GET's headers and no body.
  const head = m === 'head' && !route.item.head;
  const opKey = head ? 'get' : m;
  const op = route.item[opKey];
  if (!op || !METHODS.includes(opKey)) {
    return [`${what}: ${String(method).toUpperCase()} is not documented for ${route.template}`];
  }
  const opPtr = `${route.ptr}/${opKey}`;

  const code = String(status);
  const range = `${code[0]}XX`;
  const key = [code, range, 'default'].find((k) => op.responses?.[k] !== undefined);
  if (key === undefined) {
    return [`${what}: status ${status} is not documented for ${opKey.toUpperCase()} ${route.template}`];
  }
  const [resp, respPtr] = deref(doc, op.responses[key], `${opPtr}/responses/${ptrToken(key)}`);

  // Documented headers: required ones present, present ones valid.
  for (const [name, h0] of Object.entries(resp.headers ?? {})) {
    if (name.toLowerCase() === 'content-type') continue;
    const [h, hPtr] = deref(doc, h0, `${respPtr}/headers/${ptrToken(name)}`);
    const value = hdrs.get(name.toLowerCase());
    if (value === undefined) {
      if (h.required) problems.push(`${what}: header ${name} is missing`);
      continue;
    }
    if (h.schema) {
      const v = validatorFor(contract, `${hPtr}/schema`);
      const asNumber = value.trim() !== '' ? Number(value) : NaN;
      if (!v(value) && !(Number.isFinite(asNumber) && v(asNumber))) {
        problems.push(`${what}: header ${name}: ${JSON.stringify(value)} ` +
          formatErrors(v.errors).join('; ').replace(/^\(root\) /, ''));
      }
    }
  }

  const content = resp.content ?? {};
  const types = Object.keys(content);
  if (status === 204 || status === 304 || head || types.length === 0) {
    if (body.length > 0) {
      problems.push(`${what}: the body must be empty (${body.length} bytes)`);
    }
    if (types.length > 0 && !head && (status === 204 || status === 304)) {
      problems.push(`${what}: the contract documents a body for a ${status}`);
    }
    return problems;
  }

  const ctype = hdrs.get('content-type');
  if (ctype === undefined) {
    problems.push(`${what}: no Content-Type (expected ${types.join(' or ')})`);
    return problems;
  }
  const mt = mediaType(ctype);
  const docType = types.find((t) => t.toLowerCase() === mt);
  if (docType === undefined) {
    problems.push(`${what}: Content-Type ${ctype} is not documented (expected ${types.join(' or ')})`);
    return problems;
  }
  const charset = /;\s*charset=("?)([^";]+)\1/i.exec(ctype);
  if (charset && charset[2].toLowerCase() !== 'utf-8') {
    problems.push(`${what}: Content-Type ${ctype}: the charset must be utf-8`);
  }
  if (mt === 'application/json' && !charset) {
    problems.push(`${what}: Content-Type ${ctype}: JSON is sent as "application/json; charset=utf-8"`);
  }

  const media = content[docType];
  if (!isJson(mt) || !media?.schema) return problems;

  let value;
  try {
    value = JSON.parse(body);
  } catch (e) {
    problems.push(`${what}: the body is not JSON: ${e.message}`);
    return problems;
  }
  const v = validatorFor(contract, `${respPtr}/content/${ptrToken(docType)}/schema`);
  if (!v(value)) {
    for (const e of formatErrors(v.errors)) problems.push(`${what}: body ${e}`);
  }
  if (mt === 'application/problem+json' && value && typeof value === 'object' &&
      value.status !== status) {
    problems.push(`${what}: the problem's status is ${value.status}`);
  }
  return problems;
}
