/**
 * Request/reply: B2 (bare amqplib, an echo in another process) and the project's bus alone (AmqpBus
 * to AmqpBus, a handler with no database), each on a quorum request queue (the type of the stack's
 * RPC queues) and on a classic one; and Talk's `GET talk_chats/{id}` through the gateway.
 */
import { randomUUID } from "node:crypto";
import { AmqpBus } from "@talk/bus";
import { type B2QueueType, B2_QUEUE_TYPES, BUS_ECHO_NAMESPACES, BareRpcClient } from "../lib/amqp-rpc";
import { BenchChild } from "../lib/child";
import { type HttpClient, closedLoop } from "../lib/http";
import type { Samples } from "../lib/stats";

export interface RpcBaselines {
  b2: BareRpcClient;
  /** A calling bus per queue type of the echo. */
  bus: Record<B2QueueType, AmqpBus>;
  children: BenchChild[];
  close(): Promise<void>;
}

export async function startRpcBaselines(rabbitUrl: string): Promise<RpcBaselines> {
  const children = await Promise.all([
    BenchChild.start("B2 amqplib echo", "servers/b2-amqp-echo.ts", { RABBITMQ_URL: rabbitUrl }),
    BenchChild.start("bus echo", "servers/bus-echo.ts", { RABBITMQ_URL: rabbitUrl }),
  ]);
  const b2 = await BareRpcClient.connect(rabbitUrl);
  const connect = (type: B2QueueType) =>
    AmqpBus.connect({ url: rabbitUrl, service: "bench-bus-client", namespace: BUS_ECHO_NAMESPACES[type] });
  const [quorum, classic] = await Promise.all(B2_QUEUE_TYPES.map(connect));
  const bus = { quorum, classic };
  return {
    b2,
    bus,
    children,
    async close() {
      await b2.close();
      await Promise.all(Object.values(bus).map((b) => b.close()));
      await Promise.all(children.map((c) => c.stop()));
    },
  };
}

const ids = { customer_id: randomUUID(), agent_id: randomUUID() };
const b2Body = Buffer.from(JSON.stringify({ actor: ids, chat_id: randomUUID() }));

export function b2Calls(
  b2: BareRpcClient,
  type: B2QueueType,
  concurrency: number,
  seconds: number,
): Promise<Samples> {
  return closedLoop(concurrency, seconds, async () => (await b2.call(type, b2Body)).length > 0);
}

export function busCalls(bus: AmqpBus, concurrency: number, seconds: number): Promise<Samples> {
  return closedLoop(concurrency, seconds, async () => (await bus.call("agent.get", ids)).id === ids.agent_id);
}

export function getChat(
  client: HttpClient,
  token: string,
  chatId: string,
  seconds: number,
): Promise<Samples> {
  return closedLoop(1, seconds, async () => {
    const reply = await client.request("GET", `/v1.0/service_agents/talk_chats/${chatId}`, undefined, {
      authorization: `Bearer ${token}`,
    });
    return reply.status === 200;
  });
}
