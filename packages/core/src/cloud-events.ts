// CloudEvents (binary mode) header names and event types of the upstream protocol (protocol.md 5.3).

/** Lowercase header names, as handlers look them up. */
export const CloudEventsHeaders = {
  specVersion: "ce-specversion",
  awpsVersion: "ce-awpsversion",
  type: "ce-type",
  source: "ce-source",
  id: "ce-id",
  time: "ce-time",
  signature: "ce-signature",
  userId: "ce-userid",
  connectionId: "ce-connectionid",
  hub: "ce-hub",
  eventName: "ce-eventname",
  subprotocol: "ce-subprotocol",
  connectionState: "ce-connectionstate",
  webhookRequestOrigin: "webhook-request-origin",
  webhookAllowedOrigin: "webhook-allowed-origin",
} as const;

export const CloudEventTypes = {
  connect: "azure.webpubsub.sys.connect",
  connected: "azure.webpubsub.sys.connected",
  disconnected: "azure.webpubsub.sys.disconnected",
  userPrefix: "azure.webpubsub.user.",
  groupJoined: "azure.webpubsub.gp.joined",
  groupLeft: "azure.webpubsub.gp.left",
} as const;
