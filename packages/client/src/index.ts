/**
 * @talk/client: the Talk API for TypeScript, in Node and in browsers. Imports only types from
 * @talk/contracts, so a browser bundle carries no validator; needs the platform `fetch` and
 * `WebSocket` (in Node 20, use `@talk/client/node`, which brings the `ws` package).
 */
export { TalkClient, type ClientOptions, type LoginOptions } from "./client";
export {
  TalkApiError,
  TalkConnectionError,
  type ReceivedReason,
  type TalkApiErrorInit,
  type TalkErrorReason,
} from "./errors";
export { PagedList, type PageParams } from "./pagination";
export { FilesApi, type Download, type UploadOptions, type UploadSource } from "./files";
export {
  RealtimeSubscription,
  type NetworkEvents,
  type RealtimeEvent,
  type RealtimeOptions,
  type RealtimeStatus,
  type ResyncNotice,
  type WebSocketConstructor,
  type WebSocketLike,
} from "./realtime";
export { TYPING_DISPLAY_MS, TYPING_RELAY_INTERVAL_MS, type TypingState } from "./typing-board";
export { AgentsApi, ChannelsApi, ChatsApi, MessagesApi, ParticipantsApi } from "./resources";
export type { MessageListParams, MessageSearchParams, SendMessageRequest } from "./resources";
export type { TokenIdentity } from "./token";
export type { CallOptions, FetchFunction, RetryPolicy, TransportOptions } from "./transport";
export type {
  Agent,
  Chat,
  ChatRead,
  ChatType,
  CreateAgentRequest,
  CreateChatRequest,
  EventType,
  FileInfo,
  EditMessageRequest,
  Media,
  Message,
  MessageVersion,
  Page,
  Participant,
  ParticipantRef,
  Presence,
  PresenceStatus,
  Reaction,
  SearchHit,
  UpdateChatRequest,
} from "@talk/contracts";
