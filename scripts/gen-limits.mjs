// Generates frontend/lib/limits.js, the field limits of the web app, from openapi.yaml:
// one source for the lengths, ranges and enum values the forms use (maxlength, min, max,
// select options), so that the web app cannot drift from the contract.
//
//   cd tests && node ../scripts/gen-limits.mjs     rewrite frontend/lib/limits.js
//
// tests/contract/limits.test.mjs (a step of make test) regenerates the module in memory and
// fails while the checked-in file differs. The yaml package comes from tests/node_modules.
//
// What it takes from the contract:
//   bodies   every request body, by its schema's name (EventCreate, MePatch): per field
//            (a nested object's fields as "mentoring.capacity"), its limits
//   queries  every GET, by path ("/v1/events"): per query parameter, its limits
//   enums    the values of every named enumeration schema (EventKind, Visibility)
// Limits are the JSON Schema keywords enum, minLength, maxLength, minimum, maximum,
// minItems, maxItems, and items (the limits of each item of an array of scalars), after
// following $ref and merging allOf. A field that takes one of several forms (oneOf: an id
// or a slug) gets the limits of its string form; `null` forms are left aside. A bound that
// a JavaScript number cannot hold exactly (an id's 18 digits) is left out. Fields without
// any limit are not listed.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

export const OPENAPI = fileURLToPath(new URL("../openapi.yaml", import.meta.url));
export const OUTPUT = fileURLToPath(new URL("../frontend/lib/limits.js", import.meta.url));

const YAML = createRequire(new URL("../tests/package.json", import.meta.url))("yaml");

const KEYWORDS = ["enum", "minLength", "maxLength", "minimum", "maximum", "minItems", "maxItems"];
const METHODS = ["get", "put", "post", "patch", "delete"];

