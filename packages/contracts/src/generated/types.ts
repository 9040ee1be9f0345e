/**
 * GENERATED from the JSON Schemas of @talk/contracts by scripts/contract-types.ts (`pnpm docs:api`):
 * do not edit; change the schemas and regenerate. See docs/decisions/contract-types.md.
 */
import type { ErrorBody } from "../errors";

/** A page of a list: `next_page_token` is "" on the last page. */
export interface Page<T> {
  result: T[];
  next_page_token: string;
}

export interface Actor {
  customer_id: string;
  agent_id: string;
  permission?: "agent" | "admin";
}

export interface Customer {
  id: string;
  name: string;
  tm_create: string;
}

export interface Agent {
  id: string;
  customer_id: string;
  username: string;
  name: string;
  detail: string;
  permission: "agent" | "admin";
  tm_create: string;
  tm_update: string;
  tm_delete: string;
  presence?: {
    status: "online" | "away" | "dnd" | "offline";
    text: string;
  };
  tm_presence?: string | null;
}

export interface Chat {
  id: string;
  customer_id: string;
  type: "direct" | "group" | "talk";
  name: string;
  detail: string;
  member_count: number;
  tm_create: string;
  tm_update: string;
  tm_delete: string;
  unread_count?: number;
  mention_count?: number;
  last_read_message_id?: string | null;
  last_message?: {
    id: string;
    customer_id: string;
    owner_type: "agent" | "system";
    owner_id: string;
    chat_id: string;
    parent_id?: string;
    type: "normal" | "system";
    text: string;
    medias: (
      | {
          type: "file";
          file_id: string;
          name?: string;
          content_type?: string;
          size?: number;
          deleted?: boolean;
        }
      | {
          type: "link";
          link: string;
        }
      | {
          type: "address";
          address: {
            type: string;
            target: string;
            target_name?: string;
            name?: string;
            detail?: string;
          };
        }
      | {
          type: "agent";
          agent: {
            id: string;
            name?: string;
          };
        }
    )[];
    metadata: {
      reactions: {
        emoji: string;
        owner_type: "agent";
        owner_id: string;
        tm_create: string;
      }[];
    };
    tm_create: string;
    tm_update: string;
    tm_delete: string;
    tm_edit: string;
    pinned_by: string;
    tm_pin: string;
    mentions: string[];
  } | null;
}

export interface Participant {
  id: string;
  customer_id: string;
  owner_type: "agent";
  owner_id: string;
  chat_id: string;
  tm_joined: string;
  last_read_message_id?: string | null;
  tm_read?: string | null;
}

export type Media =
  | {
      type: "file";
      file_id: string;
      name?: string;
      content_type?: string;
      size?: number;
      deleted?: boolean;
    }
  | {
      type: "link";
      link: string;
    }
  | {
      type: "address";
      address: {
        type: string;
        target: string;
        target_name?: string;
        name?: string;
        detail?: string;
      };
    }
  | {
      type: "agent";
      agent: {
        id: string;
        name?: string;
      };
    };

export interface Reaction {
  emoji: string;
  owner_type: "agent";
  owner_id: string;
  tm_create: string;
}

export interface Message {
  id: string;
  customer_id: string;
  owner_type: "agent" | "system";
  owner_id: string;
  chat_id: string;
  parent_id?: string;
  type: "normal" | "system";
  text: string;
  medias: Media[];
  metadata: {
    reactions: Reaction[];
  };
  tm_create: string;
  tm_update: string;
  tm_delete: string;
  tm_edit: string;
  pinned_by: string;
  tm_pin: string;
  mentions: string[];
}

export interface FileInfo {
  id: string;
  customer_id: string;
  owner_id: string;
  name: string;
  content_type: string;
  size: number;
  sha256: string;
  tm_create: string;
  tm_delete: string;
}

export interface MessageVersion {
  message_id: string;
  text: string;
  medias: Media[];
  tm_create: string;
  tm_replace: string;
}

export interface SearchHit {
  message: Message;
  snippet: string;
}

export interface ChatRead {
  customer_id: string;
  chat_id: string;
  owner_type: "agent";
  owner_id: string;
  last_read_message_id: string | null;
  tm_read: string | null;
  unread_count: number;
  mention_count: number;
}

