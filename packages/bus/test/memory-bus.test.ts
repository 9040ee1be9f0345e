import { MemoryBroker, MemoryBus } from "../src";
import { describeBusContract } from "./bus-contract";

describeBusContract("MemoryBus", async () => {
  const broker = new MemoryBroker();
  const make = (options = {}) =>
    new MemoryBus({ broker, service: "bus-test", redeliveryDelayMs: 20, ...options });
  return { bus: make(), peer: async (options) => make(options) };
});
