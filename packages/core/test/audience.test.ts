import { clientAudience, clientBaseUrl, restAudienceMatches } from "@webpubsub/core";
import { describe, expect, test } from "vitest";

describe("restAudienceMatches", () => {
  const url = "https://h.webpubsub.azure.com/api/hubs/chat/:send?api-version=2024-12-01&excluded=a%20b";

  test("full URL and URL without query match", () => {
    expect(restAudienceMatches(url, url)).toBe(true);
    expect(restAudienceMatches("https://h.webpubsub.azure.com/api/hubs/chat/:send", url)).toBe(true);
  });

  test("case-insensitive", () => {
    expect(restAudienceMatches("HTTPS://H.WEBPUBSUB.AZURE.COM/API/HUBS/CHAT/:SEND", url)).toBe(true);
  });

  test("URL-decoded forms match", () => {
    expect(
      restAudienceMatches("https://h.webpubsub.azure.com/api/hubs/chat/:send?api-version=2024-12-01&excluded=a b", url),
    ).toBe(true);
    expect(
      restAudienceMatches("https://h/api/hubs/chat/groups/a%2Fb/:send", "https://h/api/hubs/chat/groups/a/b/:send"),
    ).toBe(true);
  });

  test("other URLs do not match", () => {
    expect(restAudienceMatches("https://h.webpubsub.azure.com/api/hubs/other/:send", url)).toBe(false);
    expect(restAudienceMatches("https://h.webpubsub.azure.com/api/hubs/chat", url)).toBe(false);
    expect(restAudienceMatches("https://evil.com/api/hubs/chat/:send", url)).toBe(false);
    expect(restAudienceMatches(`${url}&extra=1`, url)).toBe(false);
    expect(restAudienceMatches("", url)).toBe(false);
  });

  test("malformed percent-encoding does not throw", () => {
    expect(restAudienceMatches("https://h/%E0%A4%A", "https://h/%E0%A4%A")).toBe(true);
    expect(restAudienceMatches("https://h/%zz", "https://h/x")).toBe(false);
  });
});

describe("client audience and base URL", () => {
  test("default, mqtt and socketio paths", () => {
    expect(clientAudience("https://h", "chat")).toBe("https://h/client/hubs/chat");
    expect(clientAudience("http://h:8080/", "chat", "mqtt")).toBe("http://h:8080/clients/mqtt/hubs/chat");
    expect(clientBaseUrl("http://h:8080", "chat", "socketio")).toBe("ws://h:8080/clients/socketio/hubs/chat");
    expect(clientBaseUrl("https://h", "chat")).toBe("wss://h/client/hubs/chat");
  });

  test("validates the hub and the protocol", () => {
    expect(() => clientAudience("https://h", "bad hub")).toThrow(TypeError);
    expect(() => clientAudience("https://h", "chat", "grpc" as never)).toThrow(/protocol/);
    expect(() => clientBaseUrl("", "chat")).toThrow(TypeError);
  });
});