export interface ChatSummary {
  chat_id: string;
  unread_count: number;
  mention_count: number;
  last_read_message_id: string | null;
  last_message: {
    id: string;
    customer_id: string;
    owner_type: "agent" | "system";
    owner_id: string;
    chat_id: string;
    parent_id?: string;
    type: "normal" | "system";
    text: string;
    medias: (
      | {
          type: "file";
          file_id: string;
          name?: string;
          content_type?: string;
          size?: number;
          deleted?: boolean;
        }
      | {
          type: "link";
          link: string;
        }
      | {
          type: "address";
          address: {
            type: string;
            target: string;
            target_name?: string;
            name?: string;
            detail?: string;
          };
        }
      | {
          type: "agent";
          agent: {
            id: string;
            name?: string;
          };
        }
    )[];
    metadata: {
      reactions: {
        emoji: string;
        owner_type: "agent";
        owner_id: string;
        tm_create: string;
      }[];
    };
    tm_create: string;
    tm_update: string;
    tm_delete: string;
    tm_edit: string;
    pinned_by: string;
    tm_pin: string;
    mentions: string[];
  } | null;
}

export interface ReadReceipt {
  owner_id: string;
  last_read_message_id: string | null;
  tm_read: string | null;
}

export interface PageRequest {
  page_size?: number;
  page_token?: ("" | string) & string;
}

export interface ParticipantRef {
  owner_type: "agent";
  owner_id: string;
}

export interface LoginRequest {
  username: string;
  password: string;
}

export interface LoginResponse {
  username: string;
  token: string;
}

export interface CreateAgentRequest {
  username: string;
  password: string;
  name?: string;
  detail?: string;
  permission?: "agent" | "admin";
}

export interface CreateChatRequest {
  type: "direct" | "group" | "talk";
  name?: string;
  detail?: string;
  /**
   * @maxItems 500
   */
  participants?: ParticipantRef[];
}

export interface UpdateChatRequest {
  name?: string;
  detail?: string;
}

export interface CreateMessageRequest {
  chat_id: string;
  type: "normal";
  text?: string;
  parent_id?: "" | string;
  /**
   * VoIPBIN's field names are accepted too — {"type":"link","link_url":…} and {"type":"agent","agent_id":…} — and answered in this form.
   *
   * @maxItems 20
   */
  medias?: (
    | {
        type: "file";
        file_id: string;
        name?: string;
        content_type?: string;
        size?: number;
        deleted?: boolean;
      }
    | {
        type: "link";
        link: string;
      }
    | {
        type: "address";
        address: {
          type: string;
          target: string;
          target_name?: string;
          name?: string;
          detail?: string;
        };
      }
    | {
        type: "agent";
        agent: {
          id: string;
          name?: string;
        };
      }
  )[];
}

export interface EditMessageRequest {
  text?: string;
  /**
   * @maxItems 20
   */
  medias?: (
    | {
        type: "file";
        file_id: string;
        name?: string;
        content_type?: string;
        size?: number;
        deleted?: boolean;
      }
    | {
        type: "link";
        link: string;
      }
    | {
        type: "address";
        address: {
          type: string;
          target: string;
          target_name?: string;
          name?: string;
          detail?: string;
        };
      }
    | {
        type: "agent";
        agent: {
          id: string;
          name?: string;
        };
      }
  )[];
}

export interface ReactionRequest {
  emoji: string;
}

export interface MarkReadRequest {
  message_id?: string;
}

export interface Idempotency {
  key: string;
  fingerprint: string;
}

export interface EventEnvelopeHeader {
  id: string;
  version: number;
  publisher: string;
  customer_id: string;
  chat_id: string;
  seq: number;
  time: string;
  request_id?: string;
  /**
   * W3C traceparent of the span that published the message
   */
  traceparent?: string;
  /**
   * W3C tracestate, with traceparent
   */
  tracestate?: string;
}

export interface ChatChangeHeader {
  id: string;
  version: number;
  customer_id: string;
  chat_id: string;
  revision: number;
  time: string;
  request_id?: string;
  /**
   * W3C traceparent of the span that published the message
   */
  traceparent?: string;
  /**
   * W3C tracestate, with traceparent
   */
  tracestate?: string;
}

export interface ClientFrame {
  type: "subscribe" | "unsubscribe";
  /**
   * @minItems 1
   * @maxItems 100
   */
  topics: string[];
  id?: string | number;
}

export interface SubscribedFrame {
  type: "subscribed";
  /**
   * @minItems 1
   * @maxItems 100
   */
  topics: string[];
  /**
   * Where this connection stands: resuming with it misses nothing from here on.
   */
  cursor: string;
  id?: string | number;
}

