/**
 * The serving side of RPC over RabbitMQ: one durable queue per service (from the operations table;
 * a quorum queue unless configured otherwise, see `queue-types.ts`),
 * one consumer per queue, requests dispatched by their `type`. The reply is published before the
 * request is acked; a malformed request or unknown operation gets an error reply and is acked.
 */
import type { Channel, ConsumeMessage } from "amqplib";
import type { Logger } from "@talk/kit";
import { encodeReply } from "../rpc-reply";
import type { RpcDispatcher } from "../rpc-dispatch";
import type { InFlight } from "../util";
import type { AmqpConnection, Channels } from "./connection";
import { ConsumerSet, settle, type ConsumerSpec } from "./consumers";
import type { DurableQueues } from "./durable-queues";
import type { Names } from "./names";
import { requestIdHeaders, requestIdOf, stringProperty, traceOf } from "./properties";

export class RpcServer {
  private readonly specs = new Map<string, ConsumerSpec>();

  constructor(
    private readonly connection: AmqpConnection,
    private readonly names: Names,
    private readonly queues: DurableQueues,
    private readonly dispatcher: RpcDispatcher,
    private readonly consumers: ConsumerSet,
    private readonly inFlight: InFlight,
    private readonly logger: Logger,
    private readonly prefetch: number,
  ) {}

  /** Declares the queue of every served operation and consumes it, on this connection. */
  async setup(channels: Channels, consuming: boolean): Promise<void> {
    for (const queue of this.dispatcher.queues()) await this.serve(channels, queue, consuming);
  }

  /** Declares and consumes the queue of an operation (`queue` as in the operations table). */
  async serve(channels: Channels, queue: string, consuming: boolean): Promise<void> {
    await this.queues.assert(channels, this.names.queue(queue));
    if (consuming) await this.consumers.ensure(channels, this.spec(queue));
  }

  private spec(queue: string): ConsumerSpec {
    let spec = this.specs.get(queue);
    if (!spec) {
      spec = {
        queue: this.names.queue(queue),
        prefetch: this.prefetch,
        onMessage: (message, channel) =>
          void this.inFlight.run(() => this.onRequest(queue, message, channel)),
        onCancel: () => this.connection.reset(`the broker cancelled the consumer of ${queue}`),
      };
      this.specs.set(queue, spec);
    }
    return spec;
  }

  private async onRequest(queue: string, message: ConsumeMessage, channel: Channel): Promise<void> {
    const outcome = await this.dispatcher.dispatch({
      queue,
      operation: stringProperty(message.properties.type),
      body: message.content.toString("utf8"),
      requestId: requestIdOf(message),
      trace: traceOf(message),
    });
    if ("requeue" in outcome) return settle(channel, message, "requeue");
    const replyTo = stringProperty(message.properties.replyTo);
    if (replyTo) {
      const channels = this.connection.channels;
      if (!channels) return; // disconnected: the request is requeued by the broker and served again
      try {
        channels.rpc.publish("", replyTo, Buffer.from(encodeReply(outcome.reply)), {
          correlationId: stringProperty(message.properties.correlationId),
          contentType: "application/json",
          headers: requestIdHeaders(requestIdOf(message)),
        });
      } catch (err) {
        this.logger.warn({ queue, err }, "Could not publish an RPC reply");
        return;
      }
    } else {
      this.logger.warn(
        { queue, type: stringProperty(message.properties.type) },
        "RPC request without replyTo; nobody gets the reply",
      );
    }
    settle(channel, message, "ack");
  }
}
