// Drop-in rule: option values spelled the official client's way are accepted; binary data can be handed over as
// ArrayBuffer (binaryType) for code that checks `instanceof ArrayBuffer`.
import { describe, expect, it } from "vitest";
import { WebPubSubClient } from "../../src/index.ts";
import { resolveOptions } from "../../src/options.ts";
import { FakeServer } from "../fake-socket.ts";

const URL1 = "ws://localhost:8080/client/hubs/chat?access_token=t1";

describe("official option spellings", () => {
  it('reconnectRetryOptions.mode accepts "Exponential" and "Fixed" as well as the lower-case names', () => {
    expect(resolveOptions({ reconnectRetryOptions: { mode: "Exponential" } }).reconnectRetryOptions.mode).toBe(
      "exponential",
    );
    expect(resolveOptions({ messageRetryOptions: { mode: "Fixed" } }).messageRetryOptions.mode).toBe("fixed");
    expect(resolveOptions({ messageRetryOptions: { mode: "fixed" } }).messageRetryOptions.mode).toBe("fixed");
  });

  it("other mode values are refused, naming the option", () => {
    expect(() => resolveOptions({ reconnectRetryOptions: { mode: "Linear" as never } })).toThrow(
      /options\.reconnectRetryOptions\.mode/,
    );
    expect(() => resolveOptions({ reconnectRetryOptions: { mode: "EXPONENTIAL" as never } })).toThrow(TypeError);
  });

  it("binaryType must be uint8array or arraybuffer", () => {
    expect(resolveOptions({}).binaryType).toBe("uint8array");
    expect(resolveOptions({ binaryType: "arraybuffer" }).binaryType).toBe("arraybuffer");
    expect(() => resolveOptions({ binaryType: "blob" as never })).toThrow(/options\.binaryType/);
  });
});

describe("binaryType", () => {
  async function receiveBinary(binaryType?: "arraybuffer" | "uint8array") {
    const server = new FakeServer();
    const client = new WebPubSubClient(URL1, {
      webSocketFactory: server.factory,
      ...(binaryType ? { binaryType } : {}),
    });
    await server.start(client);
    const got: unknown[] = [];
    client.on("group-message", (e) => got.push(e.message.data));
    client.on("server-message", (e) => got.push(e.message.data));
    server.last.push({ type: "message", from: "group", group: "g", dataType: "binary", data: "eHl6" });
    server.last.push({ type: "message", from: "server", dataType: "protobuf", data: "eHl6" });
    server.last.push({ type: "message", from: "server", dataType: "text", data: "eHl6" });
    await client.stop();
    return got;
  }

  it('"arraybuffer" hands binary and protobuf data over as an ArrayBuffer of exactly the bytes; text is unchanged', async () => {
    const [a, b, c] = await receiveBinary("arraybuffer");
    expect(a).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(a as ArrayBuffer)]).toEqual([120, 121, 122]);
    expect(b).toBeInstanceOf(ArrayBuffer);
    expect((b as ArrayBuffer).byteLength).toBe(3);
    expect(c).toBe("eHl6");
  });

  it("the default hands binary data over as a Uint8Array", async () => {
    const [a] = await receiveBinary();
    expect(a).toBeInstanceOf(Uint8Array);
    expect(a).not.toBeInstanceOf(ArrayBuffer);
  });
});
