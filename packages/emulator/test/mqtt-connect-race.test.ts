// Rule: one live MQTT session per client id and hub (MQTT 5.0 section 3.1.4 step 3, 3.1.1 section 3.1.4): a CONNECT
// takes over the session of its client id even when another CONNECT with that id was decided while its own upstream
// `connect` event was in flight. Before, the session was looked up before the event and not again: two clients whose
// connect events overlapped both stayed connected under one client id. Checked both ways: connects that do not overlap
// take over as before.
import type { ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../src/index.ts";
import { ALL_GROUP_ROLES, rest } from "./helpers/clients.ts";
import { connectHoldingHandler, mqttToken, mqttUrl, quietKeepAlive, RawMqtt } from "./mqtt-helpers.ts";
import type { HandlerServer } from "./upstream-fixtures/handler-server.ts";

/** connect events answered when the test says so */
let held: ServerResponse[];
let handler: HandlerServer;
let emu: RunningEmulator;
beforeAll(async () => {
  ({ handler, held } = await connectHoldingHandler());
  emu = await startEmulator({
    hubs: { race: { eventHandlers: [{ urlTemplate: `${handler.base}/{event}`, systemEvents: ["connect"] }] } },
  });
});
afterAll(async () => {
  await emu.close();
  await handler.close();
});

const connectEvents = () => handler.events().filter((r) => r.headers["ce-eventname"] === "connect").length;

/** A raw client whose CONNECT of `clientId` waits for its connect event; its session joins group `clientId`. */
async function startConnect(version: 4 | 5, clientId: string): Promise<RawMqtt> {
  const token = mqttToken(emu, "race", { role: ALL_GROUP_ROLES, "webpubsub.group": [clientId] });
  const raw = new RawMqtt(mqttUrl(emu, "race", token), version);
  await raw.opened;
  const before = connectEvents();
  raw.send({
    cmd: "connect",
    protocolId: "MQTT",
    protocolVersion: version,
    clean: true,
    clientId,
    keepalive: quietKeepAlive(version),
  });
  await handler.waitFor(() => connectEvents() > before);
  return raw;
}

function accept(): void {
  const res = held.shift()!;
  res.writeHead(204).end();
}

/** The live sessions of client id `clientId` (the members of its group), as the service lists them. */
async function sessionsOf(clientId: string): Promise<number> {
  const r = await rest(emu, "GET", `/api/hubs/race/groups/${clientId}/connections`);
  expect(r.status).toBe(200);
  return (r.json() as { value: unknown[] }).value.length;
}

describe.each([4, 5] as const)("MQTT level %i, two CONNECTs of one client id", (version) => {
  it("whose connect events overlap: the later one takes over the earlier", async () => {
    const id = `overlap${version}`;
    const a = await startConnect(version, id);
    const b = await startConnect(version, id); // A's event is still in flight
    accept();
    expect(await a.next("connack")).toMatchObject({ cmd: "connack" });
    accept();
    expect(await b.next("connack")).toMatchObject({ cmd: "connack" });
    expect(await sessionsOf(id)).toBe(1); // A's was taken over before B's CONNACK went out
    await a.closed;
    expect(b.ws.readyState).toBe(b.ws.OPEN);
    b.ws.close();
    await b.closed;
  });

  it("that do not overlap: the later one takes over the earlier", async () => {
    const id = `serial${version}`;
    const a = await startConnect(version, id);
    accept();
    await a.next("connack");
    const b = await startConnect(version, id);
    accept();
    await b.next("connack");
    expect(await sessionsOf(id)).toBe(1);
    await a.closed;
    expect(b.ws.readyState).toBe(b.ws.OPEN);
    b.ws.close();
    await b.closed;
  });
});
