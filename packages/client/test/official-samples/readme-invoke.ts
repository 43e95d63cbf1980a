// Section 5 of the official client's README ("Invoke upstream events"), with the same calls: only the import's
// package name differs, and the client access URL comes from WPS_CLIENT_ACCESS_URL instead of a pasted literal.
import { WebPubSubClient } from "@webpubsub/client";

const client = new WebPubSubClient(process.env.WPS_CLIENT_ACCESS_URL!);
await client.start();

const result = await client.invokeEvent("processOrder", { orderId: 1 }, "json");
console.log(`Invocation result: ${JSON.stringify(result.data)}`);
