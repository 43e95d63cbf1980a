// Type-level tests of the operation table, checked by `pnpm typecheck` (tsc): each @ts-expect-error line must be a
// compile error, or the typecheck fails with "Unused '@ts-expect-error' directive". Never executed.
import type { RouteOperation } from "@webpubsub/rest";
import type {
  EveryRestOperationCovered,
  MustBeNever,
  OPERATIONS,
  OperationDescriptor,
  RouteKey,
  Uncovered,
} from "../src/operation-table.ts";

type Table = typeof OPERATIONS;
/** True when two types are identical (not merely assignable). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

// The source file makes the check (EveryRestOperationCovered compiles only when nothing is uncovered). These tests
// hold whatever the spec holds: after `pnpm regen` with a new operation, only the source file's check fails.
export type Check = EveryRestOperationCovered;

// A table missing one operation has that operation uncovered, named as `METHOD /path`...
// (The examples use the broadcast route, the one route the API cannot lose.)
type WithoutSend = Omit<Table, "sendToAll">;
const missing: Equal<Uncovered<WithoutSend, never>, "POST /api/hubs/{hub}/:send" | Uncovered<Table, never>> = true;
// @ts-expect-error the check refuses a table with an uncovered operation
export type Refused = MustBeNever<"POST /api/hubs/{hub}/:send" | Uncovered<Table, never>>;
// ... unless that operation is listed as not exposed.
const send = { path: "/api/hubs/{hub}/:send", method: "post" } as const;
const listed: Equal<Uncovered<WithoutSend, typeof send>, Uncovered<Table, never>> = true;
void [missing, listed];

// The key of a described operation.
const sendKey: RouteKey<Table["sendToAll"]> = "POST /api/hubs/{hub}/:send";
void sendKey;

// Descriptors are constrained by the generated routes: the table's own broadcast entry with one field wrong.
declare const sendToAll: Table["sendToAll"];
export const badPath = {
  sendToAll: {
    ...sendToAll,
    // @ts-expect-error not a path template of the API (a typo of /api/hubs/{hub}/:send)
    path: "/api/hubs/{hub}/send",
  },
} satisfies Record<string, OperationDescriptor>;
export const badMethod = {
  // @ts-expect-error the broadcast route has only post
  sendToAll: { ...sendToAll, method: "get" },
} satisfies Record<string, OperationDescriptor>;
export const badOption = {
  sendToAll: {
    ...sendToAll,
    // @ts-expect-error options are names of OPTION_RULES (a typo of contentType)
    options: ["contentTyp"],
  },
} satisfies Record<string, OperationDescriptor>;
export const notExposed = [
  // @ts-expect-error a not-exposed operation is a route of the API too
  { path: "/api/hubs/{hub}/nothing", method: "get", why: "no such route" },
] satisfies readonly (RouteOperation & { why: string })[];
