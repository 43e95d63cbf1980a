#!/usr/bin/env node
// Extracts, once, the facts of the upstream Web PubSub OpenAPI documents that packages/rest/test/swagger.test.ts
// compares with swagger/webpubsub.json, into fixtures/reference/upstream-spec-facts.json. Run it again only when a new
// upstream API version is adopted:
//
//   node scripts/extract-spec-facts.ts <path to webpubsub-2024-01-01.json> <path to webpubsub-2024-12-01.openapi.json>
//
// The inputs are the data-plane documents of Azure/azure-rest-api-specs
// (specification/webpubsub/data-plane/WebPubSub/stable/<version>/), MIT-licensed.
import { readFileSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import { reduceSpec, specKind, type UpstreamSpecFacts } from "../packages/rest/test/helpers/spec-facts.ts";

const inputs = process.argv.slice(2);
if (inputs.length === 0) {
  console.error("usage: node scripts/extract-spec-facts.ts <upstream OpenAPI document>...");
  process.exit(2);
}

const facts: UpstreamSpecFacts = {
  source: {
    repository: "Azure/azure-rest-api-specs, specification/webpubsub/data-plane/WebPubSub (MIT licence)",
    extractedBy: "scripts/extract-spec-facts.ts: operations, parameters, media types, status codes, schemas; no prose",
  },
  documents: {},
};
for (const file of inputs) {
  const spec = JSON.parse(readFileSync(file, "utf8"));
  const kind = specKind(spec);
  facts.documents[basename(file)] = {
    kind,
    // The TypeSpec comparison reads only the listing's page models.
    spec: reduceSpec(spec, kind, ["GroupMember", "GroupMemberPagedValues"]),
  };
}

const out = new URL("../fixtures/reference/upstream-spec-facts.json", import.meta.url);
writeFileSync(out, `${JSON.stringify(facts, null, 1)}\n`);
console.log(`wrote ${out.pathname}: ${Object.keys(facts.documents).join(", ")}`);
