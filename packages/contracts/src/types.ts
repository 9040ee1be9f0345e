/**
 * TypeScript types of the resources. The JSON Schemas in schemas/ are the source of truth on the
 * wire; these mirror them by hand (schema-derived types cost minutes of compile time), and
 * types.test.ts checks that values of these types validate against the schemas.
 */
export interface Actor {
  customer_id: string;
  agent_id: string;
  /** From the caller's verified token: customer admins moderate chats they did not create. */
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
}

export type ChatType = "direct" | "group" | "talk";

export interface Chat {
  id: string;
  customer_id: string;
  type: ChatType;
  name: string;
  detail: string;
  member_count: number;
  tm_create: string;
  tm_update: string;
  tm_delete: string;
}

export interface Participant {
  id: string;
  customer_id: string;
  owner_type: "agent";
  owner_id: string;
  chat_id: string;
  tm_joined: string;
}

export type Media =
  | { type: "file"; file_id: string; name?: string }
  | { type: "link"; link: string }
  | {
      type: "address";
      address: { type: string; target: string; target_name?: string; name?: string; detail?: string };
    }
  | { type: "agent"; agent: { id: string; name?: string } };

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
  metadata: { reactions: Reaction[] };
  tm_create: string;
  tm_update: string;
  tm_delete: string;
}

export interface Page<T> {
  result: T[];
  next_page_token: string;
}

export interface PageRequest {
  page_size?: number;
  page_token?: string;
}

export interface ParticipantRef {
  owner_type: "agent";
  owner_id: string;
}

export interface CreateChatRequest {
  type: ChatType;
  name?: string;
  detail?: string;
  participants?: ParticipantRef[];
}

export interface UpdateChatRequest {
  name?: string;
  detail?: string;
}

export interface CreateAgentRequest {
  username: string;
  password: string;
  name?: string;
  detail?: string;
  permission?: "agent" | "admin";
}

export interface LoginRequest {
  username: string;
  password: string;
}

export interface CreateMessageRequest {
  chat_id: string;
  type: "normal" | "system";
  text?: string;
  parent_id?: string;
  medias?: Media[];
}
