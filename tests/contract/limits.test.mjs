// The web app's field limits come from the contract: frontend/lib/limits.js is generated
// from openapi.yaml by scripts/gen-limits.mjs and checked in. This fails while the two
// disagree, and while a view writes a length or a range of its own.
//
//   cd tests && node --test contract/limits.test.mjs
//
// Needs no server: make test runs it before it starts one.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { OPENAPI, OUTPUT, generateLimits } from "../../scripts/gen-limits.mjs";

const FRONTEND = fileURLToPath(new URL("../../frontend/", import.meta.url));

/** Import a generated module from its text. */
function load(text) {
  return import(`data:text/javascript;base64,${Buffer.from(text).toString("base64")}`);
}

describe("frontend/lib/limits.js", () => {
  test("is what scripts/gen-limits.mjs makes of openapi.yaml", () => {
    const expected = generateLimits(readFileSync(OPENAPI, "utf8"));
    const actual = readFileSync(OUTPUT, "utf8");
    if (actual === expected) return;
    const a = actual.split("\n");
    const e = expected.split("\n");
    let i = 0;
    while (i < a.length && a[i] === e[i]) i += 1;
    assert.fail(
      `frontend/lib/limits.js is out of date with openapi.yaml (first difference at line ${i + 1}:\n` +
        `  checked in: ${a[i] ?? "(end of file)"}\n  generated:  ${e[i] ?? "(end of file)"})\n` +
        "Run: cd tests && node ../scripts/gen-limits.mjs",
    );
  });

  test("has every limit a view reads (a renamed field would silently drop its limit)", async () => {
    const limits = await import(OUTPUT);
    const missing = [];
    for (const path of viewFiles()) {
      const text = readFileSync(path, "utf8");
      if (!/from "[./]*lib\/limits\.js"/.test(text)) continue;
      // Names for parts of limits.js: the exports, and `const F = bodies.EventCreate;` aliases.
      const scope = { bodies: limits.bodies, queries: limits.queries, enums: limits.enums };
      const accessors = /((?:\.\w+|\["[^"]+"\])+)/.source;
      const alias = new RegExp(`^const (\\w+) = (\\w+)${accessors};`, "gm");
      for (const m of text.matchAll(alias)) if (m[2] in scope) scope[m[1]] = walk(scope[m[2]], m[3]);
      const use = new RegExp(`\\b(${Object.keys(scope).join("|")})${accessors}`, "g");
      text.split("\n").forEach((line, i) => {
        for (const m of line.matchAll(use)) {
          if (walk(scope[m[1]], m[2]) === undefined) missing.push(`${relative(FRONTEND, path)}:${i + 1}: ${m[0]}`);
        }
      });
    }
    assert.deepEqual(missing, [], "limits the views read that limits.js does not have");
  });
});

/** Follow `.a["b"].c` from `value`; undefined as soon as a step is missing. */
function walk(value, accessors) {
  for (const [, dot, key] of accessors.matchAll(/\.(\w+)|\["([^"]+)"\]/g)) {
    if (value === undefined || value === null) return undefined;
    value = value[dot ?? key];
  }
  return value;
}

/** Every module of the web app but limits.js itself (not embed/: the widget stands alone). */
function viewFiles(dir = FRONTEND, out = []) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (path !== join(FRONTEND, "embed")) viewFiles(path, out);
    }
    else if (name.endsWith(".js") && path !== OUTPUT) out.push(path);
  }
  return out;
}

