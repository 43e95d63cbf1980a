// The `--config` JSON file: only the known settings, the switches as booleans, `certFile`/`keyFile` read as PEM files
// relative to the config file, the origin and host lists and the hub settings checked as the options are. Every
// problem is a UsageError naming the file and the setting.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { shown } from "@webpubsub/core";
import { checkHubSettings, type EmulatorOptions } from "../options.ts";
import { normalizeHost, normalizeOrigin } from "../request-guard.ts";
import { asUsage, UsageError } from "./usage-error.ts";

const SETTINGS = new Set([
  "port",
  "host",
  "accessKey",
  "hubs",
  "keepAliveIntervalMs",
  "allowEntraTokens",
  "entraTenantId",
  "entraIssuer",
  "dashboard",
  "allowedOrigins",
  "allowedHosts",
  "tls",
  "certFile",
  "keyFile",
  "trustProxy",
]);

const SWITCHES = ["tls", "trustProxy", "allowEntraTokens", "dashboard"] as const;

const LISTS = [
  ["allowedOrigins", normalizeOrigin],
  ["allowedHosts", normalizeHost],
] as const;

type ConfigFile = EmulatorOptions & { certFile?: unknown; keyFile?: unknown };

/** A PEM file's text; `name` is the flag or setting that named it. */
export function readPem(name: string, file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw new UsageError(`Cannot read ${name} file ${shown(file)}: ${(e as NodeJS.ErrnoException).code ?? "error"}`);
  }
}

export function readConfig(file: string): EmulatorOptions {
  const { certFile, keyFile, ...cfg } = parseConfig(file);
  const where = `--config file ${shown(file)}: `;
  for (const key of SWITCHES) {
    if (cfg[key] !== undefined && typeof cfg[key] !== "boolean") {
      throw new UsageError(`${where}${key} must be true or false.`);
    }
  }
  if (certFile !== undefined || keyFile !== undefined) {
    if (typeof certFile !== "string" || typeof keyFile !== "string") {
      throw new UsageError(`${where}certFile and keyFile go together, as file paths.`);
    }
    const base = dirname(file);
    cfg.tls = {
      cert: readPem("certFile", resolve(base, certFile)),
      key: readPem("keyFile", resolve(base, keyFile)),
    };
  }
  for (const [key, check] of LISTS) checkList(cfg[key], key, check, where);
  const hubs = cfg.hubs;
  if (hubs !== undefined) asUsage(() => checkHubSettings(hubs, "hubs"), where);
  return cfg;
}

/** The file's JSON object with known settings only. */
function parseConfig(file: string): ConfigFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new UsageError(`Cannot read --config file ${shown(file)}: ${(e as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`--config file ${shown(file)} must hold a JSON object.`);
  }
  for (const key of Object.keys(parsed)) {
    if (!SETTINGS.has(key)) throw new UsageError(`--config file ${shown(file)}: unknown setting ${shown(key)}.`);
  }
  return parsed as ConfigFile;
}

function checkList(v: unknown, key: string, check: (entry: string, argName: string) => string, where: string): void {
  if (v === undefined || v === "*") return;
  if (!Array.isArray(v) || v.some((e) => typeof e !== "string")) {
    throw new UsageError(`${where}${key} must be "*" or an array of strings.`);
  }
  asUsage(() => {
    for (const entry of v as string[]) check(entry, key);
  }, where);
}
