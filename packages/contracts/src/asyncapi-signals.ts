/**
 * The AsyncAPI part of presence and typing on the broker: the transient signals on `talk.signals`
 * (non-persistent, fanned out to every listener bound at the time). The WebSocket frames that carry
 * them to clients are in the WebSocket document (asyncapi-websocket.ts).
 */
import { SIGNALS_EXCHANGE, SIGNAL_TYPES, type SignalType, signalSchema } from "./presence";

const describe: Record<SignalType, string> = {
  "presence.connections":
    "A push replica's WebSocket count of some agents changed (deltas, batched over a few ms). Routing key: presence.connections.",
  "presence.heartbeat":
    "A push replica's full snapshot of its connected agents, every PRESENCE_HEARTBEAT_MS; trusted for expires_in_ms. final: the replica stopped.",
  "presence.activity":
    "An agent did something (an activity or typing frame, an API call). Routing key: presence.activity.",
  "presence.explicit": "An agent set an explicit status through one agent-manager replica (for the others).",
  "presence.sync": "An agent-manager replica started: every push replica sends a heartbeat at once.",
  agent_presence:
    "An agent's presence changed (agent-manager, the owner). Routing key: agent_presence.<customer_id>. May come once per agent-manager replica: relay a change once.",
  typing: "A participant types in a chat (or a thread of it). Routing key: typing.<customer_id>.<chat_id>.",
};

export function signalsAsyncApi() {
  const channels: Record<string, object> = {};
  const operations: Record<string, object> = {};
  const messages: Record<string, object> = {};
  signalSchema.oneOf.forEach((payload, i) => {
    const type = SIGNAL_TYPES[i];
    const name = `signal_${type.replace(".", "_")}`;
    messages[name] = {
      name: type,
      title: `${type} (signal)`,
      summary: describe[type],
      contentType: "application/json",
      payload,
      bindings: { amqp: { messageType: type, bindingVersion: "0.3.0" } },
    };
    channels[name] = {
      address:
        type === "agent_presence"
          ? "agent_presence.{customer_id}"
          : type === "typing"
            ? "typing.{customer_id}.{chat_id}"
            : type,
      description: describe[type],
      messages: { [name]: { $ref: `#/components/messages/${name}` } },
      bindings: {
        amqp: {
          is: "routingKey",
          exchange: { name: SIGNALS_EXCHANGE, type: "topic", durable: true, autoDelete: false, vhost: "/" },
          bindingVersion: "0.3.0",
        },
      },
    };
    operations[`receive_${name}`] = {
      action: "receive",
      channel: { $ref: `#/channels/${name}` },
      messages: [{ $ref: `#/channels/${name}/messages/${name}` }],
      // transient: signals are published with delivery mode 1 and never stored
      bindings: { amqp: { deliveryMode: 1, bindingVersion: "0.3.0" } },
    };
  });
  return { channels, operations, messages };
}
