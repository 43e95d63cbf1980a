// Test helper: captures what the client logs through @azure/logger, at every level, until restore().
import { AzureLogger, getLogLevel, setLogLevel } from "@azure/logger";

export interface CapturedLogs {
  /** Every line logged since the capture began, its arguments joined by spaces. */
  readonly lines: string[];
  /** Puts back the logger's output and level as they were. */
  restore(): void;
}

export function captureLogs(): CapturedLogs {
  const lines: string[] = [];
  const previousLog = AzureLogger.log;
  const previousLevel = getLogLevel();
  AzureLogger.log = (...args: unknown[]) => {
    lines.push(args.map(String).join(" "));
  };
  setLogLevel("verbose");
  return {
    lines,
    restore() {
      AzureLogger.log = previousLog;
      setLogLevel(previousLevel);
    },
  };
}
