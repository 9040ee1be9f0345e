/**
 * What a trace of one send must show, whichever way the spans were collected (in memory in the
 * embedded process, or over OTLP from every process of the distributed stack): the caller's trace
 * continued by the gateway's HTTP span, the RPC call and its serving in message-manager, the
 * outbox relay's publish, and push sending the event to the WebSocket, each the child of the one
 * before.
 */
import { randomBytes } from "node:crypto";
import { PushClient } from "../push/support/push-client";
import { type TestAgent, type TestStack, newCustomer } from "../support/stacks";

/** A span as both collectors see it (OTLP kinds: 1 internal, 2 server, 3 client, 4 producer, 5 consumer). */
export interface CollectedSpan {
  service: string;
  name: string;
  kind: "server" | "client" | "producer" | "consumer" | "internal";
  traceId: string;
  spanId: string;
  parentSpanId?: string;
}

/** A caller's own trace context (W3C): the send must continue it. */
export function callerTrace(): { traceId: string; spanId: string; traceparent: string } {
  const traceId = randomBytes(16).toString("hex");
  const spanId = randomBytes(8).toString("hex");
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
}

/** Sends a message with the caller's trace context while `reader` listens; the event's frame. */
export async function tracedSend(
  stack: TestStack,
  traceparent: string,
): Promise<{ sender: TestAgent; reader: TestAgent; messageId: string }> {
  const [sender, reader] = (await newCustomer(stack, 2)).agents as [TestAgent, TestAgent];
  const chat = await sender.api.post("/service_agents/talk_chats", {
    type: "direct",
    participants: [{ owner_type: "agent", owner_id: reader.id }],
  });
  expect(chat.status).toBe(200);
  const socket = await PushClient.connect(stack.wsUrls[0]!, reader.token);
  try {
    await socket.subscribe(`agent_id:${reader.id}:chat`);
    const sent = await sender.api.request(
      "POST",
      "/service_agents/talk_messages",
      { chat_id: chat.body.id, type: "normal", text: "traced" },
      { traceparent },
    );
    expect(sent.status).toBe(200);
    await socket.until(
      (c) => c.events().some((f) => (f.data as { id?: string }).id === sent.body.id),
      "the message on the reader's socket",
    );
    return { sender, reader, messageId: sent.body.id as string };
  } finally {
    await socket.close();
  }
}

/** The spans of the send, from the caller's span down to push's, each the parent of the next. */
export function sendPath(spans: readonly CollectedSpan[], caller: { traceId: string; spanId: string }) {
  const inTrace = spans.filter((s) => s.traceId === caller.traceId);
  const childOf = (parent: string, match: (s: CollectedSpan) => boolean) =>
    inTrace.find((s) => s.parentSpanId === parent && match(s));
  const http = childOf(caller.spanId, (s) => s.kind === "server" && s.name.startsWith("POST "));
  const call = http && childOf(http.spanId, (s) => s.kind === "client" && s.name === "message.create");
  const serve = call && childOf(call.spanId, (s) => s.kind === "server" && s.name === "message.create");
  const publish =
    serve && childOf(serve.spanId, (s) => s.kind === "producer" && s.name === "publish chatmessage_created");
  const push =
    publish && childOf(publish.spanId, (s) => s.kind === "consumer" && s.name === "push chatmessage_created");
  return { inTrace, http, call, serve, publish, push };
}
