// The environment of recorded tests: the fake endpoint and connection string playback runs with.
import { FAKE_ACCESS_KEY } from "./sanitizers.ts";

/** The endpoint recordings use in place of real host names. */
export const DEFAULT_FAKE_ENDPOINT = "https://fake.webpubsub.azure.com";

/** Fake, well-formed values playback puts in the environment (and record mode writes in place of the real ones). */
export function defaultPlaybackEnv(fakeEndpoint: string): Record<string, string> {
  return {
    AZURE_WEBPUBSUB_CONNECTION_STRING: `Endpoint=${fakeEndpoint};AccessKey=${FAKE_ACCESS_KEY};Version=1.0;`,
    AZURE_WEBPUBSUB_ENDPOINT: fakeEndpoint,
  };
}

/** What a real environment value contributes to sanitizing: literal replacements, hosts and secrets. */
export interface EnvSanitizing {
  replacements: Map<string, string>;
  hosts: string[];
  secrets: string[];
}

function connectionStringParts(value: string): Map<string, string> | undefined {
  if (!value.includes("=") || !value.includes(";")) return undefined;
  const parts = new Map<string, string>();
  for (const segment of value.split(";")) {
    const eq = segment.indexOf("=");
    if (eq <= 0) continue;
    parts.set(segment.slice(0, eq).trim().toLowerCase(), segment.slice(eq + 1).trim());
  }
  return parts.size > 0 ? parts : undefined;
}

function hostOf(value: string): string | undefined {
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`);
    return url.host || undefined;
  } catch {
    return undefined;
  }
}

/**
 * For record mode: each real value of a variable that has a fake counterpart is replaced by that fake value; a
 * connection string's access key is a secret (replaced by the fake key) and its endpoint host is a real host; a URL
 * variable's host is a real host.
 */
export function sanitizingFromEnv(
  env: Record<string, string | undefined>,
  fakes: Record<string, string>,
): EnvSanitizing {
  const result: EnvSanitizing = { replacements: new Map(), hosts: [], secrets: [] };
  for (const [name, fake] of Object.entries(fakes)) {
    const real = env[name];
    if (real === undefined || real === "" || real === fake) continue;
    result.replacements.set(real, fake);
    const parts = connectionStringParts(real);
    if (parts) {
      for (const keyName of ["accesskey", "accountkey", "sharedaccesskey"]) {
        const key = parts.get(keyName);
        if (key) {
          result.secrets.push(key);
          result.replacements.set(key, FAKE_ACCESS_KEY);
        }
      }
      const endpoint = parts.get("endpoint");
      const host = endpoint ? hostOf(endpoint) : undefined;
      if (host) {
        const port = parts.get("port");
        result.hosts.push(host);
        if (port && !host.includes(":")) result.hosts.push(`${host}:${port}`);
      }
      continue;
    }
    const host = hostOf(real);
    if (host && /^[a-z][a-z0-9+.-]*:\/\//i.test(real)) result.hosts.push(host);
  }
  return result;
}

/** The values applyEnv set on one variable of one environment, and the value it had before the first of them. */
interface EnvLayers {
  original: string | undefined;
  layers: { value: string }[];
}

// Per environment object: recorders of concurrent tests overlap, and each stop() must leave what the others still
// need, then the real value once the last one stops, whatever the order.
const applied = new WeakMap<Record<string, string | undefined>, Map<string, EnvLayers>>();

/**
 * Sets variables, returning a function that takes them back: a variable another call still holds gets that call's
 * value, and one no call holds any more its value from before the first of them (unset again if it was unset).
 */
export function applyEnv(env: Record<string, string | undefined>, values: Record<string, string>): () => void {
  const variables = applied.get(env) ?? new Map<string, EnvLayers>();
  applied.set(env, variables);
  const mine: [string, { value: string }][] = [];
  for (const [name, value] of Object.entries(values)) {
    const entry = variables.get(name) ?? { original: env[name], layers: [] };
    variables.set(name, entry);
    const layer = { value };
    entry.layers.push(layer);
    mine.push([name, layer]);
    env[name] = value;
  }
  return () => {
    for (const [name, layer] of mine.splice(0)) {
      const entry = variables.get(name)!;
      entry.layers.splice(entry.layers.indexOf(layer), 1);
      const top = entry.layers.at(-1);
      if (top !== undefined) {
        env[name] = top.value;
        continue;
      }
      variables.delete(name);
      if (entry.original === undefined) delete env[name];
      else env[name] = entry.original;
    }
  };
}
