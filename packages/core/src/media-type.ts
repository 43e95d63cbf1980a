// Media types of HTTP bodies (Content-Type headers): the type without its parameters, and which types carry JSON.
// One rule for every package that reads a body by its type (REST sends, event handler requests and replies).

/** The media type without parameters, lower-cased: `text/plain; charset=UTF-8` -> `text/plain`; "" when absent. */
export function mediaType(contentType: string | null | undefined): string {
  const value = contentType ?? "";
  const semicolon = value.indexOf(";");
  return (semicolon < 0 ? value : value.slice(0, semicolon)).trim().toLowerCase();
}

/** Whether a content type (with or without parameters) carries JSON: `application/json` or any `+json` type. */
export function isJsonMediaType(contentType: string | null | undefined): boolean {
  const type = mediaType(contentType);
  return type === "application/json" || type.endsWith("+json");
}
