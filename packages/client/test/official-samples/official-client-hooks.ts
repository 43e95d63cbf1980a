// Loaded with `node --import` by official-samples.test.ts: the samples' "@webpubsub/client" import resolves to the
// official @azure/web-pubsub-client 1.1.0, so the same file runs against both clients.
import { registerHooks } from "node:module";

registerHooks({
  resolve(specifier, context, nextResolve) {
    return nextResolve(specifier === "@webpubsub/client" ? "@azure/web-pubsub-client" : specifier, context);
  },
});
