// The types a compiled filter works with: what a filter sees of a connection, and a compiled expression.

/** What a filter can see of a connection. */
export interface FilterSubject {
  readonly id: string;
  readonly userId: string | null;
  readonly groups: ReadonlySet<string> | null;
  readonly subprotocol?: string | undefined;
}

export type Type = "string" | "int" | "bool" | "null" | "collection" | "list";
export type Value = string | number | boolean | null | ReadonlySet<string> | Value[];
export type Eval = (s: FilterSubject) => Value;

/** A type-checked expression: its type and its evaluator. */
export interface Compiled {
  type: Type;
  run: Eval;
}
