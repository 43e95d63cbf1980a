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
