// The options of every operation: the ones all operations take (checked by checkCommonOptions), and one rule per
// operation-specific option name (OPTION_RULES). An operation's descriptor (operation-table.ts) lists which of those
// names it takes; checkOperationOptions checks the names, then each given value by its rule, before any request.
import { checkOptionNames } from "./option-names.ts";
import type { OperationOptions } from "./options.ts";
import {
  checkAbortSignal,
  checkClientProtocol,
  checkExpiration,
  checkFilter,
  checkGroupArray,
  checkGroupValue,
  checkOptionalId,
  checkOptionalString,
  checkOptions,
  checkPositiveInteger,
  checkStringArray,
  checkTtl,
  MAX_PAGE_SIZE,
} from "./validation.ts";

function checkFunction(value: unknown, name: string): void {
  if (value !== undefined && typeof value !== "function") {
    throw new TypeError(`${name} must be a function when given, got ${value === null ? "null" : typeof value}.`);
  }
}

/**
 * The rule of every operation-specific option, by name; `name` is the option's path in errors (`options.top`).
 * `contentType` has no rule here: preparePayload checks it together with the message.
 */
const OPTION_RULES = {
  contentType: () => {},
  messageTtlSeconds: (value: unknown, name: string) => checkTtl(value, name),
  filter: (value: unknown, name: string) => checkFilter(value, name),
  excludedConnections: (value: unknown, name: string) => checkStringArray(value, name),
  excluded: (value: unknown, name: string) => checkStringArray(value, name),
  reason: (value: unknown, name: string) => checkOptionalString(value, name),
  targetName: (value: unknown, name: string) => {
    if (value !== undefined) checkGroupValue(value, name);
  },
  maxPageSize: (value: unknown, name: string) => checkPositiveInteger(value, name, MAX_PAGE_SIZE),
  top: (value: unknown, name: string) => checkPositiveInteger(value, name),
  continuationToken: (value: unknown, name: string) => checkOptionalId(value, name),
  userId: (value: unknown, name: string) => checkOptionalId(value, name),
  roles: (value: unknown, name: string) => checkStringArray(value, name),
  groups: (value: unknown, name: string) => checkGroupArray(value, name, false),
  expirationTimeInMinutes: (value: unknown, name: string) => checkExpiration(value, name),
  clientProtocol: (value: unknown, name: string) => checkClientProtocol(value, name),
} satisfies Record<string, (value: unknown, name: string) => void>;

/** The name of an operation-specific option. */
export type OptionName = keyof typeof OPTION_RULES;

/** Which options an operation takes besides the common ones, and which official ones it refuses (with the reason). */
export interface OperationOptionNames {
  /** In the order their values are checked. */
  readonly options: readonly OptionName[];
  readonly refused?: Readonly<Partial<Record<OptionName, string>>>;
}

/**
 * The options every operation takes, plus the names `where` accepts (`extra`; `refused` names official options it
 * refuses, with the reason): an unknown or refused option is an error naming it, never ignored.
 */
function checkCommonOptions(
  options: OperationOptions | undefined,
  where: string,
  extra: readonly string[],
  refused: Readonly<Record<string, string>>,
): void {
  checkOptions(options);
  checkOptionNames(options, where, extra, refused);
  checkAbortSignal(options?.abortSignal);
  checkFunction(options?.onResponse, "options.onResponse");
  const request = options?.requestOptions;
  checkOptions(request, "options.requestOptions");
  if (request?.timeout !== undefined && (!Number.isFinite(request.timeout) || request.timeout < 0)) {
    throw new RangeError(`options.requestOptions.timeout must be a number of milliseconds >= 0.`);
  }
  checkOptions(request?.customHeaders, "options.requestOptions.customHeaders");
  checkFunction(request?.onUploadProgress, "options.requestOptions.onUploadProgress");
  checkFunction(request?.onDownloadProgress, "options.requestOptions.onDownloadProgress");
}

/** Checks the options of one call of an operation: the names it takes, then each value by its rule. */
export function checkOperationOptions(
  operation: OperationOptionNames,
  options: OperationOptions | undefined,
  where: string,
): void {
  checkCommonOptions(options, where, operation.options, operation.refused ?? {});
  const values = options as Readonly<Record<string, unknown>> | undefined;
  for (const name of operation.options) OPTION_RULES[name](values?.[name], `options.${name}`);
}
