// Runs the walkthrough's steps in order: one line per step (✔ or ✘), then what each client received.
import { inspect, isDeepStrictEqual } from "node:util";

export interface Step {
  title: string;
  /** Does the step and checks it; returns the lines to print under the step. Throws StepFailure when a check fails. */
  run(): Promise<string[]>;
}

export class StepFailure extends Error {
  readonly details: string[];
  constructor(message: string, details: string[] = []) {
    super(message);
    this.name = "StepFailure";
    this.details = details;
  }
}

/** Throws a StepFailure unless `actual` deep-equals `expected`. */
export function expectEqual<T>(actual: T, expected: T, what: string, details: string[] = []): void {
  if (!isDeepStrictEqual(actual, expected)) {
    throw new StepFailure(`${what}: expected ${inspect(expected)}, got ${inspect(actual)}`, details);
  }
}

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: number, text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
export const green = (text: string) => paint(32, text);
export const red = (text: string) => paint(31, text);
export const dim = (text: string) => paint(2, text);

export interface RunResult {
  passed: number;
  failed?: { index: number; title: string; error: unknown };
}

/** Runs the steps until one fails. `onStep` tells the caller which step is running (for the global timeout). */
export async function runSteps(steps: Step[], onStep: (label: string) => void): Promise<RunResult> {
  const width = String(steps.length).length;
  for (const [i, step] of steps.entries()) {
    const number = String(i + 1).padStart(width);
    onStep(`step ${i + 1} (${step.title})`);
    try {
      const lines = await step.run();
      console.log(`${number} ${green("✔")} ${step.title}`);
      for (const line of lines) console.log(`${" ".repeat(width)}     ${dim(line)}`);
    } catch (error) {
      console.log(`${number} ${red("✘")} ${step.title}`);
      const message = error instanceof Error ? error.message : inspect(error);
      console.log(`${" ".repeat(width)}     ${red(message)}`);
      if (error instanceof StepFailure) {
        for (const line of error.details) console.log(`${" ".repeat(width)}     ${dim(line)}`);
      } else if (error instanceof Error && error.stack) {
        console.log(dim(error.stack));
      }
      return { passed: i, failed: { index: i + 1, title: step.title, error } };
    }
  }
  return { passed: steps.length };
}