export interface UnsubscribedFrame {
  type: "unsubscribed";
  /**
   * @minItems 1
   * @maxItems 100
   */
  topics: string[];
  id?: string | number;
}

export interface ErrorFrame {
  type: "error";
  error: ErrorBody;
  /**
   * The topic the error is about, when it is about one.
   */
  topic?: string;
  /**
   * The chat a refused typing frame named.
   */
  chat_id?: string;
  id?: string | number;
}

export interface ResyncRequiredFrame {
  type: "resync_required";
  reason: string;
  message: string;
  /**
   * Live events follow from here; what came before must be read again from the REST API.
   */
  cursor: string;
}

export interface PingFrame {
  type: "ping";
  id?: string | number;
}

export interface PongFrame {
  type: "pong";
  id?: string | number;
}

export interface Presence {
  agent_id: string;
  status: "online" | "away" | "dnd" | "offline";
  /**
   * Free text set with the status (e.g. "back at 3"); empty unless set explicitly
   */
  text: string;
  /**
   * When the status or text last changed; null when nothing is known since agent-manager started
   */
  tm_presence: string | null;
}

export interface SetPresenceRequest {
  status: "online" | "away" | "dnd" | "offline";
  text?: string;
}

export interface TypingClientFrame {
  type: "typing";
  chat_id: string;
  /**
   * The thread's root message, if in a thread
   */
  parent_id?: string | null;
  id?: string | number;
}

export interface ActivityFrame {
  type: "activity";
  id?: string | number;
}

export interface PresenceFrame {
  type: "agent_presence";
  data: Presence;
  topic: string;
}

export interface TypingFrame {
  type: "typing";
  data: {
    chat_id: string;
    parent_id: string | null;
    agent_id: string;
  };
  /**
   * The topic the chat's events reach the connection through.
   */
  topic: string;
}

export interface AgentGetRequest {
  customer_id: string;
  agent_id: string;
}

export interface AgentListRequest {
  customer_id: string;
  page_size?: number;
  page_token?: ("" | string) & string;
}

export interface AgentFindManyRequest {
  customer_id: string;
  /**
   * @maxItems 1000
   */
  agent_ids: string[];
}

export interface AgentFindManyResponse {
  agents: Agent[];
}

export interface AgentCreateRequest {
  customer_id: string;
  agent: CreateAgentRequest;
  idempotency?: Idempotency;
  actor?: Actor;
}

export interface CustomerCreateRequest {
  name: string;
}

export interface PresenceGetRequest {
  customer_id: string;
  /**
   * @minItems 1
   * @maxItems 100
   */
  agent_ids: string[];
}

export interface PresenceGetResponse {
  result: Presence[];
}

export interface PresenceSetRequest {
  actor: Actor;
  presence: SetPresenceRequest;
}

export interface ChatCreateRequest {
  actor: Actor;
  chat: CreateChatRequest;
  idempotency?: Idempotency;
}

export interface ChatCreateResponse {
  chat: Chat;
  revision: number;
}

export interface ChatListRequest {
  actor: Actor;
  page_size?: number;
  page_token?: ("" | string) & string;
}

export interface ChatGetRequest {
  actor: Actor;
  chat_id: string;
}

export interface ChatUpdateRequest {
  actor: Actor;
  chat_id: string;
  changes: UpdateChatRequest;
  idempotency?: Idempotency;
}

export interface ChatUpdateResponse {
  chat: Chat;
  revision: number;
}

export interface ChatDeleteRequest {
  actor: Actor;
  chat_id: string;
  idempotency?: Idempotency;
}

export interface ChatDeleteResponse {
  chat: Chat;
  revision: number;
}

export interface ChatJoinRequest {
  actor: Actor;
  chat_id: string;
  idempotency?: Idempotency;
}

export interface ChatJoinResponse {
  participant: Participant;
  revision: number;
}

export interface ChannelListRequest {
  actor: Actor;
  page_size?: number;
  page_token?: ("" | string) & string;
}

export interface ParticipantListRequest {
  actor: Actor;
  chat_id: string;
}

export interface ParticipantAddRequest {
  actor: Actor;
  chat_id: string;
  participant: ParticipantRef;
  idempotency?: Idempotency;
}

export interface ParticipantAddResponse {
  participant: Participant;
  revision: number;
}

export interface ParticipantRemoveRequest {
  actor: Actor;
  chat_id: string;
  participant_id: string;
  idempotency?: Idempotency;
}

