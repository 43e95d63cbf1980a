// Drop-in rule: the official @azure/web-pubsub-express sample works after changing the import: getMiddleware()
// returns Express middleware, and `req.context.states` values are typed loosely enough that `states.calledTime++`
// type-checks (this file is type-checked with the package).
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebPubSubEventHandler } from "../src/index.ts";
import { USER_MESSAGE } from "./helpers.ts";

// The official express sample's handler, unchanged but for the import.
const handler = new WebPubSubEventHandler("chat", {
  handleConnect: (req, res) => {
    res.success();
  },
  handleUserEvent: (req, res) => {
    const calledTime = req.context.states.calledTime++;
    res.setState("calledTime", calledTime);
    res.success(`${req.context.userId} called ${calledTime} times`, "text");
  },
});

let server: Server;
let base: string;

beforeAll(async () => {
  const app = express();
  app.use(handler.getMiddleware());
  server = app.listen(0);
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("the official express sample", () => {
  it("runs through getMiddleware(): the user event is answered and the state is written back", async () => {
    const response = await fetch(`${base}/api/webpubsub/hubs/chat/`, {
      method: "POST",
      headers: {
        "ce-specversion": "1.0",
        "ce-awpsversion": "1.0",
        "ce-type": USER_MESSAGE,
        "ce-source": "/hubs/chat/client/conn1",
        "ce-id": "1",
        "ce-time": new Date(0).toISOString(),
        "ce-hub": "chat",
        "ce-connectionid": "conn1",
        "ce-userid": "alice",
        "ce-eventname": "message",
        "webhook-request-origin": "a.com",
        "content-type": "text/plain; charset=utf-8",
      },
      body: "hi",
    });
    expect(response.status).toBe(200);
    // (the sample's counter starts from an absent state, hence NaN on the first call, as with the official package)
    expect(await response.text()).toMatch(/^alice called NaN times$/);
    expect(response.headers.get("ce-connectionstate")).toBeTruthy();
  });

  it("passes requests it does not serve to the next middleware", async () => {
    const response = await fetch(`${base}/elsewhere`);
    expect(response.status).toBe(404);
  });
});
