// Creating a WebPubSubServiceClient from a connection string: the constructor, fromConnectionString, and
// fromEnvironment (AZURE_WEBPUBSUB_CONNECTION_STRING + AZURE_WEBPUBSUB_HUB).
import { WebPubSubServiceClient } from "@webpubsub/service";
import { expectEqual, log, runSample } from "../support/sample.ts";

await runSample("construct a service client from a connection string", async ({ connectionString, hub }) => {
  // 1. the constructor: connection string + hub
  const fromConstructor = new WebPubSubServiceClient(connectionString, hub);
  log(
    `new WebPubSubServiceClient(cs, "${hub}") → endpoint ${fromConstructor.endpoint}, hub ${fromConstructor.hubName}`,
  );

  // 2. the static factory, same thing
  const fromFactory = WebPubSubServiceClient.fromConnectionString(connectionString, hub);

  // 3. from environment variables (here passed explicitly instead of process.env)
  const fromEnvironment = await WebPubSubServiceClient.fromEnvironment({
    env: { AZURE_WEBPUBSUB_CONNECTION_STRING: connectionString, AZURE_WEBPUBSUB_HUB: hub },
  });

  for (const [name, client] of Object.entries({ fromConstructor, fromFactory, fromEnvironment })) {
    // any call proves the key works: the health check, then a call that needs a valid token
    expectEqual(await client.getServiceStatus(), true, `${name}: the service is healthy`);
    expectEqual(await client.groupExists("no-such-group"), false, `${name}: an authenticated call succeeds`);
  }
  expectEqual(fromFactory.endpoint, fromConstructor.endpoint, "every way gives the same endpoint");
  expectEqual(fromEnvironment.hubName, hub, "fromEnvironment read the hub");

  // bad input fails fast, before any request
  try {
    new WebPubSubServiceClient("Endpoint=https://example.webpubsub.azure.com;Version=1.0;", hub);
    throw new Error("a connection string without AccessKey was accepted");
  } catch (error) {
    expectEqual(
      error instanceof TypeError,
      true,
      `a connection string without AccessKey throws: ${(error as Error).message}`,
    );
  }
});
