/**
 * TypeScript types of the resources and request bodies. They are generated from the JSON Schemas
 * (generated/types.ts, by `pnpm docs:api`; a test keeps the file current): the schemas are the only
 * source of shapes. See docs/decisions/contract-types.md.
 */
import type { Chat } from "./generated/types";

export type {
  Actor,
  Agent,
  Chat,
  CreateAgentRequest,
  CreateChatRequest,
  CreateMessageRequest,
  ChatRead,
  ChatSummary,
  Customer,
  FileInfo,
  EditMessageRequest,
  Idempotency,
  LoginRequest,
  LoginResponse,
  Media,
  Message,
  MessageVersion,
  Page,
  PageRequest,
  Participant,
  ParticipantRef,
  Reaction,
  ReactionRequest,
  SearchHit,
  ReadReceipt,
  MarkReadRequest,
  UpdateChatRequest,
} from "./generated/types";

export type ChatType = Chat["type"];
