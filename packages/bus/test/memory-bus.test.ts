import { MemoryBroker, MemoryBus } from "../src";
import { describeBusContract } from "./bus-contract";

describeBusContract("MemoryBus", async () => {
  const broker = new MemoryBroker();
  const make = () => new MemoryBus({ broker, service: "bus-test", redeliveryDelayMs: 20 });
  return { bus: make(), peer: async () => make() };
});