export interface ParticipantRemoveResponse {
  participant: Participant;
  revision: number;
}

export interface ChatMembershipRequest {
  customer_id: string;
  chat_id: string;
  agent_id: string;
}

export interface ChatMembershipResponse {
  chat: Chat | null;
  participant: Participant | null;
  revision: number;
}

export interface ChatTypesRequest {
  /**
   * @minItems 1
   * @maxItems 1000
   */
  chat_ids: string[];
}

export interface ChatTypesResponse {
  chats: {
    id: string;
    type: "direct" | "group" | "talk";
  }[];
}

export interface MessageCreateRequest {
  actor: Actor;
  message: CreateMessageRequest;
  idempotency?: Idempotency;
}

export interface MessageCreateManyRequest {
  /**
   * @minItems 1
   * @maxItems 64
   */
  sends: {
    actor: Actor;
    message: CreateMessageRequest;
    request_id?: string;
    /**
     * W3C traceparent of the span that published the message
     */
    traceparent?: string;
    /**
     * W3C tracestate, with traceparent
     */
    tracestate?: string;
    idempotency?: Idempotency;
  }[];
}

export interface MessageCreateManyResponse {
  replies: (
    | {
        ok: true;
        result: Message;
      }
    | {
        ok: false;
        error: {
          status: string;
          reason: string;
          message: string;
          rate_limit?: {
            limit: number;
            remaining: number;
            reset_seconds: number;
          };
        };
      }
  )[];
}

export interface MessageListRequest {
  actor: Actor;
  chat_id: string;
  parent_id?: string;
  page_size?: number;
  page_token?: ("" | string) & string;
}

export interface MessageFeedRequest {
  actor: Actor;
  mentions: boolean;
  chat_id?: string;
  page_size?: number;
  page_token?: string;
}

export interface MessageGetRequest {
  actor: Actor;
  message_id: string;
}

export interface MessageDeleteRequest {
  actor: Actor;
  message_id: string;
  idempotency?: Idempotency;
}

export interface ReactionAddRequest {
  actor: Actor;
  message_id: string;
  reaction: ReactionRequest;
  idempotency?: Idempotency;
}

export interface MessageAwaitChatRevisionRequest {
  chat_id: string;
  revision: number;
}

export interface MessageAwaitChatRevisionResponse {
  revision: number;
}

export interface MessageEditRequest {
  actor: Actor;
  message_id: string;
  edit: EditMessageRequest;
  idempotency?: Idempotency;
}

export interface MessageHistoryRequest {
  actor: Actor;
  message_id: string;
  page_size?: number;
  page_token?: ("" | string) & string;
}

export interface MessagePinRequest {
  actor: Actor;
  message_id: string;
  idempotency?: Idempotency;
}

export interface MessageUnpinRequest {
  actor: Actor;
  message_id: string;
  idempotency?: Idempotency;
}

export interface MessagePinsRequest {
  actor: Actor;
  chat_id: string;
  page_size?: number;
  page_token?: ("" | string) & string;
}

export interface MessageSearchRequest {
  actor: Actor;
  q: string;
  chat_id?: string;
  owner_id?: string;
  channels?: "mine" | "all";
  order?: "newest" | "relevance";
  page_size?: number;
  page_token?: string;
}

export interface ReadMarkRequest {
  actor: Actor;
  chat_id: string;
  read: MarkReadRequest;
  idempotency?: Idempotency;
}

export interface ReadSummariesRequest {
  actor: Actor;
  /**
   * @maxItems 1000
   */
  chat_ids: string[];
}

export interface ReadSummariesResponse {
  summaries: ChatSummary[];
}

export interface ReadReceiptsRequest {
  actor: Actor;
  chat_id: string;
}

export interface ReadReceiptsResponse {
  receipts: ReadReceipt[];
}

export interface ReactionRemoveRequest {
  actor: Actor;
  message_id: string;
  reaction: ReactionRequest;
  idempotency?: Idempotency;
}

export interface MessageFileAccessRequest {
  customer_id: string;
  agent_id: string;
  file_id: string;
}

export interface MessageFileAccessResponse {
  allowed: boolean;
}

export interface MessageFileDeletedRequest {
  customer_id: string;
  file_id: string;
}

export interface MessageFileDeletedResponse {
  messages: number;
}

export interface FileGetRequest {
  actor: Actor;
  file_id: string;
}

export interface FileDeleteRequest {
  actor: Actor;
  file_id: string;
  idempotency?: Idempotency;
}

