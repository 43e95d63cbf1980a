// The demo's clients and the delivery check: after an action, a "fence" message is sent to everyone; since each
// connection receives messages in order, whatever a client got before the fence is exactly what the action delivered
// to it (no sleeping and hoping).
import type { WebPubSubClient } from "@webpubsub/client";
import type { WebPubSubServiceClient } from "@webpubsub/service";
import { describePayload, type Inbox, type Received } from "../support/inbox.ts";
import { StepFailure } from "./runner.ts";

export interface Participant {
  /** Display name, e.g. "bob/phone" */
  name: string;
  client: WebPubSubClient;
  inbox: Inbox;
}

/** How the demo prints and compares a received message: `text "hi"`, `group lobby: json {"a":1}`. */
export function describe(m: Received): string {
  return m.from === "group" ? `group ${m.group}: ${describePayload(m)}` : describePayload(m);
}

export const text = (data: string) => `text ${JSON.stringify(data)}`;
export const json = (data: unknown) => `json ${JSON.stringify(data)}`;
export const inGroup = (group: string, payload: string) => `group ${group}: ${payload}`;

function isFence(m: Received, id?: number): boolean {
  const data = m.data as { fence?: unknown } | null;
  if (m.dataType !== "json" || typeof data !== "object" || data === null || !("fence" in data)) return false;
  return id === undefined || data.fence === id;
}

export class Audience {
  readonly #service: WebPubSubServiceClient;
  readonly #people = new Map<string, Participant>();
  #fences = 0;

  constructor(service: WebPubSubServiceClient) {
    this.#service = service;
  }

  add(person: Participant): void {
    this.#people.set(person.name, person);
  }

  get(name: string): Participant {
    const person = this.#people.get(name);
    if (!person) throw new Error(`no participant ${name}`);
    return person;
  }

  all(): Participant[] {
    return [...this.#people.values()];
  }

  /** Connection id of a participant (its current one). */
  id(name: string): string {
    return this.get(name).client.connectionId ?? "";
  }

  /** The width names are padded to in printed lines. */
  get nameWidth(): number {
    return Math.max(...this.all().map((p) => p.name.length));
  }

  /**
   * Runs `action`, then checks what every connected participant received against `expected` (participants not
   * named must receive nothing). Returns one line per participant saying what it received.
   */
  async deliver(action: () => Promise<unknown>, expected: Record<string, string[]>): Promise<string[]> {
    const listening = this.all().filter((p) => p.client.state === "Connected");
    for (const p of listening) p.inbox.take();
    await action();
    const fence = ++this.#fences;
    await this.#service.sendToAll({ fence });
    const lines: string[] = [];
    const idle: string[] = [];
    const problems: string[] = [];
    for (const p of listening) {
      await p.inbox.waitFor((ms) => ms.some((m) => isFence(m, fence)), `the fence message at ${p.name}`);
      const received = p.inbox
        .take()
        .filter((m) => !isFence(m))
        .map(describe);
      const want = expected[p.name] ?? [];
      if (received.length === 0) idle.push(p.name);
      else lines.push(`${p.name.padEnd(this.nameWidth)} ← ${received.join(", ")}`);
      if (JSON.stringify(received) !== JSON.stringify(want)) {
        problems.push(`${p.name} should have received [${want.join(", ")}]`);
      }
    }
    if (idle.length > 0)
      lines.push(
        `${idle.length === listening.length ? "nobody" : "nobody else"} received anything (${idle.join(", ")})`,
      );
    for (const name of Object.keys(expected)) {
      if (!listening.some((p) => p.name === name)) problems.push(`${name} is not connected`);
    }
    if (problems.length > 0) throw new StepFailure(problems.join("; "), lines);
    return lines;
  }
}
