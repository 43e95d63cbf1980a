// The `odata` tagged template: builds filter expressions with values quoted and escaped, so user input cannot change
// the shape of a filter. Strings become '...' literals with ' doubled; null and undefined become null; finite numbers
// and booleans are written as is; arrays become a parenthesized list for `in`. A value the template places inside a
// string literal ('${x}', 'user-${x}') is only escaped, so it stays inside it: the value is inside a literal when the
// template's text before it holds an odd number of quotes (an escaped '' counts two; the values written so far add
// none that are unpaired).

export type ODataValue =
  | string
  | number
  | boolean
  | bigint
  | null
  | undefined
  | readonly (string | number | boolean | null)[];

function literal(value: unknown, index: number, alreadyQuoted: boolean): string {
  if (typeof value === "string") {
    const escaped = value.replaceAll("'", "''");
    return alreadyQuoted ? escaped : `'${escaped}'`;
  }
  if (alreadyQuoted) {
    throw new TypeError(`odata value ${index} is inside quotes in the template, so it must be a string.`);
  }
  if (value === null || value === undefined) return "null";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError(`odata value ${index} must be a finite number, got ${value}.`);
    return String(value);
  }
  if (typeof value === "bigint" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) {
    if (value.length === 0) throw new TypeError(`odata value ${index} is an empty array; a list needs an item.`);
    return `(${value.map((item) => literal(item, index, false)).join(",")})`;
  }
  throw new TypeError(`odata value ${index} of type ${typeof value} cannot be written as an OData literal.`);
}

/**
 * Tagged template for OData filters: `odata\`userId eq ${userId} and ${group} in groups\``.
 * @example odata`userId eq ${"vic's"}` === "userId eq 'vic''s'"
 */
export function odata(strings: TemplateStringsArray, ...values: ODataValue[]): string {
  let result = strings[0] ?? "";
  let quotes = quoteCount(result);
  for (let i = 0; i < values.length; i++) {
    const after = strings[i + 1] ?? "";
    result += literal(values[i], i, quotes % 2 === 1) + after;
    quotes += quoteCount(after);
  }
  return result;
}

/** The number of single quotes in a piece of the template. */
function quoteCount(text: string): number {
  return text.split("'").length - 1;
}