export interface FileAttachRequest {
  /**
   * @maxItems 2000
   */
  refs: {
    customer_id: string;
    file_id: string;
  }[];
}

export interface FileAttachResponse {
  files: {
    customer_id: string;
    file_id: string;
    state: "ready" | "deleted" | "uploading" | "missing";
    file?: FileInfo;
  }[];
}

/** The payload (`data`) of each event type. */
export interface EventPayloads {
  chat_created: Chat;
  chat_updated: Chat;
  chat_deleted: Chat;
  chatparticipant_added: Participant;
  chatparticipant_removed: Participant;
  chatmessage_created: Message;
  chatmessage_deleted: Message;
  chatmessage_reaction_updated: Message;
  chatmessage_updated: Message;
  chatmessage_pinned: Message;
  chatmessage_unpinned: Message;
  chat_read: ChatRead;
  chatparticipant_read: ChatRead;
}

/** Request and response of every RPC operation. */
export interface RpcTypes {
  "agent.verifyLogin": { request: LoginRequest; response: Agent };
  "agent.get": { request: AgentGetRequest; response: Agent };
  "agent.list": { request: AgentListRequest; response: Page<Agent> };
  "agent.findMany": { request: AgentFindManyRequest; response: AgentFindManyResponse };
  "agent.create": { request: AgentCreateRequest; response: Agent };
  "customer.create": { request: CustomerCreateRequest; response: Customer };
  "presence.get": { request: PresenceGetRequest; response: PresenceGetResponse };
  "presence.set": { request: PresenceSetRequest; response: Presence };
  "chat.create": { request: ChatCreateRequest; response: ChatCreateResponse };
  "chat.list": { request: ChatListRequest; response: Page<Chat> };
  "chat.get": { request: ChatGetRequest; response: Chat };
  "chat.update": { request: ChatUpdateRequest; response: ChatUpdateResponse };
  "chat.delete": { request: ChatDeleteRequest; response: ChatDeleteResponse };
  "chat.join": { request: ChatJoinRequest; response: ChatJoinResponse };
  "channel.list": { request: ChannelListRequest; response: Page<Chat> };
  "participant.list": { request: ParticipantListRequest; response: Participant[] };
  "participant.add": { request: ParticipantAddRequest; response: ParticipantAddResponse };
  "participant.remove": { request: ParticipantRemoveRequest; response: ParticipantRemoveResponse };
  "chat.membership": { request: ChatMembershipRequest; response: ChatMembershipResponse };
  "chat.types": { request: ChatTypesRequest; response: ChatTypesResponse };
  "message.create": { request: MessageCreateRequest; response: Message };
  "message.createMany": { request: MessageCreateManyRequest; response: MessageCreateManyResponse };
  "message.list": { request: MessageListRequest; response: Page<Message> };
  "message.feed": { request: MessageFeedRequest; response: Page<Message> };
  "message.get": { request: MessageGetRequest; response: Message };
  "message.delete": { request: MessageDeleteRequest; response: Message };
  "reaction.add": { request: ReactionAddRequest; response: Message };
  "message.awaitChatRevision": {
    request: MessageAwaitChatRevisionRequest;
    response: MessageAwaitChatRevisionResponse;
  };
  "message.edit": { request: MessageEditRequest; response: Message };
  "message.history": { request: MessageHistoryRequest; response: Page<MessageVersion> };
  "message.pin": { request: MessagePinRequest; response: Message };
  "message.unpin": { request: MessageUnpinRequest; response: Message };
  "message.pins": { request: MessagePinsRequest; response: Page<Message> };
  "message.search": { request: MessageSearchRequest; response: Page<SearchHit> };
  "read.mark": { request: ReadMarkRequest; response: ChatRead };
  "read.summaries": { request: ReadSummariesRequest; response: ReadSummariesResponse };
  "read.receipts": { request: ReadReceiptsRequest; response: ReadReceiptsResponse };
  "reaction.remove": { request: ReactionRemoveRequest; response: Message };
  "message.fileAccess": { request: MessageFileAccessRequest; response: MessageFileAccessResponse };
  "message.fileDeleted": { request: MessageFileDeletedRequest; response: MessageFileDeletedResponse };
  "file.get": { request: FileGetRequest; response: FileInfo };
  "file.delete": { request: FileDeleteRequest; response: FileInfo };
  "file.attach": { request: FileAttachRequest; response: FileAttachResponse };
}
