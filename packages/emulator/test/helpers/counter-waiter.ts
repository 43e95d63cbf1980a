// The emulator tests' name for test-kit's counterWaiter (event-driven waits on a growing count, with a timeout).
export { type CounterWaiter, counterWaiter } from "@webpubsub/test-kit";