describe("scripts/gen-limits.mjs", () => {
  test("follows $ref, merges allOf, takes a oneOf's string form, leaves null and unsafe bounds out, writes shared parts once", async () => {
    const text = generateLimits(`
openapi: 3.1.0
info: { title: t, version: '1' }
paths:
  /things:
    get:
      parameters:
        - $ref: '#/components/parameters/City'
        - { name: size, in: query, schema: { type: integer, minimum: 1, maximum: 9 } }
        - { name: id, in: path, required: true, schema: { $ref: '#/components/schemas/Id' } }
      responses: { '200': { description: ok } }
    post:
      requestBody:
        content:
          application/json:
            schema: { $ref: '#/components/schemas/ThingCreate' }
      responses: { '201': { description: ok } }
    patch:
      requestBody:
        content:
          application/json:
            schema: { $ref: '#/components/schemas/ThingPatch' }
      responses: { '200': { description: ok } }
components:
  parameters:
    City: { name: city, in: query, schema: { type: string, maxLength: 80 } }
  schemas:
    Id: { type: integer, minimum: 1, maximum: 999999999999999999 }
    Kind: { type: string, enum: [a, b] }
    Tags: { type: array, items: { type: string, minLength: 1, maxLength: 40 } }
    ThingCreate:
      type: object
      properties:
        name: { type: [string, 'null'], maxLength: 50 }
        kind: { oneOf: [{ $ref: '#/components/schemas/Kind' }, { type: 'null' }] }
        tags: { allOf: [{ $ref: '#/components/schemas/Tags' }], maxItems: 5 }
        owner: { oneOf: [{ $ref: '#/components/schemas/Id' }, { type: string, maxLength: 64 }, { type: 'null' }] }
        parent: { $ref: '#/components/schemas/Id' }
        done: { type: boolean }
        nested: { type: object, properties: { level: { type: integer, minimum: 0, maximum: 3 } } }
    ThingPatch:
      allOf:
        - $ref: '#/components/schemas/ThingCreate'
        - { type: object, properties: { note: { type: string, maxLength: 9 } } }
`);
    const { bodies, queries, parameters, enums } = await load(text);
    const thing = {
      name: { maxLength: 50 },
      kind: { enum: ["a", "b"] },
      tags: { maxItems: 5, items: { minLength: 1, maxLength: 40 } },
      owner: { maxLength: 64 },
      parent: { minimum: 1 },
      "nested.level": { minimum: 0, maximum: 3 },
    };
    assert.deepEqual(bodies, { ThingCreate: thing, ThingPatch: { ...thing, note: { maxLength: 9 } } });
    assert.deepEqual(parameters, { City: { maxLength: 80 } });
    assert.deepEqual(queries, { "/things": { city: { maxLength: 80 }, size: { minimum: 1, maximum: 9 } } });
    assert.equal(queries["/things"].city, parameters.City, "a shared parameter is written once");
    assert.match(text, /ThingPatch: \{\n {4}\.\.\.ThingCreate,/, "a composed schema is spread, not copied");
    assert.match(text, /ThingCreate: \{\n {4}\.\.\.ThingCreate,\n {2}\},/, "and is written once");
    assert.deepEqual(enums, { Kind: ["a", "b"] });
  });
});

describe("the views", () => {
  test("write no length or range of their own: they use lib/limits.js", () => {
    const found = [];
    for (const path of viewFiles()) {
      readFileSync(path, "utf8")
        .split("\n")
        .forEach((line, i) => {
          if (/\b(maxlength|minlength|min|max):\s*\d/.test(line)) found.push(`${relative(FRONTEND, path)}:${i + 1}: ${line.trim()}`);
        });
    }
    assert.deepEqual(found, [], "hard-coded limits (use bodies/queries from lib/limits.js)");
  });

  test("an enum value the web app has no label for still shows, as itself", async () => {
    const { enumOptions } = await import(new URL("../../frontend/lib/forms.js", import.meta.url));
    assert.deepEqual(enumOptions(["social", "book_club"], { social: "Social" }), [
      ["social", "Social"],
      ["book_club", "book_club"],
    ]);
    assert.deepEqual(enumOptions(["met", "new"], { met: ["People I have met", "Only members you went to an event with."] }), [
      ["met", "People I have met", "Only members you went to an event with."],
      ["new", "new"],
    ]);
  });
});
