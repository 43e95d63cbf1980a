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

// The table covers every operation of the spec (the check the source file makes, restated).
export type Covered = MustBeNever<Uncovered<Table, never>>;
export type SameCheck = EveryRestOperationCovered;

// A table missing one operation is refused...
type WithoutHealth = Omit<Table, "getServiceStatus">;
// @ts-expect-error HEAD /api/health is neither described nor listed as not exposed
export type Missing = MustBeNever<Uncovered<WithoutHealth, never>>;
// ... unless that operation is listed as not exposed.
export type Listed = MustBeNever<Uncovered<WithoutHealth, { path: "/api/health"; method: "head" }>>;

// The check names what is missing.
const missing: Uncovered<WithoutHealth, never> = "HEAD /api/health";
// @ts-expect-error only the missing operation is uncovered
const notMissing: Uncovered<WithoutHealth, never> = "POST /api/hubs/{hub}/:send";
void [missing, notMissing];

// Every route key of the spec is a key of some described operation.
const sendKey: RouteKey<Table["sendToAll"]> = "POST /api/hubs/{hub}/:send";
void sendKey;

// Descriptors are constrained by the generated routes.
export const badPath = {
  sendToAll: {
    name: "sendToAll",
    method: "post",
    // @ts-expect-error not a path template of the API (a typo of /api/hubs/{hub}/:send)
    path: "/api/hubs/{hub}/send",
    retry: "send",
    accepts: "success",
    options: [],
  },
} satisfies Record<string, OperationDescriptor>;
export const badMethod = {
  // @ts-expect-error the health route has only head
  getServiceStatus: {
    name: "getServiceStatus",
    method: "get",
    path: "/api/health",
    retry: "none",
    accepts: "success",
    options: [],
  },
} satisfies Record<string, OperationDescriptor>;
export const badOption = {
  getServiceStatus: {
    name: "getServiceStatus",
    method: "head",
    path: "/api/health",
    retry: "none",
    accepts: "success",
    // @ts-expect-error options are names of OPTION_RULES (a typo of contentType)
    options: ["contentTyp"],
  },
} satisfies Record<string, OperationDescriptor>;
export const notExposed = [
  // @ts-expect-error a not-exposed operation is a route of the API too
  { path: "/api/hubs/{hub}/nothing", method: "get", why: "no such route" },
] satisfies readonly (RouteOperation & { why: string })[];
