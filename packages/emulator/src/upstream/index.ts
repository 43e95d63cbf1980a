export { allowedOriginMatches } from "./abuse-protection.ts";
export { buildConnectBody, type ConnectEventBody } from "./connect-event.ts";
export {
  expandUrlTemplate,
  selectHandler,
  userEventPatternMatches,
  validateEventHandlerSettings,
} from "./event-handler-settings.ts";
export type {
  ConnectEventInput,
  ConnectResult,
  EventHandlerSettings,
  SystemEventName,
  UpstreamContext,
  UpstreamEvent,
  UpstreamInvokerOptions,
  UpstreamOutcome,
  UserEventResult,
} from "./types.ts";
export { UpstreamInvoker } from "./upstream-invoker.ts";
