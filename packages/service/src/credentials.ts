// Credentials: an AzureKeyCredential (or any KeyCredential) signs locally; a TokenCredential (DefaultAzureCredential
// from @azure/identity and friends) authenticates with Microsoft Entra ID. @azure/identity is an optional peer
// dependency, imported only by fromEnvironment when no connection string is set.
import { isTokenCredential, type KeyCredential, type TokenCredential } from "@azure/core-auth";

export function isKeyCredential(value: unknown): value is KeyCredential {
  return typeof value === "object" && value !== null && typeof (value as KeyCredential).key === "string";
}

export function checkCredential(credential: unknown): asserts credential is KeyCredential | TokenCredential {
  if (isKeyCredential(credential)) {
    if (credential.key.length === 0) throw new TypeError("credential.key must be a non-empty access key.");
    return;
  }
  if (!isTokenCredential(credential)) {
    throw new TypeError(
      "credential must be an AzureKeyCredential (new AzureKeyCredential(accessKey)) or a TokenCredential such as DefaultAzureCredential.",
    );
  }
}

type IdentityModule = { DefaultAzureCredential: new () => TokenCredential };

/** Creates a DefaultAzureCredential, loading @azure/identity on first use. */
export async function defaultAzureCredential(): Promise<TokenCredential> {
  const specifier = "@azure/identity";
  let identity: IdentityModule;
  try {
    identity = (await import(/* @vite-ignore */ specifier)) as IdentityModule;
  } catch (error) {
    throw new Error(
      `AZURE_WEBPUBSUB_ENDPOINT is set without a connection string, so Microsoft Entra ID is used, which needs the optional peer dependency @azure/identity: npm install @azure/identity (${(error as Error).message})`,
    );
  }
  return new identity.DefaultAzureCredential();
}