/** The text of frontend/lib/limits.js for the OpenAPI document `text` (YAML). */
export function generateLimits(text) {
  const doc = YAML.parse(text, { intAsBigInt: true });
  const schemas = doc.components?.schemas || {};

  function deref(ref) {
    const m = /^#\/components\/(schemas|parameters|requestBodies)\/([^/]+)$/.exec(ref);
    const target = m && doc.components?.[m[1]]?.[m[2]];
    if (!target) throw new Error(`gen-limits: cannot follow $ref ${ref}`);
    return target;
  }

  // One schema with $ref followed and allOf merged: its own keywords win over those it
  // refers to, and properties are merged in order.
  function flatten(schema) {
    if (!schema || typeof schema !== "object") return {};
    let out = {};
    const merge = (s) => {
      const props = { ...(out.properties || {}), ...(s.properties || {}) };
      out = { ...out, ...s };
      if (Object.keys(props).length) out.properties = props;
    };
    if (schema.$ref) merge(flatten(deref(schema.$ref)));
    for (const part of schema.allOf || []) merge(flatten(part));
    const own = { ...schema };
    delete own.$ref;
    delete own.allOf;
    merge(own);
    const variants = (schema.oneOf || schema.anyOf || []).map(flatten).filter((v) => !isNull(v));
    if (variants.length) {
      const chosen = variants.length === 1 ? variants[0] : variants.find((v) => typeOf(v) === "string");
      if (chosen) merge(chosen);
      delete out.oneOf;
      delete out.anyOf;
    }
    return out;
  }

  // The limits of a scalar or an array; null when it has none.
  function limitsOf(s) {
    const out = {};
    for (const k of KEYWORDS) {
      if (s[k] === undefined) continue;
      if (k === "enum") out.enum = s.enum.filter((v) => v !== null).map(plain);
      else if (exact(s[k])) out[k] = Number(s[k]);
    }
    if (s.items) {
      const item = flatten(s.items);
      const itemLimits = item.properties ? null : limitsOf(item);
      if (itemLimits) out.items = itemLimits;
    }
    return Object.keys(out).length ? out : null;
  }

  // Every field of an object schema with limits, nested objects as "a.b".
  function fields(schema, prefix = "", out = {}) {
    const s = flatten(schema);
    for (const [name, prop] of Object.entries(s.properties || {})) {
      const p = flatten(prop);
      if (p.properties) fields(p, `${prefix}${name}.`, out);
      else {
        const l = limitsOf(p);
        if (l) out[`${prefix}${name}`] = l;
      }
    }
    return out;
  }

  const bodies = {};
  const queries = {};
  for (const [path, item] of Object.entries(doc.paths || {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      if (op.requestBody) {
        const rb = op.requestBody.$ref ? deref(op.requestBody.$ref) : op.requestBody;
        const schema = rb.content?.["application/json"]?.schema;
        if (schema) {
          const name = /^#\/components\/schemas\/([^/]+)$/.exec(schema.$ref || "")?.[1] || `${method.toUpperCase()} ${path}`;
          const f = fields(schema);
          if (Object.keys(f).length) bodies[name] = f;
        }
      }
      if (method === "get") {
        const q = {};
        for (const raw of [...(item.parameters || []), ...(op.parameters || [])]) {
          const param = raw.$ref ? deref(raw.$ref) : raw;
          if (param.in !== "query") continue;
          const l = limitsOf(flatten(param.schema));
          if (l) q[param.name] = l;
        }
        if (Object.keys(q).length) queries[path] = q;
      }
    }
  }

  const enums = {};
  for (const [name, schema] of Object.entries(schemas)) {
    if (Array.isArray(schema.enum)) enums[name] = schema.enum.filter((v) => v !== null).map(plain);
  }

  return [
    "// Generated from openapi.yaml by scripts/gen-limits.mjs: do not edit. After a change to",
    "// openapi.yaml run `cd tests && node ../scripts/gen-limits.mjs`; make test fails while the",
    "// two disagree (tests/contract/limits.test.mjs).",
    "//",
    "// bodies:  per request body schema, per field (\"mentoring.capacity\" inside an object)",
    "// queries: per GET path, per query parameter",
    "// enums:   the values of each enumeration schema, in the contract's order",
    "// Each limit uses the JSON Schema keywords: enum, minLength, maxLength, minimum, maximum,",
    "// minItems, maxItems, and items (the limits of each item of a list).",
    "",
    `export const bodies = ${literal(bodies, 0)};`,
    "",
    `export const queries = ${literal(queries, 0)};`,
    "",
    `export const enums = ${literal(enums, 0)};`,
    "",
  ].join("\n");
}

function isNull(s) {
  return s.type === "null" || (Array.isArray(s.enum) && s.enum.length === 1 && s.enum[0] === null);
}

function typeOf(s) {
  const t = Array.isArray(s.type) ? s.type.filter((x) => x !== "null") : [s.type];
  return t.length === 1 ? t[0] : undefined;
}

function exact(n) {
  return typeof n === "bigint" ? n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) : Number.isFinite(n);
}

function plain(v) {
  return typeof v === "bigint" ? Number(v) : v;
}

// A JavaScript literal: the two outer levels of objects one entry a line (bodies, then a
// schema's fields), a field's limits on one line.
function literal(value, depth) {
  if (Array.isArray(value)) return `[${value.map((v) => literal(v, depth + 1)).join(", ")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value);
    const key = (k) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k));
    if (depth >= 2) return `{ ${entries.map(([k, v]) => `${key(k)}: ${literal(v, depth + 1)}`).join(", ")} }`;
    const pad = "  ".repeat(depth + 1);
    return `{\n${entries.map(([k, v]) => `${pad}${key(k)}: ${literal(v, depth + 1)},`).join("\n")}\n${"  ".repeat(depth)}}`;
  }
  return JSON.stringify(value);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(OUTPUT, generateLimits(readFileSync(OPENAPI, "utf8")));
  console.log(`gen-limits: wrote ${OUTPUT}`);
}
