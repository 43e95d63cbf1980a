// The connections of one hub and the two indexes REST operations need: by user and by group.
import type { ActivityFeed } from "./activity-feed.ts";
import type { Connection } from "./connection.ts";

export class Hub {
  /** lowercase hub name (hub names are case-insensitive) */
  readonly name: string;
  readonly connections = new Map<string, Connection>();
  readonly users = new Map<string, Set<Connection>>();
  readonly groups = new Map<string, Set<Connection>>();
  /** the dashboard's feed (null when the dashboard is off): group joins and leaves are recorded there */
  readonly feed: ActivityFeed | null;

  constructor(name: string, feed: ActivityFeed | null = null) {
    this.name = name;
    this.feed = feed;
  }

  add(conn: Connection): void {
    this.connections.set(conn.id, conn);
    if (conn.userId !== null) {
      let set = this.users.get(conn.userId);
      if (set === undefined) {
        set = new Set();
        this.users.set(conn.userId, set);
      }
      set.add(conn);
    }
  }

  remove(conn: Connection): void {
    if (this.connections.get(conn.id) !== conn) return;
    this.connections.delete(conn.id);
    if (conn.userId !== null) {
      const set = this.users.get(conn.userId);
      if (set !== undefined) {
        set.delete(conn);
        if (set.size === 0) this.users.delete(conn.userId);
      }
    }
    if (conn.groups !== null) {
      for (const g of conn.groups) this.#unindex(conn, g);
      conn.groups = null;
    }
  }

  /** Adds the connection to a group; false when it already was a member. */
  join(conn: Connection, group: string): boolean {
    conn.groups ??= new Set();
    const mine = conn.groups;
    if (mine.has(group)) return false;
    mine.add(group);
    let members = this.groups.get(group);
    if (members === undefined) {
      members = new Set();
      this.groups.set(group, members);
    }
    members.add(conn);
    this.feed?.record({ kind: "joined", hub: this.name, connectionId: conn.id, userId: conn.userId, group });
    return true;
  }

  /** Removes the connection from a group; false when it was not a member. */
  leave(conn: Connection, group: string): boolean {
    if (conn.groups === null || !conn.groups.delete(group)) return false;
    if (conn.groups.size === 0) conn.groups = null;
    this.#unindex(conn, group);
    this.feed?.record({ kind: "left", hub: this.name, connectionId: conn.id, userId: conn.userId, group });
    return true;
  }

  leaveAll(conn: Connection): void {
    if (conn.groups === null) return;
    for (const g of conn.groups) {
      this.#unindex(conn, g);
      this.feed?.record({ kind: "left", hub: this.name, connectionId: conn.id, userId: conn.userId, group: g });
    }
    conn.groups = null;
  }

  #unindex(conn: Connection, group: string): void {
    const members = this.groups.get(group);
    if (members === undefined) return;
    members.delete(conn);
    if (members.size === 0) this.groups.delete(group);
  }

  get isEmpty(): boolean {
    return this.connections.size === 0;
  }
}
