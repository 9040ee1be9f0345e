import {
  DEFAULT_QUEUE_SETTINGS,
  brokerMajorVersion,
  durableQueueArguments,
  streamReplication,
} from "./queue-types";

describe("durable queue arguments", () => {
  it("makes quorum queues with the configured replicas by default", () => {
    expect(durableQueueArguments(DEFAULT_QUEUE_SETTINGS, {}, 3)).toEqual({
      "x-queue-type": "quorum",
      "x-quorum-initial-group-size": 3,
    });
  });

  it("keeps single-active-consumer ordering on a quorum queue", () => {
    expect(durableQueueArguments({ type: "quorum", replicas: 5 }, { singleActiveConsumer: true }, 3)).toEqual(
      {
        "x-queue-type": "quorum",
        "x-quorum-initial-group-size": 5,
        "x-single-active-consumer": true,
      },
    );
  });

  it("switches off the broker's own delivery limit from RabbitMQ 4 on (Talk keeps its own retry budget)", () => {
    expect(durableQueueArguments(DEFAULT_QUEUE_SETTINGS, {}, 4)).toMatchObject({ "x-delivery-limit": -1 });
    expect(durableQueueArguments(DEFAULT_QUEUE_SETTINGS, {}, 3)).not.toHaveProperty("x-delivery-limit");
  });

  it("declares classic queues without a type when configured so", () => {
    expect(durableQueueArguments({ type: "classic", replicas: 3 }, {}, 4)).toEqual({});
    expect(
      durableQueueArguments({ type: "classic", replicas: 3 }, { singleActiveConsumer: true }, 4),
    ).toEqual({
      "x-single-active-consumer": true,
    });
  });

  it("replicates streams whatever the queue type", () => {
    expect(streamReplication({ type: "classic", replicas: 3 })).toEqual({ "x-initial-cluster-size": 3 });
  });
});

describe("brokerMajorVersion", () => {
  it("reads the major version the broker announces", () => {
    expect(brokerMajorVersion("3.10.8")).toBe(3);
    expect(brokerMajorVersion(Buffer.from("4.1.0"))).toBe(4);
    expect(brokerMajorVersion(undefined)).toBe(0);
  });
});
