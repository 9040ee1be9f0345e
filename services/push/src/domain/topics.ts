/**
 * Topics (SPEC §4): `agent_id:<agent>:chat` (every chat the agent is in), `agent_id:<agent>:chat:<chat>`
 * (one chat), and for customer admins `customer_id:<customer>:chat[:<chat>]` (every chat of the
 * customer, or one); and `customer_id:<customer>:presence` (presence changes of the customer's agents,
 * for any agent of that customer). Parsing says what is wrong with a malformed topic; authorization says why a
 * well-formed one is not the caller's to see.
 */
import { AppError, UUID_RE, forbidden, invalid } from "@talk/contracts";

export type Topic =
  | { kind: "agent"; agentId: string; chatId?: string }
  | { kind: "customer"; customerId: string; chatId?: string }
  | { kind: "presence"; customerId: string; chatId?: undefined };

/** Who is subscribing, from the verified token. */
export interface Viewer {
  agentId: string;
  customerId: string;
  admin: boolean;
}

const SHAPES =
  "agent_id:<agent id>:chat, agent_id:<agent id>:chat:<chat id>, customer_id:<customer id>:chat, customer_id:<customer id>:chat:<chat id> or customer_id:<customer id>:presence";

/** The topic `text` names; throws INVALID_ARGUMENT (TOPIC_MALFORMED) saying what is wrong. */
export function parseTopic(text: string): Topic {
  const parts = text.split(":");
  const [scope, id, chat, chatId] = parts;
  const malformed = (why: string) =>
    invalid("TOPIC_MALFORMED", `Topic "${text.slice(0, 100)}" ${why}; topics are ${SHAPES}.`);
  if (parts.length === 3 && scope === "customer_id" && chat === "presence") {
    if (!UUID_RE.test(id)) throw malformed(`has "${id.slice(0, 40)}" where a lowercase UUID belongs`);
    return { kind: "presence", customerId: id };
  }
  if (
    parts.length < 3 ||
    parts.length > 4 ||
    chat !== "chat" ||
    (scope !== "agent_id" && scope !== "customer_id")
  )
    throw malformed("is not a topic");
  if (!UUID_RE.test(id)) throw malformed(`has "${id.slice(0, 40)}" where a lowercase UUID belongs`);
  if (parts.length === 4 && !UUID_RE.test(chatId))
    throw malformed(`has "${chatId.slice(0, 40)}" where a lowercase chat UUID belongs`);
  const chatPart = parts.length === 4 ? { chatId } : {};
  return scope === "agent_id"
    ? { kind: "agent", agentId: id, ...chatPart }
    : { kind: "customer", customerId: id, ...chatPart };
}

export function formatTopic(topic: Topic): string {
  if (topic.kind === "presence") return `customer_id:${topic.customerId}:presence`;
  const base =
    topic.kind === "agent" ? `agent_id:${topic.agentId}:chat` : `customer_id:${topic.customerId}:chat`;
  return topic.chatId ? `${base}:${topic.chatId}` : base;
}

/** Throws PERMISSION_DENIED when the topic is not the viewer's to subscribe to. */
export function authorizeTopic(viewer: Viewer, topic: Topic): void {
  const text = formatTopic(topic);
  if (topic.kind === "agent") {
    if (topic.agentId !== viewer.agentId)
      throw forbidden(
        "TOPIC_FORBIDDEN",
        `Topic ${text} belongs to another agent: use agent_id:${viewer.agentId}:… topics.`,
      );
    return;
  }
  if (topic.customerId !== viewer.customerId)
    throw forbidden(
      "TOPIC_FORBIDDEN",
      `Topic ${text} belongs to another customer: use customer_id:${viewer.customerId}:… topics.`,
    );
  if (topic.kind === "presence") return;
  if (!viewer.admin)
    throw forbidden(
      "ADMIN_ONLY",
      `Topic ${text} is for customer admins only; use agent_id:${viewer.agentId}:chat.`,
    );
}

/** Parses and authorizes; the AppError says why a topic is refused. */
export function checkTopic(viewer: Viewer, text: string): Topic | AppError {
  try {
    const topic = parseTopic(text);
    authorizeTopic(viewer, topic);
    return topic;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
}
