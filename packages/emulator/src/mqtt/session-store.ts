// The MQTT sessions of a service, by hub and client identifier: a reconnect with the same client id finds its session
// (live, or waiting for it up to SESSION_KEEP_MS). One store per Service; an ended session is forgotten.
import type { Connection } from "../connection.ts";
import type { Service } from "../service.ts";
import type { MqttSession } from "./session.ts";

export interface StoredSession {
  conn: Connection;
  session: MqttSession;
}

const STORES = new WeakMap<Service, Map<string, StoredSession>>();

function storeOf(service: Service): Map<string, StoredSession> {
  let store = STORES.get(service);
  if (store === undefined) {
    store = new Map();
    STORES.set(service, store);
  }
  return store;
}

function key(hub: string, clientId: string): string {
  return `${hub.toLowerCase()}\u0000${clientId}`;
}

export function findSession(service: Service, hub: string, clientId: string): StoredSession | undefined {
  const store = storeOf(service);
  const k = key(hub, clientId);
  const found = store.get(k);
  if (found?.conn.ended) {
    store.delete(k);
    return undefined;
  }
  return found;
}

export function keepSession(service: Service, entry: StoredSession): void {
  storeOf(service).set(key(entry.conn.hub.name, entry.session.clientId), entry);
}

/** Forgets `conn`'s session (once it ended); a newer session under the same client id stays. */
export function forgetSession(service: Service, conn: Connection, clientId: string): void {
  const store = storeOf(service);
  const k = key(conn.hub.name, clientId);
  if (store.get(k)?.conn === conn) store.delete(k);
}
