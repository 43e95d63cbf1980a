// The connections of one hub and the indexes REST operations need: by user and by group. The hub is the one owner of
// group membership, in both directions (a group's members, a connection's groups); joins and leaves are reported to
// the service events. Generic over its members, so it depends on no connection type.
import type { Party, ServiceEvents } from "./service-events.ts";

/**
 * Groups one connection may be in at once, so that a client joining groups one frame at a time cannot grow the
 * indexes (and the work of ending its session: every group is unindexed in one turn) without bound.
 */
export const MAX_GROUPS_PER_CONNECTION = 10_000;
export const GROUP_LIMIT_MESSAGE = `A connection may be in at most ${MAX_GROUPS_PER_CONNECTION.toLocaleString("en-US")} groups.`;

/** What a hub needs of a connection. */
export interface HubMember extends Party {
  readonly id: string;
  readonly userId: string | null;
}

export class Hub<C extends HubMember = HubMember> {
  /** lowercase hub name (hub names are case-insensitive) */
  readonly name: string;
  readonly connections = new Map<string, C>();
  readonly users = new Map<string, Set<C>>();
  /** every group with at least one member, and its members */
  readonly groups = new Map<string, Set<C>>();
  /** the groups of each connection that is in one (idle connections have no entry) */
  readonly #groupsOf = new Map<C, Set<string>>();
  readonly #events: ServiceEvents;

  constructor(name: string, events: ServiceEvents) {
    this.name = name;
    this.#events = events;
  }

  add(conn: C): void {
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

  /** Removes the connection and its memberships (without leave events: the session ended). */
  remove(conn: C): void {
    if (this.connections.get(conn.id) !== conn) return;
    this.connections.delete(conn.id);
    if (conn.userId !== null) {
      const set = this.users.get(conn.userId);
      if (set !== undefined) {
        set.delete(conn);
        if (set.size === 0) this.users.delete(conn.userId);
      }
    }
    const mine = this.#groupsOf.get(conn);
    if (mine !== undefined) {
      for (const g of mine) this.#unindex(conn, g);
      this.#groupsOf.delete(conn);
    }
  }

  /** The groups `conn` is in; null when none. */
  groupsOf(conn: C): ReadonlySet<string> | null {
    return this.#groupsOf.get(conn) ?? null;
  }

  /**
   * Whether `conn` may join every one of `groups` within MAX_GROUPS_PER_CONNECTION (groups it is in already count
   * once). Callers ask before joining, to refuse a request before any side effect. Constant time unless the connection
   * is near the limit.
   */
  hasRoom(conn: C, groups: ReadonlySet<string>): boolean {
    const mine = this.#groupsOf.get(conn);
    let size = mine?.size ?? 0;
    if (size + groups.size <= MAX_GROUPS_PER_CONNECTION) return true;
    for (const g of groups) {
      if (mine?.has(g) === true) continue;
      if (++size > MAX_GROUPS_PER_CONNECTION) return false;
    }
    return true;
  }

  /**
   * Adds the connection to a group; false when it already was a member. Throws RangeError (and changes nothing) when it
   * is in MAX_GROUPS_PER_CONNECTION groups already: callers check hasRoom() first.
   */
  join(conn: C, group: string): boolean {
    let mine = this.#groupsOf.get(conn);
    if (mine?.has(group) === true) return false;
    if ((mine?.size ?? 0) >= MAX_GROUPS_PER_CONNECTION) throw new RangeError(GROUP_LIMIT_MESSAGE);
    if (mine === undefined) {
      mine = new Set();
      this.#groupsOf.set(conn, mine);
    }
    mine.add(group);
    let members = this.groups.get(group);
    if (members === undefined) {
      members = new Set();
      this.groups.set(group, members);
    }
    members.add(conn);
    this.#events.joined(conn, group);
    return true;
  }

  /** Removes the connection from a group; false when it was not a member. */
  leave(conn: C, group: string): boolean {
    const mine = this.#groupsOf.get(conn);
    if (mine === undefined || !mine.delete(group)) return false;
    if (mine.size === 0) this.#groupsOf.delete(conn);
    this.#unindex(conn, group);
    this.#events.left(conn, group);
    return true;
  }

  #unindex(conn: C, group: string): void {
    const members = this.groups.get(group);
    if (members === undefined) return;
    members.delete(conn);
    if (members.size === 0) this.groups.delete(group);
  }

  get isEmpty(): boolean {
    return this.connections.size === 0;
  }
}
