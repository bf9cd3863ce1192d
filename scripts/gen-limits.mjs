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
//   bodies      every request body, by its schema's name (EventCreate, MePatch): per field
//               (a nested object's fields as "mentoring.capacity"), its limits
//   queries     every GET, by path ("/v1/events"): per query parameter, its limits
//   parameters  the query parameters of components/parameters, by name (City, Q)
//   enums       the values of every named enumeration schema (EventKind, Visibility)
// What the contract writes once, the module writes once: queries refer to parameters, and
// bodies composed from one object schema (EventCreate, EventPatch: EventWritable) spread it.
// Limits are the JSON Schema keywords enum, minLength, maxLength, minimum, maximum,
// minItems, maxItems, and items (the limits of each item of an array of scalars), and the
// contract's own extensions for bounds inside a string's format (x-count-maximum: a
// recurrence rule's COUNT, as countMaximum; x-years-maximum, as yearsMaximum), after
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
// Extensions of the contract carried as limits, under a name a view can read.
const EXTENSIONS = { "x-count-maximum": "countMaximum", "x-years-maximum": "yearsMaximum" };
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
    for (const [k, name] of Object.entries(EXTENSIONS)) if (s[k] !== undefined && exact(s[k])) out[name] = Number(s[k]);
    if (s.items) {
      const item = flatten(s.items);
      const itemLimits = item.properties ? null : limitsOf(item);
      if (itemLimits) out.items = itemLimits;
    }
    return Object.keys(out).length ? out : null;
  }

  // Every field of an object schema with limits, nested objects as "a.b"; read-only
  // fields are no form's input.
  function fields(schema, prefix = "", out = {}) {
    const s = flatten(schema);
    for (const [name, prop] of Object.entries(s.properties || {})) {
      const p = flatten(prop);
      if (p.readOnly) continue;
      if (p.properties) fields(p, `${prefix}${name}.`, out);
      else {
        const l = limitsOf(p);
        if (l) out[`${prefix}${name}`] = l;
      }
    }
    return out;
  }

  // What the contract writes once stays written once: a query parameter of
  // components/parameters is one entry of `parameters` that each path's `queries` entry
  // refers to, and an object schema a body composes with allOf (EventWritable) is one
  // constant that the bodies spread.
  const parameters = {};
  for (const [name, param] of Object.entries(doc.components?.parameters || {})) {
    if (param.in !== "query") continue;
    const l = limitsOf(flatten(param.schema));
    if (l) parameters[name] = l;
  }
  const shared = {};
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
          const name = schemaName(schema.$ref) || `${method.toUpperCase()} ${path}`;
          const entries = bodyEntries(schema.$ref ? deref(schema.$ref) : schema);
          if (entries.length) bodies[name] = entries;
        }
      }
      if (method === "get") {
        const q = [];
        for (const raw of [...(item.parameters || []), ...(op.parameters || [])]) {
          const param = raw.$ref ? deref(raw.$ref) : raw;
          if (param.in !== "query") continue;
          const ref = /^#\/components\/parameters\/([^/]+)$/.exec(raw.$ref || "")?.[1];
          if (ref && parameters[ref]) q.push([param.name, `parameters${accessor(ref)}`]);
          else {
            const l = limitsOf(flatten(param.schema));
            if (l) q.push([param.name, literal(l)]);
          }
        }
        if (q.length) queries[path] = q;
      }
    }
  }

  // A body's entries: ["...EventWritable"] for a composed object schema, [field, limits]
  // for the rest.
  function bodyEntries(schema) {
    const out = [];
    for (const part of schema.allOf || []) {
      const name = schemaName(part.$ref);
      const target = name && flatten(deref(part.$ref));
      if (target?.properties) {
        const f = fields(target);
        if (!Object.keys(f).length) continue;
        shared[name] ??= f;
        out.push([`...${name}`]);
      } else out.push(...Object.entries(fields(part)));
    }
    const own = { ...schema };
    delete own.allOf;
    out.push(...Object.entries(fields(own)));
    return out;
  }

  // A body that others compose is itself the shared constant.
  for (const name of Object.keys(bodies)) if (shared[name]) bodies[name] = [[`...${name}`]];

  const enums = {};
  for (const [name, schema] of Object.entries(schemas)) {
    if (Array.isArray(schema.enum)) enums[name] = schema.enum.filter((v) => v !== null).map(plain);
  }

  for (const name of Object.keys(shared)) {
    if (["parameters", "bodies", "queries", "enums"].includes(name) || !/^[A-Za-z_$][\w$]*$/.test(name)) {
      throw new Error(`gen-limits: schema ${name} cannot be a constant of limits.js`);
    }
  }
  const entry = ([k, v]) => (v === undefined ? k : `${key(k)}: ${typeof v === "string" ? v : literal(v)}`);
  return [
    "// Generated from openapi.yaml by scripts/gen-limits.mjs: do not edit. After a change to",
    "// openapi.yaml run `cd tests && node ../scripts/gen-limits.mjs`; make test fails while the",
    "// two disagree (tests/contract/limits.test.mjs).",
    "//",
    "// bodies:     per request body schema, per field (\"mentoring.capacity\" inside an object)",
    "// queries:    per GET path, per query parameter",
    "// parameters: the query parameters of components/parameters, by name",
    "// enums:      the values of each enumeration schema, in the contract's order",
    "// Each limit uses the JSON Schema keywords: enum, minLength, maxLength, minimum, maximum,",
    "// minItems, maxItems, and items (the limits of each item of a list); countMaximum and",
    "// yearsMaximum are the contract's x-count-maximum and x-years-maximum (a rule's COUNT).",
    "",
    "export const parameters = {",
    ...Object.entries(parameters).map(([k, v]) => `  ${entry([k, v])},`),
    "};",
    ...Object.entries(shared).flatMap(([name, f]) => ["", `const ${name} = {`, ...Object.entries(f).map((e) => `  ${entry(e)},`), "};"]),
    "",
    "export const bodies = {",
    ...Object.entries(bodies).flatMap(([name, entries]) => [`  ${key(name)}: {`, ...entries.map((e) => `    ${entry(e)},`), "  },"]),
    "};",
    "",
    "export const queries = {",
    ...Object.entries(queries).map(([path, q]) => `  ${key(path)}: { ${q.map(entry).join(", ")} },`),
    "};",
    "",
    "export const enums = {",
    ...Object.entries(enums).map(([k, v]) => `  ${entry([k, v])},`),
    "};",
    "",
  ].join("\n");
}

function schemaName(ref) {
  return /^#\/components\/schemas\/([^/]+)$/.exec(ref || "")?.[1];
}

function key(k) {
  return /^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k);
}

function accessor(k) {
  return /^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`;
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

// A one-line JavaScript literal of plain data.
function literal(value) {
  if (Array.isArray(value)) return `[${value.map(literal).join(", ")}]`;
  if (value && typeof value === "object") return `{ ${Object.entries(value).map(([k, v]) => `${key(k)}: ${literal(v)}`).join(", ")} }`;
  return JSON.stringify(value);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(OUTPUT, generateLimits(readFileSync(OPENAPI, "utf8")));
  console.log(`gen-limits: wrote ${OUTPUT}`);
}
