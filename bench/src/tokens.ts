// Client access URLs for benchmark clients, signed locally with the emulator's well-known key.
import { clientAudience, clientBaseUrl, signJwt } from "@webpubsub/core";

export const EMULATOR_KEY = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";

export async function clientUrl(
  endpoint: string,
  hub: string,
  claims: { sub?: string; role?: string[] } = {},
): Promise<string> {
  const token = await signJwt({ ...claims, aud: clientAudience(endpoint, hub) }, EMULATOR_KEY, {
    expiresInSeconds: 3600,
  });
  return `${clientBaseUrl(endpoint, hub)}?access_token=${token}`;
}
