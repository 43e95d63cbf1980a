// create-client.ts: `<clientName>Options` and the default-exported factory `createClient` on
// @azure-rest/core-client's getClient: endpoint from the host template, credential from securityDefinitions,
// api-version, User-Agent, logger, and the route table's serialization and route URLs wrapped around `client.path`.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: this file writes TypeScript source, template literals included
import type { ApiModel } from "../model.ts";
import { docComment, literal } from "../naming.ts";
import type { EmitContext } from "./context.ts";

/** `TokenCredential` for oauth2, `KeyCredential` for a header API key, in that order. */
function credentialTypes(api: ApiModel): string[] {
  const { tokenScopes, apiKeyHeader } = api.credential;
  return [...(tokenScopes ? ["TokenCredential"] : []), ...(apiKeyHeader ? ["KeyCredential"] : [])];
}

/** The members of the options interface: api-version and the optional host parameters. */
function optionMembers(api: ApiModel): string[] {
  const out: string[] = [];
  if (api.clientApiVersion) {
    const def = api.apiVersion ? ` (default ${api.apiVersion})` : "";
    out.push(...docComment(`API version sent with every request${def}.`, "  "), "  apiVersion?: string;");
  }
  for (const p of api.host.params.filter((p) => !p.required)) {
    out.push(...docComment(p.description, "  "), `  ${p.argName}?: string;`);
  }
  return out;
}

/** The factory's parameter list: required host parameters, the credential, the destructured options. */
function factoryParameters(api: ApiModel, optionsType: string): string[] {
  const credentials = credentialTypes(api);
  const destructure = [
    ...(api.clientApiVersion ? [`apiVersion${api.apiVersion ? ` = ${literal(api.apiVersion)}` : ""}`] : []),
    ...api.host.params
      .filter((p) => !p.required)
      .map((p) => `${p.argName}${p.default !== undefined ? ` = ${literal(p.default)}` : ""}`),
    "...options",
  ];
  return [
    ...api.host.params.filter((p) => p.required).map((p) => `${p.argName}: string`),
    ...(credentials.length ? [`credentials?: ${credentials.join(" | ")}`] : []),
    `{ ${destructure.join(", ")} }: ${optionsType} = {}`,
  ];
}

function factoryDoc(api: ApiModel, clientName: string): string[] {
  const lines = [
    `Creates a ${clientName}.`,
    "",
    ...api.host.params.filter((p) => p.required).map((p) => `@param ${p.argName} - ${p.description ?? p.name}`),
    ...(credentialTypes(api).length
      ? [
          "@param credentials - How requests are authenticated; omit it when the pipeline gets its own authentication policy.",
        ]
      : []),
    "@param options - Pipeline and client options.",
  ];
  return docComment(lines.join("\n"));
}

/** The `credentials` entry of the client options: token scopes and the API key header, overridable by the caller. */
function credentialOptions(api: ApiModel): string[] {
  const { tokenScopes, apiKeyHeader } = api.credential;
  const entries: string[] = [];
  if (tokenScopes) entries.push(`scopes: options.credentials?.scopes ?? [${tokenScopes.map(literal).join(", ")}]`);
  if (apiKeyHeader) entries.push(`apiKeyHeaderName: options.credentials?.apiKeyHeaderName ?? ${literal(apiKeyHeader)}`);
  return entries.length ? [`    credentials: { ${entries.join(", ")} },`] : [];
}

export function emitCreateClient(ctx: EmitContext): string[] {
  const { api } = ctx;
  const { clientName, userAgent } = ctx.options;
  const optionsType = `${clientName}Options`;
  const credentials = credentialTypes(api);
  const host = api.host.template.replace(
    /\{([^}]+)\}/g,
    (_, name: string) => `\${${api.host.params.find((p) => p.name === name)!.argName}}`,
  );
  return [
    'import type { ClientOptions } from "@azure-rest/core-client";',
    'import { getClient } from "@azure-rest/core-client";',
    ...(credentials.length ? [`import type { ${[...credentials].sort().join(", ")} } from "@azure/core-auth";`] : []),
    `import type { ${clientName} } from ${ctx.module("clientDefinitions")};`,
    `import { logger } from ${ctx.module("logger")};`,
    `import { routeTable } from ${ctx.module("routes")};`,
    "",
    ...docComment(`Options of ${clientName}.`),
    `export interface ${optionsType} extends ClientOptions {`,
    ...optionMembers(api),
    "}",
    "",
    ...factoryDoc(api, clientName),
    `export default function createClient(${factoryParameters(api, optionsType).join(", ")}): ${clientName} {`,
    `  const endpointUrl = options.endpoint ?? options.baseUrl ?? \`${host}\`;`,
    `  const userAgentInfo = ${literal(userAgent)};`,
    "  const userAgentPrefix = options.userAgentOptions?.userAgentPrefix",
    "    ? `${options.userAgentOptions.userAgentPrefix} ${userAgentInfo}`",
    "    : userAgentInfo;",
    "  const clientOptions: ClientOptions = {",
    "    ...options,",
    "    userAgentOptions: { ...options.userAgentOptions, userAgentPrefix },",
    "    loggingOptions: { ...options.loggingOptions, logger: options.loggingOptions?.logger ?? logger.info },",
    ...credentialOptions(api),
    ...(api.clientApiVersion ? ["    apiVersion,"] : []),
    "  };",
    `  const client = getClient(endpointUrl, ${credentials.length ? "credentials, " : ""}clientOptions) as ${clientName};`,
    "  return routeTable.wrapClient(client, endpointUrl);",
    "}",
  ];
}
