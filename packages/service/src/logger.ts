// The @azure/logger logger of this package (namespace webpubsub-service).
import { createClientLogger } from "@azure/logger";

/** Log namespace `webpubsub-service`: enable with AZURE_LOG_LEVEL=info or `setLogLevel("info")` from @azure/logger. */
export const logger = createClientLogger("webpubsub-service");
