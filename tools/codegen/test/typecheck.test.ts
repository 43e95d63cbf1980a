// Generates a spec that uses every supported feature at once and compiles the result with tsc (strict, the repo's
// settings), together with a small program that calls the generated routes.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";
import { generate } from "../src/index.ts";
import { spec } from "./fixtures.ts";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const temp = mkdtempSync(join(tmpdir(), "codegen-tsc-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const kitchenSink = spec(
  {
    "/stores/{storeId}/pets": {
      parameters: [{ $ref: "#/parameters/StoreId" }],
      get: {
        operationId: "Pets_List",
        "x-ms-pageable": { nextLinkName: "nextLink" },
        parameters: [
          { in: "query", name: "api-version", required: true, type: "string" },
          {
            in: "query",
            name: "kind",
            type: "array",
            items: { type: "string", enum: ["dog", "cat"] },
            collectionFormat: "multi",
          },
          { in: "query", name: "ids", type: "array", items: { type: "integer" }, collectionFormat: "csv" },
          { in: "header", name: "x-request-tag", type: "string" },
          { in: "query", name: "order", type: "string", enum: ["Name", "Age"] },
        ],
        responses: {
          "200": { description: "a page", schema: { $ref: "#/definitions/PetPage" } },
          default: { $ref: "#/responses/Error" },
        },
      },
      post: {
        operationId: "Pets_Create",
        consumes: ["application/json", "application/octet-stream", "text/plain"],
        parameters: [{ in: "body", name: "pet", required: true, schema: { type: "string", format: "binary" } }],
        responses: {
          "201": { description: "created", schema: { $ref: "#/definitions/Pet" } },
          default: { $ref: "#/responses/Error" },
        },
      },
    },
    "/stores/{storeId}/pets/{petId}": {
      parameters: [
        { $ref: "#/parameters/StoreId" },
        { in: "path", name: "petId", required: true, type: "string", "x-ms-client-name": "id" },
      ],
      head: { operationId: "Pets_Exists", responses: { "200": { description: "yes" }, "404": { description: "no" } } },
      put: {
        operationId: "Pets_Replace",
        parameters: [{ in: "body", name: "pet", required: true, schema: { $ref: "#/definitions/PetAlias" } }],
        responses: { "200": { description: "ok", schema: { $ref: "#/definitions/Pet" } } },
      },
    },
  },
  {
    "x-ms-paths": {
      "/stores/{storeId}/pets?op=feed": {
        post: {
          operationId: "Pets_Feed",
          parameters: [
            { $ref: "#/parameters/StoreId" },
            { in: "query", name: "grams", required: true, type: "number" },
          ],
          responses: { "202": { description: "fed" } },
        },
      },
    },
    "x-ms-parameterized-host": {
      hostTemplate: "{account}.pets.example",
      parameters: [{ name: "account", in: "path", required: true, type: "string" }],
    },
    securityDefinitions: {
      aad: { type: "oauth2", flow: "implicit", authorizationUrl: "https://x", scopes: { "https://pets/.default": "" } },
    },
    parameters: { StoreId: { in: "path", name: "storeId", required: true, type: "string" } },
    responses: {
      Error: {
        description: "error",
        "x-ms-error-response": true,
        schema: { $ref: "#/definitions/Error" },
        headers: { "x-ms-error-code": { type: "string" } },
      },
    },
    definitions: {
      Animal: {
        type: "object",
        properties: { born: { type: "string", format: "date-time" }, readonlyTag: { type: "string", readOnly: true } },
      },
      Pet: {
        allOf: [{ $ref: "#/definitions/Animal" }],
        type: "object",
        required: ["name"],
        properties: {
          name: { type: "string" },
          kind: { type: "string", enum: ["dog", "cat"], "x-ms-enum": { name: "PetKind", modelAsString: true } },
          owner: { type: "string", "x-nullable": true },
          attributes: { type: "object", additionalProperties: { type: "integer" } },
          friends: { type: "array", items: { $ref: "#/definitions/Pet" } },
        },
      },
      PetAlias: { $ref: "#/definitions/Pet" },
      PetPage: {
        type: "object",
        required: ["value"],
        properties: { value: { type: "array", items: { $ref: "#/definitions/Pet" } }, nextLink: { type: "string" } },
      },
      Error: { type: "object", properties: { code: { type: "string" }, message: { type: "string" } } },
    },
  },
);

const usage = `
import createClient, { isUnexpected, paginate } from "./generated/index.ts";

export async function use(): Promise<string[]> {
  const client = createClient("acct");
  const list = await client.path("/stores/{storeId}/pets", "s1").get({ queryParameters: { kind: ["dog"], ids: [1, 2], order: "Age" }, headers: { "x-request-tag": "t" } });
  if (isUnexpected(list)) throw new Error(list.body.message);
  const names: string[] = [];
  for await (const pet of paginate(client, list)) names.push(pet.name, pet.owner ?? "", pet.kind ?? "");
  await client.path("/stores/{storeId}/pets", "s1").post({ contentType: "text/plain", body: "rex" });
  await client.path("/stores/{storeId}/pets", "s1").post({ contentType: "application/octet-stream", body: new Uint8Array(1) });
  const exists = await client.path("/stores/{storeId}/pets/{petId}", "s1", "p1").head();
  names.push(exists.status);
  await client.path("/stores/{storeId}/pets/{petId}", "s1", "p1").put({ body: { name: "rex", born: new Date(), attributes: { legs: 4 } } });
  await client.path("/stores/{storeId}/pets?op=feed", "s1").post({ queryParameters: { grams: 10 } });
  // @ts-expect-error grams is required
  await client.path("/stores/{storeId}/pets?op=feed", "s1").post({});
  // @ts-expect-error two path arguments
  client.path("/stores/{storeId}/pets/{petId}", "s1");
  // @ts-expect-error readOnly properties are not part of input models
  await client.path("/stores/{storeId}/pets/{petId}", "s1", "p1").put({ body: { name: "rex", readonlyTag: "x" } });
  return names;
}
`;

// One tsc run over a generated client: real work, so a timeout that holds on a busy machine.
it("compiles the generated client of a spec using every feature, and rejects misuse", { timeout: 120_000 }, () => {
  const files = generate(kitchenSink, {
    clientName: "PetsClient",
    loggerNamespace: "pets",
    userAgent: "pets",
    source: "pets.json",
  });
  const dir = join(temp, "generated");
  mkdirSync(dir, { recursive: true });
  for (const [name, code] of files) writeFileSync(join(dir, name), code);
  writeFileSync(join(temp, "usage.ts"), usage);
  writeFileSync(join(temp, "package.json"), JSON.stringify({ type: "module" }));
  // Resolve @azure-rest/core-client and friends from the rest package, which depends on them.
  symlinkSync(join(repoRoot, "packages/rest/node_modules"), join(temp, "node_modules"), "dir");
  writeFileSync(
    join(temp, "tsconfig.json"),
    JSON.stringify({
      extends: join(repoRoot, "tsconfig.base.json"),
      compilerOptions: { noEmit: true, types: [], typeRoots: [join(repoRoot, "node_modules/@types")] },
      include: ["generated", "usage.ts"],
    }),
  );
  const tsc = spawnSync(join(repoRoot, "node_modules/.bin/tsc"), ["-p", join(temp, "tsconfig.json")], {
    encoding: "utf8",
  });
  expect(tsc.stdout + tsc.stderr).toBe("");
  expect(tsc.status).toBe(0);
});
