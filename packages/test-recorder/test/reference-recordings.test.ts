// Every test-proxy JSON recording made by the official Azure SDK test infrastructure replays, unchanged, through a
// core-rest-pipeline client.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { getClient } from "@azure-rest/core-client";
import { describe, expect, it } from "vitest";
import { createRecorder, decodeBody, getTestMode, parseRecording } from "../src/index.ts";
import { createHttpHeaders, createPipelineRequest, noNetwork, pipelineWith } from "./helpers.ts";

// The vendored recordings at the repository root (fixtures/reference/README.md names their source).
const ROOT = fileURLToPath(new URL("../../../fixtures/reference/recordings", import.meta.url));

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

const files = walk(ROOT).filter((f) => f.endsWith(".json"));

function reorderKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reorderKeys);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([k, v]) => [k, reorderKeys(v)]),
    );
  }
  return value;
}

describe("reference recordings in fixtures/reference/recordings", () => {
  it("finds the recordings", () => {
    expect(files.length).toBeGreaterThan(0);
    expect(getTestMode({})).toBe("playback");
  });

  it.each(files.map((f) => [f.slice(ROOT.length + 1), f]))("replays %s", async (_name, file) => {
    const recording = parseRecording(readFileSync(file, "utf8"), file);
    const recorder = await createRecorder(undefined, {
      mode: "playback",
      recordingPath: file,
      env: {},
      failOnUnusedEntries: true,
    });
    const pipeline = pipelineWith(recorder.policy);
    for (const entry of recording.Entries) {
      const contentType = Object.entries(entry.RequestHeaders).find(([k]) => k.toLowerCase() === "content-type")?.[1];
      let body: string | Buffer | undefined;
      if (entry.RequestBody !== null && typeof entry.RequestBody === "object") {
        // Same JSON, different key order: bodies are compared structurally.
        body = JSON.stringify(reorderKeys(entry.RequestBody));
      } else {
        const bytes = decodeBody(entry.RequestBody, contentType);
        body = bytes ? Buffer.from(bytes) : undefined;
      }
      // Another host than the recorded one ("endpoint", "Sanitized", "rp-endpoint"): hosts are sanitized on both sides.
      const url = entry.RequestUri.replace(/^https:\/\/[^/]+/, "https://my-service.webpubsub.azure.com");
      const request = createPipelineRequest({
        url,
        method: entry.RequestMethod as "GET",
        headers: createHttpHeaders(contentType ? { "Content-Type": contentType } : {}),
        body,
      });
      const response = await pipeline.sendRequest(noNetwork, request);
      expect(response.status).toBe(entry.StatusCode);
      const errorCode = Object.entries(entry.ResponseHeaders).find(([k]) => k.toLowerCase() === "x-ms-error-code")?.[1];
      expect(response.headers.get("x-ms-error-code")).toBe(errorCode);
      if (entry.RequestMethod === "HEAD") expect(response.bodyAsText).toBeUndefined();
      else if (entry.ResponseBody === null) expect(response.bodyAsText).toBe("");
      else if (typeof entry.ResponseBody === "object")
        expect(JSON.parse(response.bodyAsText!)).toEqual(entry.ResponseBody);
      else expect(response.bodyAsText).toBe(entry.ResponseBody);
    }
    await recorder.stop();
  });

  const paging = files.find((f) =>
    f.endsWith("recording_can_list_connections_with_6_connections_maxcounteq5_pagesizeeq2.json"),
  );
  it("replays a paged listing through an @azure-rest/core-client client, following nextLink", async () => {
    expect(paging, "the paged listing recording").toBeDefined();
    const recorder = await createRecorder(undefined, { mode: "playback", recordingPath: paging!, env: {} });
    const client = getClient(
      "https://my-service.webpubsub.azure.com",
      recorder.configureClientOptions({ httpClient: noNetwork, retryOptions: { maxRetries: 0 } }),
    );
    const token = await client.path("/api/hubs/{hub}/:generateToken", "listconnectionsingroup").post({
      queryParameters: { group: "group1", "api-version": "2024-12-01" },
    });
    expect(token.status).toBe("200");
    const ids: string[] = [];
    let next: string | undefined = "first";
    let response = await client
      .path("/api/hubs/{hub}/groups/{group}/connections", "listconnectionsingroup", "group1")
      .get({
        // other order than recorded
        queryParameters: { top: 5, maxpagesize: 2, "api-version": "2024-12-01" },
      });
    while (next) {
      expect(response.status).toBe("200");
      const page = response.body as { value: { connectionId: string }[]; nextLink?: string };
      ids.push(...page.value.map((c) => c.connectionId));
      next = page.nextLink;
      if (next) response = await client.pathUnchecked(next).get();
    }
    expect(ids).toHaveLength(5);
    await recorder.stop();
  });
});
