// How a message becomes a body and a Content-Type (preparePayload), and how web bodies become Node streams.
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { bodyForNode, preparePayload } from "../src/payload.ts";

const decode = (b: unknown) => new TextDecoder().decode(b as Uint8Array);

describe("preparePayload: content type selection", () => {
  it("sends a string as text/plain, unchanged", () => {
    expect(preparePayload("hello")).toEqual({ contentType: "text/plain", body: "hello", replayable: true });
  });

  it("serializes other values as JSON bytes", () => {
    for (const value of [{ x: 1 }, [1, "a"], 42, true, null]) {
      const p = preparePayload(value);
      expect(p.contentType).toBe("application/json");
      expect(decode(p.body)).toBe(JSON.stringify(value));
    }
  });

  it("sends binary input as octet-stream bytes, never JSON", () => {
    const bytes = new Uint8Array([0, 1, 2, 255]);
    expect(preparePayload(bytes)).toMatchObject({ contentType: "application/octet-stream", body: bytes });
    const ab = preparePayload(bytes.buffer);
    expect(ab.contentType).toBe("application/octet-stream");
    expect([...(ab.body as Uint8Array)]).toEqual([0, 1, 2, 255]);
    expect(preparePayload(Buffer.from("abc")).contentType).toBe("application/octet-stream");
    expect(preparePayload(new DataView(bytes.buffer)).contentType).toBe("application/octet-stream");
    expect(preparePayload(new Blob([bytes]))).toMatchObject({
      contentType: "application/octet-stream",
      webBody: "blob",
    });
  });

  it("sends any ArrayBuffer view as exactly the bytes it views", () => {
    const buffer = new Uint8Array([1, 2, 3, 4, 5, 6]).buffer;
    const view = preparePayload(new DataView(buffer, 1, 3));
    expect([...new Uint8Array((view.body as DataView).buffer, (view.body as DataView).byteOffset, 3)]).toEqual([
      2, 3, 4,
    ]);
    expect((view.body as ArrayBufferView).byteLength).toBe(3);
    const words = preparePayload(new Uint16Array(buffer, 2, 2));
    expect((words.body as ArrayBufferView).byteLength).toBe(4);
    expect(words.body).toBeInstanceOf(Uint16Array);
  });

  it("can send bytes, Blobs and JSON again (replayable); only streams cannot", () => {
    expect(preparePayload(new Uint8Array(1)).replayable).toBe(true);
    expect(preparePayload(new ArrayBuffer(1)).replayable).toBe(true);
    expect(preparePayload(new Blob(["b"])).replayable).toBe(true);
    expect(preparePayload({ a: 1 }).replayable).toBe(true);
    expect(preparePayload({ a: 1 }, "application/json").replayable).toBe(true);
    expect(preparePayload("s", "application/octet-stream").replayable).toBe(true);
    expect(preparePayload("s", "application/json").replayable).toBe(true);
  });

  it("sends a SharedArrayBuffer as octet-stream bytes over the same memory", () => {
    const shared = new SharedArrayBuffer(3);
    new Uint8Array(shared).set([7, 8, 9]);
    const p = preparePayload(shared);
    expect(p).toMatchObject({ contentType: "application/octet-stream", replayable: true });
    expect(p.body).toBeInstanceOf(Uint8Array);
    expect([...(p.body as Uint8Array)]).toEqual([7, 8, 9]);
  });

  it("reads an object as a stream only when it has both methods of one; otherwise it is JSON", () => {
    const pipe = () => {};
    const on = () => {};
    expect(preparePayload({ pipe, on })).toMatchObject({ contentType: "application/octet-stream", replayable: false });
    const getReader = () => {};
    const pipeTo = () => {};
    expect(preparePayload({ getReader, pipeTo })).toMatchObject({ webBody: "stream", replayable: false });
    for (const halfStream of [{ pipe }, { on }, { pipe, on: 1 }, { getReader }, { pipeTo }, { getReader, pipeTo: 1 }]) {
      const p = preparePayload(halfStream);
      expect(p.contentType, Object.keys(halfStream).join()).toBe("application/json");
      expect(p.replayable).toBe(true);
    }
  });

  it("streams are binary and cannot be replayed", () => {
    const node = Readable.from([Buffer.from("a")]);
    expect(preparePayload(node)).toMatchObject({ contentType: "application/octet-stream", replayable: false });
    const web = new ReadableStream<Uint8Array>();
    expect(preparePayload(web)).toMatchObject({
      contentType: "application/octet-stream",
      replayable: false,
      webBody: "stream",
    });
  });

  it("lets an explicit contentType win", () => {
    expect(decode(preparePayload("hi", "application/json").body)).toBe('"hi"');
    expect(decode(preparePayload("hi", "application/octet-stream").body)).toBe("hi");
    const bytes = new TextEncoder().encode('{"a":1}');
    expect(preparePayload(bytes, "application/json")).toMatchObject({ contentType: "application/json", body: bytes });
    expect(preparePayload(bytes, "text/plain").contentType).toBe("text/plain");
  });

  it("rejects what cannot be sent, naming the argument", () => {
    expect(() => preparePayload(undefined)).toThrow(/message is required/);
    expect(() => preparePayload(() => 1)).toThrow(TypeError);
    expect(() => preparePayload(1n)).toThrow(TypeError);
    expect(() => preparePayload({ a: 1 }, "text/plain")).toThrow(/message must be a string/);
    expect(() => preparePayload("x", "text/html")).toThrow(/options.contentType/);
    // the refused type is shown whole when short, by its first 64 characters when huge
    expect(() => preparePayload("x", "text/html")).toThrow(/, got "text\/html"\.$/);
    expect(() => preparePayload("x", `text/${"h".repeat(100_000)}` as never)).toThrow(
      new RegExp(`, got "text/${"h".repeat(59)}"\\.\\.\\.\\.$`),
    );
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => preparePayload(cyclic)).toThrow(/cannot be serialized as JSON/);
  });

  it("names the type of a message it cannot send: functions, symbols, bigints, values JSON leaves out", () => {
    const refusal = (type: string) =>
      new TypeError(`message of type ${type} is not supported; send a string, a JSON value or bytes.`);
    expect(() => preparePayload(() => 1)).toThrow(refusal("function"));
    expect(() => preparePayload(Symbol("s"))).toThrow(refusal("symbol"));
    expect(() => preparePayload(1n)).toThrow(refusal("bigint"));
    expect(() => preparePayload({ toJSON: () => undefined })).toThrow(
      new TypeError("message of type object cannot be serialized as JSON."),
    );
  });

  it("refuses a message whose toJSON throws, whatever it throws", () => {
    expect(() =>
      preparePayload({
        toJSON() {
          throw null;
        },
      }),
    ).toThrow(new TypeError("message cannot be serialized as JSON: undefined."));
  });

  it("refuses a contentType that is not one of the three strings, even for a string message", () => {
    for (const type of [5, null, "TEXT/PLAIN", ""]) {
      expect(() => preparePayload("x", type), String(type)).toThrow(
        /^options\.contentType must be "application\/json"/,
      );
    }
    expect(() => preparePayload(new Uint8Array(1), "image/png")).toThrow(/^options\.contentType must be/);
  });

  it("sends a string as bytes under octet-stream, and as text under text/plain", () => {
    expect(preparePayload("hé", "text/plain")).toEqual({ contentType: "text/plain", body: "hé", replayable: true });
    const bytes = preparePayload("hé", "application/octet-stream");
    expect(bytes.contentType).toBe("application/octet-stream");
    expect([...(bytes.body as Uint8Array)]).toEqual([0x68, 0xc3, 0xa9]);
    expect(() => preparePayload({ a: 1 }, "application/octet-stream")).toThrow(
      new TypeError('message must be a string or binary data when options.contentType is "application/octet-stream".'),
    );
  });

  // Rule: the caller's values are shown in an error by core's shown(), at most 64 characters. JSON.stringify's own
  // message names the properties of a cycle whole, so it is shown bounded too (and kept whole as the cause).
  it("shows why a message cannot be serialized by the first 64 characters of the reason", () => {
    const thrown = (message: unknown): TypeError => {
      try {
        preparePayload(message);
      } catch (error) {
        return error as TypeError;
      }
      throw new Error("preparePayload did not throw");
    };
    const short = thrown({ count: 1n });
    expect(short).toBeInstanceOf(TypeError);
    expect(short.message).toBe('message cannot be serialized as JSON: "Do not know how to serialize a BigInt".');
    const cyclic: Record<string, unknown> = {};
    cyclic["k".repeat(100_000)] = cyclic;
    const long = thrown(cyclic);
    expect(long).toBeInstanceOf(TypeError);
    expect(long.message).toMatch(
      /^message cannot be serialized as JSON: "Converting circular structure to JSON.{0,40}"\.\.\.\.$/s,
    );
    expect(long.message.length).toBeLessThan(150);
    expect((long.cause as Error).message).toContain("k".repeat(100_000));
  });
});

describe("bodyForNode", () => {
  async function read(stream: AsyncIterable<Uint8Array>): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(Buffer.from(c));
    return Buffer.concat(chunks).toString();
  }

  it("turns a Blob into a re-readable Node stream factory", async () => {
    const body = (await bodyForNode(preparePayload(new Blob(["blob data"])))) as () => Readable;
    expect(typeof body).toBe("function");
    expect(await read(body())).toBe("blob data");
    expect(await read(body())).toBe("blob data");
  });

  it("turns a web ReadableStream into a Node Readable", async () => {
    const web = new Blob(["web stream"]).stream();
    const body = (await bodyForNode(preparePayload(web))) as Readable;
    expect(body).toBeInstanceOf(Readable);
    expect(await read(body)).toBe("web stream");
  });

  it("leaves other bodies alone", async () => {
    const p = preparePayload("x");
    expect(await bodyForNode(p)).toBe("x");
  });
});
