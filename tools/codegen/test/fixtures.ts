// Small Swagger documents, one feature each, and a helper to generate them without formatting.
import { generate } from "../src/index.ts";

export type Spec = Record<string, unknown>;

export function spec(paths: Record<string, unknown>, extra: Spec = {}): Spec {
  return { swagger: "2.0", info: { title: "Fixture", version: "2020-01-01" }, paths, ...extra };
}

export function gen(s: unknown): Map<string, string> {
  return generate(s, {
    clientName: "FixtureClient",
    loggerNamespace: "fixture",
    userAgent: "fixture",
    source: "fixture.json",
  });
}

export const ok = { "200": { description: "OK" } };

/** A minimal GET operation. */
export function getOp(operationId: string, more: Record<string, unknown> = {}): Record<string, unknown> {
  return { operationId, responses: ok, ...more };
}
