// The service health check: getServiceStatus() is true when the service answers its health endpoint.
import { expectEqual, runSample } from "../support/sample.ts";

await runSample("check the service health", async ({ service, emulator }) => {
  expectEqual(await service.getServiceStatus(), true, "the service is healthy");
  if (emulator) {
    // once the service is gone, the check fails (a network error, not `false`: false means "answered 503")
    await emulator.close();
    const after = await service.getServiceStatus({ requestOptions: { timeout: 2000 } }).then(
      (healthy) => `answered ${healthy}`,
      (error: Error) => `failed: ${error.name}`,
    );
    expectEqual(after.startsWith("failed"), true, `after the emulator stopped, the check ${after}`);
  }
});
