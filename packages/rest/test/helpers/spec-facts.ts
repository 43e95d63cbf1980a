// The facts of an OpenAPI 2.0 document that swagger.test.ts compares (operations, paths, methods, parameters, media
// types, status codes, response schemas and header names, definitions, host parameter), without the prose. The same
// functions reduce the upstream documents once (scripts/extract-spec-facts.ts writes the committed fixture) and read
// our own swagger/webpubsub.json in the test, so both sides go through one rule.

// biome-ignore lint/suspicious/noExplicitAny: walks untyped JSON documents
export type Obj = Record<string, any>;

/** "classic": the hand-written Swagger document (every fact must match); "typespec": the TypeSpec-generated one. */
export type SpecKind = "classic" | "typespec";

export interface UpstreamSpecFacts {
  /** Where each document came from and how the facts were taken (written by the extraction script). */
  source: Record<string, string>;
  documents: Record<string, { kind: SpecKind; spec: Obj }>;
}

export function resolveParam(spec: Obj, p: Obj): Obj {
  return typeof p.$ref === "string" ? spec.parameters[p.$ref.split("/").pop()!] : p;
}

/** The facts of a parameter: everything but prose and autorest placement hints. */
export function paramFacts(p: Obj): Obj {
  const { description: _d, "x-ms-parameter-location": _l, ...rest } = p;
  return JSON.parse(JSON.stringify(rest, (k, v) => (k === "description" ? undefined : v)));
}

export function schemaFacts(s: Obj): Obj {
  return JSON.parse(
    JSON.stringify(s, (k, v) =>
      k === "description" || k === "example" || k === "additionalProperties" ? undefined : v,
    ),
  );
}

/** operationId -> { path, method, op }. */
export function operations(spec: Obj): Map<string, Obj> {
  const out = new Map<string, Obj>();
  for (const [path, item] of Object.entries(spec.paths as Obj)) {
    for (const [method, op] of Object.entries(item as Obj)) out.set(op.operationId, { path, method, op });
  }
  return out;
}

/** The classic document declares api-version inline on the health operation; the TypeSpec one references it. */
export function specKind(spec: Obj): SpecKind {
  return spec.paths?.["/api/health"]?.head?.parameters?.[0]?.name === "api-version" ? "classic" : "typespec";
}

/**
 * A document reduced to the facts the comparison reads: parameters resolved and stripped of prose, responses kept as
 * their schema and header names, definitions as schema facts (for a TypeSpec document only the `keepDefinitions`).
 */
export function reduceSpec(spec: Obj, kind: SpecKind, keepDefinitions: string[] = []): Obj {
  const paths: Obj = {};
  for (const { path, method, op } of operations(spec).values()) {
    const responses: Obj = {};
    for (const [code, r] of Object.entries(op.responses as Obj)) {
      responses[code] = {
        ...(r.schema ? { schema: schemaFacts(r.schema) } : {}),
        ...(r.headers ? { headers: Object.fromEntries(Object.keys(r.headers).map((h) => [h, {}])) } : {}),
      };
    }
    paths[path] ??= {};
    paths[path][method] = {
      operationId: op.operationId,
      parameters: ((op.parameters ?? []) as Obj[]).map((p) => paramFacts(resolveParam(spec, p))),
      ...(op.consumes ? { consumes: op.consumes } : {}),
      ...(op.produces ? { produces: op.produces } : {}),
      responses,
    };
  }
  const definitions = Object.fromEntries(
    Object.entries(spec.definitions as Obj)
      .filter(([name]) => kind === "classic" || keepDefinitions.includes(name))
      .map(([name, def]) => [name, schemaFacts(def)]),
  );
  const host = spec["x-ms-parameterized-host"];
  return {
    info: { version: spec.info?.version },
    ...(spec.consumes ? { consumes: spec.consumes } : {}),
    paths,
    definitions,
    ...(host
      ? { "x-ms-parameterized-host": { hostTemplate: host.hostTemplate, parameters: host.parameters.map(paramFacts) } }
      : {}),
  };
}
