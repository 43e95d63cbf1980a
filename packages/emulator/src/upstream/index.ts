// The CloudEvents upstream: the invoker, the settings check and matching, and the shapes they use.
export { allowedOriginMatches } from "./abuse-protection.ts";
export { buildConnectBody, type ConnectEventBody } from "./connect-event.ts";
export {
  checkEventHandlerSettings,
  expandUrlTemplate,
  selectHandler,
  userEventPatternMatches,
} from "./event-handler-settings.ts";
export { isSystemEventName, SYSTEM_EVENT_NAMES } from "./system-events.ts";
export type * from "./types.ts";
export { UpstreamInvoker } from "./upstream-invoker.ts";
