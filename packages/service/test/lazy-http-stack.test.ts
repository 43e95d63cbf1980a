// Rule: importing @webpubsub/service and constructing a client loads no HTTP stack (@azure/core-rest-pipeline, its
// runtime, @azure/core-auth, @azure/logger, @azure/core-tracing); signing client tokens needs none of it either. The
// first request loads it, and then behaves as before. Checked in a fresh Node process that records every module it
// resolves (module.registerHooks), since a module loaded once stays loaded in this test process.
import { execFile } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { RestError as PipelineRestError } from "@azure/core-rest-pipeline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AzureKeyCredential, isRestError, RestError, WebPubSubServiceClient } from "../src/index.ts";

const HTTP_STACK =
  /@azure[+/](core-rest-pipeline|core-auth|logger|core-tracing|core-client)|@azure-rest|ts-http-runtime/;

const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    if (req.url?.includes("/users/missing")) {
      res.writeHead(404, { "x-ms-error-code": "Warning.User.NotExisted" }).end();
    } else {
      res.writeHead(202).end();
    }
  });
});
let endpoint = "";

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Runs `body` in a fresh Node process (sources, like the tests) and returns the HTTP-stack modules it loaded. */
// The child is awaited, never run synchronously: its request goes to `server` in this process, which must stay free to
// answer it.
async function loadedInChild(body: string): Promise<{ before: string[]; after: string[]; out: string }> {
  const script = `
    import { registerHooks } from "node:module";
    const seen = [];
    registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); seen.push(r.url); return r; } });
    const stack = () => seen.filter((u) => ${HTTP_STACK}.test(u));
    const { WebPubSubServiceClient, AzureKeyCredential } = await import("@webpubsub/service");
    let out = "";
    ${body}
    process.stdout.write(JSON.stringify({ before: globalThis.before ?? [], after: stack(), out }));
  `;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--conditions=source", "--input-type=module", "-e", script],
    {
      env: { ...process.env, WPS_ENDPOINT: endpoint },
      cwd: new URL("..", import.meta.url).pathname,
      encoding: "utf8",
    },
  );
  return JSON.parse(stdout) as { before: string[]; after: string[]; out: string };
}

describe("the HTTP stack is loaded at the first request", () => {
  it("import, construction and client tokens load none of it; the first request loads it and is sent", async () => {
    const r = await loadedInChild(`
      const client = new WebPubSubServiceClient(${JSON.stringify("ENDPOINT")}.replace("ENDPOINT", process.env.WPS_ENDPOINT), new AzureKeyCredential("a".repeat(44)), "chat");
      const token = await client.getClientAccessToken({ userId: "u1" });
      globalThis.before = stack();
      await client.sendToAll("hi");
      out = token.url;
    `);
    expect(r.before).toEqual([]);
    expect(r.after.some((u) => u.includes("core-rest-pipeline"))).toBe(true);
    expect(r.out).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/client\/hubs\/chat\?access_token=/);
  });

  it("the constructor still refuses what the REST client would refuse, before loading anything", () => {
    const entra = { getToken: async () => null };
    expect(() => new WebPubSubServiceClient("http://wps.contoso.com", entra, "chat")).toThrow(
      /uses plain http.*allowInsecureConnection: true/,
    );
    expect(() => new WebPubSubServiceClient("http://127.0.0.1:1", entra, "chat")).not.toThrow();
  });
});

describe("RestError without the pipeline loaded", () => {
  it("recognises the errors of failed requests, whichever class made them", async () => {
    const client = new WebPubSubServiceClient(endpoint, new AzureKeyCredential("a".repeat(44)), "chat");
    await client.sendToUser("present", "hi"); // 202: not an error
    const error = await client.sendToUser("missing", "hi").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RestError);
    expect(error).toBeInstanceOf(PipelineRestError);
    expect(isRestError(error)).toBe(true);
    expect((error as RestError).statusCode).toBe(404);
    expect(new PipelineRestError("x", { statusCode: 500 })).toBeInstanceOf(RestError);
  });

  it("does not take other errors for RestErrors", () => {
    const plain = new Error("x");
    const typeError = new TypeError("RestError");
    expect(plain).not.toBeInstanceOf(RestError);
    expect(typeError).not.toBeInstanceOf(RestError);
    expect(isRestError({ name: "RestError", message: "not an Error" })).toBe(false);
    expect(isRestError(undefined)).toBe(false);
  });

  it("constructs like the pipeline's class: name, code, status, hidden request and response", () => {
    const e = new RestError("failed", { code: RestError.REQUEST_SEND_ERROR, statusCode: 503 });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe("RestError");
    expect(e.code).toBe("REQUEST_SEND_ERROR");
    expect(e.statusCode).toBe(503);
    expect(Object.keys(e)).not.toContain("request");
    expect(RestError.PARSE_ERROR).toBe("PARSE_ERROR");
  });
});

describe("AzureKeyCredential", () => {
  it("holds a non-empty key and rotates it with update", () => {
    const credential = new AzureKeyCredential("k1");
    expect(credential.key).toBe("k1");
    credential.update("k2");
    expect(credential.key).toBe("k2");
    expect(() => new AzureKeyCredential("")).toThrow(/non-empty/);
    expect(() => credential.update("")).toThrow(/non-empty/);
    expect(credential.key).toBe("k2");
  });
});
