// Credentials: an AzureKeyCredential (or any KeyCredential) signs locally; a TokenCredential (DefaultAzureCredential
// from @azure/identity and friends) authenticates with Microsoft Entra ID. @azure/identity is an optional peer
// dependency, imported only by fromEnvironment when no connection string is set.
import type { TokenCredential } from "@azure/core-auth";

export { checkCredential, isKeyCredential } from "@webpubsub/rest/endpoint";

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
