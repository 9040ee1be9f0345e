/**
 * Talk's broker topology as the services themselves declare it, on a fresh 3-node RabbitMQ cluster:
 * every durable queue is a quorum queue, and the push log a stream, replicated as configured
 * (RABBITMQ_REPLICAS) — the RPC request queues, the single-active-consumer chat-changes queue, the
 * event subscriptions (message-manager's, and a subscriber of the public events as @talk/consumer
 * declares one) with their dead-letter queues, and `talk.push.events`. The only other queues are the
 * signal listeners': exclusive to their connection, so nothing durable lives in them.
 */
import { AmqpBus, deadLetterQueue } from "@talk/bus";
import { CHAT_CHANGES_SUBSCRIPTION, PUSH_EVENT_STREAM, RPC_QUEUES } from "@talk/contracts";
import { type DistributedStack, startDistributed } from "@talk/stack";
import { type RabbitClusterHandle, describeNeeding } from "@talk/testkit";
import { testLogLevel } from "../support/stacks";

const NODES = 3;
const REPLICAS = 3;
/** A subscriber of the public events, with the subscription @talk/consumer's EventConsumer declares. */
const PUBLIC_SUBSCRIPTION = {
  queue: "talk.example-consumer.events",
  bindings: ["#"],
  singleActiveConsumer: true,
  prefetch: 64,
};

interface QueueRow {
  name: string;
  type: string;
  durable: boolean;
  exclusive: boolean;
  auto_delete: boolean;
  arguments: Record<string, unknown>;
  members: string[];
  leader: string;
}

/**
 * `rabbitmqctl list_queues --formatter json`'s arguments: an object, or (RabbitMQ 3.x) a list of
 * [name, type, value] triples.
 */
function argumentsOf(raw: unknown): Record<string, unknown> {
  if (Array.isArray(raw))
    return Object.fromEntries(
      raw.map((entry) => {
        const triple = entry as unknown[];
        return [String(triple[0]), triple[triple.length - 1]];
      }),
    );
  return (raw ?? {}) as Record<string, unknown>;
}

describeNeeding(["rabbitmq-cluster", "postgres"])(
  "the broker topology the services declare on a fresh 3-node cluster",
  () => {
    let stack: DistributedStack;
    let cluster: RabbitClusterHandle;
    let subscriber: AmqpBus | undefined;
    let rows: QueueRow[];

    beforeAll(async () => {
      stack = await startDistributed({
        replicas: 1,
        rabbitNodes: NODES,
        logLevel: testLogLevel(),
        env: { RABBITMQ_QUEUE_TYPE: "quorum", RABBITMQ_REPLICAS: String(REPLICAS) },
      });
      cluster = stack.rabbitCluster!;
      subscriber = await AmqpBus.connect({
        url: cluster.urls,
        service: "example-consumer",
        queues: { type: "quorum", replicas: REPLICAS },
      });
      await subscriber.subscribe(PUBLIC_SUBSCRIPTION, async () => undefined);
      const vhost = decodeURIComponent(new URL(cluster.url).pathname.slice(1)) || "/";
      const output = await cluster.ctl([
        "list_queues",
        "-p",
        vhost,
        "name",
        "type",
        "durable",
        "exclusive",
        "auto_delete",
        "arguments",
        "members",
        "leader",
        "--formatter",
        "json",
      ]);
      rows = (JSON.parse(output.slice(output.indexOf("["))) as QueueRow[]).map((row) => ({
        ...row,
        arguments: argumentsOf(row.arguments),
        members: Array.isArray(row.members) ? row.members : [row.members].filter(Boolean),
      }));
    }, 300_000);

    afterAll(async () => {
      await subscriber?.close();
      await stack?.stop();
    }, 120_000);

    const durable = () => rows.filter((row) => row.durable && !row.exclusive);
    const row = (name: string) => rows.find((r) => r.name === name)!;

    it("has exactly Talk's durable queues and stream", () => {
      expect(
        durable()
          .map((r) => r.name)
          .sort(),
      ).toEqual(
        [
          ...Object.values(RPC_QUEUES),
          CHAT_CHANGES_SUBSCRIPTION.queue,
          deadLetterQueue(CHAT_CHANGES_SUBSCRIPTION.queue),
          PUBLIC_SUBSCRIPTION.queue,
          deadLetterQueue(PUBLIC_SUBSCRIPTION.queue),
          PUSH_EVENT_STREAM.name,
        ].sort(),
      );
    });

    it("makes every durable queue a quorum queue of RABBITMQ_REPLICAS members, one on each node, led by one of them", () => {
      const nodes = cluster.nodes.map((node) => node.name).sort();
      for (const queue of durable().filter((r) => r.name !== PUSH_EVENT_STREAM.name)) {
        expect({ name: queue.name, type: queue.type, args: queue.arguments }).toEqual({
          name: queue.name,
          type: "quorum",
          args: expect.objectContaining({
            "x-queue-type": "quorum",
            "x-quorum-initial-group-size": REPLICAS,
          }),
        });
        expect({ name: queue.name, members: [...queue.members].sort() }).toEqual({
          name: queue.name,
          members: nodes,
        });
        expect(queue.members).toContain(queue.leader);
      }
    });

    it("keeps one active consumer at a time on the chat-changes queue and on an event subscriber's queue", () => {
      for (const name of [CHAT_CHANGES_SUBSCRIPTION.queue, PUBLIC_SUBSCRIPTION.queue])
        expect({ name, sac: row(name).arguments["x-single-active-consumer"] }).toEqual({ name, sac: true });
      // the RPC queues have competing consumers (every replica serves)
      for (const name of Object.values(RPC_QUEUES))
        expect({ name, sac: row(name).arguments["x-single-active-consumer"] }).toEqual({
          name,
          sac: undefined,
        });
    });

    it("makes the push log a stream replicated on RABBITMQ_REPLICAS nodes", () => {
      const stream = row(PUSH_EVENT_STREAM.name);
      expect({ type: stream.type, args: stream.arguments }).toEqual({
        type: "stream",
        args: expect.objectContaining({ "x-queue-type": "stream", "x-initial-cluster-size": REPLICAS }),
      });
      expect([...stream.members].sort()).toEqual(cluster.nodes.map((node) => node.name).sort());
      expect(stream.members).toContain(stream.leader);
    });

    it("has no other queue than the signal listeners': exclusive, auto-deleted, gone with their connection", () => {
      const others = rows.filter((r) => !durable().includes(r));
      expect(others.length).toBeGreaterThan(0); // agent-manager's and push's listeners
      for (const queue of others)
        expect({ name: queue.name, exclusive: queue.exclusive, auto_delete: queue.auto_delete }).toEqual({
          name: queue.name,
          exclusive: true,
          auto_delete: true,
        });
    });
  },
);
