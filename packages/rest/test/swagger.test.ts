// swagger/webpubsub.json must state the same facts as the upstream spec (operation ids, paths, methods, parameters,
// schemas); only descriptions, the extra success codes and the documented deviations may differ. The upstream side is
// the committed fact fixture (fixtures/reference/upstream-spec-facts.json).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { swaggerPath, upstreamSpecFactsPath } from "./helpers/paths.ts";
import {
  type Obj,
  operations,
  paramFacts,
  resolveParam,
  schemaFacts,
  type UpstreamSpecFacts,
} from "./helpers/spec-facts.ts";

const ours = JSON.parse(readFileSync(swaggerPath, "utf8")) as Obj;
// The upstream documents' facts, extracted once by scripts/extract-spec-facts.ts (fixtures/reference/README.md).
const upstreamFacts = JSON.parse(readFileSync(upstreamSpecFactsPath, "utf8")) as UpstreamSpecFacts;
const upstreamDocuments = Object.entries(upstreamFacts.documents);

describe("swagger/webpubsub.json", () => {
  it("describes api-version 2024-12-01 with 25 operations", () => {
    expect(ours.info.version).toBe("2024-12-01");
    expect(operations(ours).size).toBe(25);
  });

  it("declares ListConnectionsInGroup as a pageable GET with maxpagesize, top and continuationToken", () => {
    const { path, method, op } = operations(ours).get("WebPubSub_ListConnectionsInGroup")!;
    expect([method, path]).toEqual(["get", "/api/hubs/{hub}/groups/{group}/connections"]);
    expect(op["x-ms-pageable"]).toEqual({ nextLinkName: "nextLink" });
    const params = Object.fromEntries(
      op.parameters.map((p: Obj) => resolveParam(ours, p)).map((p: Obj) => [p.name, paramFacts(p)]),
    );
    expect(params.maxpagesize).toMatchObject({ in: "query", type: "integer", minimum: 1, maximum: 200 });
    expect(params.top).toMatchObject({ in: "query", type: "integer", minimum: 1 });
    expect(params.continuationToken).toMatchObject({ in: "query", type: "string" });
    expect(op.responses["200"].schema.$ref).toBe("#/definitions/GroupMemberPagedValues");
  });

  // The classic Swagger document: every fact must be identical.
  const classic = upstreamDocuments.filter(([, d]) => d.kind === "classic");
  // TypeSpec-generated documents (e.g. *.openapi.json): same operations, parameter names and success codes.
  const typespec = upstreamDocuments.filter(([, d]) => d.kind === "typespec");

  it("has the upstream facts of both document kinds to compare with", () => {
    expect(classic.length).toBeGreaterThan(0);
    expect(typespec.length).toBeGreaterThan(0);
  });

  describe("matches the upstream Swagger spec", () => {
    for (const [file, { spec: upstream }] of classic) {
      const mine = operations(ours);
      for (const [id, theirs] of operations(upstream)) {
        it(`${file}: ${id}`, () => {
          const o = mine.get(id);
          expect(o, `${id} is missing`).toBeDefined();
          expect([o!.method, o!.path]).toEqual([theirs.method, theirs.path]);
          const byKey = (spec: Obj, list: Obj[]) =>
            Object.fromEntries(list.map((p) => resolveParam(spec, p)).map((p) => [`${p.in}:${p.name}`, paramFacts(p)]));
          expect(byKey(ours, o!.op.parameters)).toEqual(byKey(upstream, theirs.op.parameters ?? []));
          expect(o!.op.consumes).toEqual(theirs.op.consumes);
          expect(o!.op.produces).toEqual(theirs.op.produces);
          for (const [code, r] of Object.entries(theirs.op.responses as Obj)) {
            expect(o!.op.responses[code], `${id} response ${code}`).toBeDefined();
            if (r.schema) expect(schemaFacts(o!.op.responses[code].schema)).toEqual(r.schema);
            if (r.headers) expect(Object.keys(o!.op.responses[code].headers)).toEqual(Object.keys(r.headers));
          }
        });
      }
      it(`${file}: definitions`, () => {
        for (const [name, def] of Object.entries(upstream.definitions as Obj)) {
          const mineDef = ours.definitions[name];
          expect(mineDef, `definition ${name}`).toBeDefined();
          expect(schemaFacts(mineDef)).toEqual(schemaFacts(def));
        }
      });
      it(`${file}: host parameter`, () => {
        expect(paramFacts(ours["x-ms-parameterized-host"].parameters[0])).toEqual(
          paramFacts(upstream["x-ms-parameterized-host"].parameters[0]),
        );
        expect(ours["x-ms-parameterized-host"].hostTemplate).toBe(upstream["x-ms-parameterized-host"].hostTemplate);
      });
    }
  });

  describe("agrees with the TypeSpec-generated spec", () => {
    for (const [file, { spec: upstream }] of typespec) {
      const mine = operations(ours);
      it(`${file}: same operations, paths and parameter names; its success codes are ours too`, () => {
        expect([...mine.keys()].sort()).toEqual([...operations(upstream).keys()].sort());
        for (const [id, theirs] of operations(upstream)) {
          const o = mine.get(id)!;
          expect([o.method, o.path], id).toEqual([theirs.method, theirs.path]);
          const names = (spec: Obj, list: Obj[]) =>
            list
              .map((p) => resolveParam(spec, p))
              .map(
                (p) =>
                  `${p.in}:${p.name}${p.required ? "!" : ""}${p.collectionFormat ? `[${p.collectionFormat}]` : ""}`,
              )
              .sort();
          expect(names(ours, o.op.parameters), id).toEqual(names(upstream, theirs.op.parameters));
          // Effective media types: an operation's own, else the document's.
          const body = (spec: Obj, op: Obj) =>
            (op.parameters ?? []).some((p: Obj) => resolveParam(spec, p).in === "body");
          const consumes = (spec: Obj, op: Obj) =>
            body(spec, op) ? [...(op.consumes ?? spec.consumes ?? [])].sort() : [];
          expect(consumes(ours, o.op), id).toEqual(consumes(upstream, theirs.op));
          for (const code of Object.keys(theirs.op.responses))
            expect(o.op.responses[code], `${id} ${code}`).toBeDefined();
        }
      });
      it(`${file}: ListConnectionsInGroup parameters and page models`, () => {
        const theirs = operations(upstream).get("WebPubSub_ListConnectionsInGroup")!;
        const o = mine.get("WebPubSub_ListConnectionsInGroup")!;
        const facts = (spec: Obj, list: Obj[]) =>
          Object.fromEntries(
            list
              .map((p) => resolveParam(spec, p))
              .filter((p) => p.name !== "api-version")
              .map((p) => {
                const { required: _r, ...f } = paramFacts(p);
                return [p.name, f];
              }),
          );
        expect(facts(ours, o.op.parameters)).toEqual(facts(upstream, theirs.op.parameters));
        const group = schemaFacts(ours.definitions.GroupMember);
        // Deliberate: the live service returns null user ids (documented in swagger/README.md).
        delete group.properties.userId["x-nullable"];
        expect(group).toEqual(schemaFacts(upstream.definitions.GroupMember));
        expect(schemaFacts(ours.definitions.GroupMemberPagedValues)).toEqual(
          schemaFacts(upstream.definitions.GroupMemberPagedValues),
        );
      });
    }
  });
});
