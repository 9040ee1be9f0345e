/**
 * message-manager's operations. Membership comes from the local replica of chat-manager's state
 * (see replica-membership.ts). Sends are written by the batch (message-sends.ts); a deletion or a
 * reaction locks the chat's replica row, takes the chat's next event sequence number and emits its
 * event through the outbox in the same transaction.
 */
import {
  type Actor,
  type CreateMessageRequest,
  type EditMessageRequest,
  type Message,
  type MessageVersion,
  type SearchHit,
  isPinned,
  type RequestContext,
  notFound,
  type PageRequest,
} from "@talk/contracts";
import { type Emit, type Outbox, agentKey, nextTimestamp, now } from "@talk/db";
import { markFileDeleted } from "./domain/file-medias";
import { type FileAuthority, FileLookup, attachesFiles } from "./file-lookup";
import { messagesAttaching } from "./store/file-references";
import { assertEditable, editOf, editedMessage, replacedVersion } from "./domain/edits";
import { decidePin, pinnedMessage, unpinnedMessage } from "./domain/pins";
import {
  MATCH_START,
  MATCH_STOP,
  type SearchOrder,
  decodeCursor,
  encodeCursor,
  snippetHtml,
} from "./domain/search";
import { mentionsIn, resolveMentions } from "./domain/mentions";
import { listVersions, writeEdit } from "./store/edit-store";
import { feed, participantsOf, replaceMentions } from "./store/mention-store";
import { listPins, pinsOf, writePin } from "./store/pin-store";
import { searchMessages } from "./store/search-store";
import type { Knex } from "knex";
import type { TraceCarrier } from "@talk/kit";
import {
  assertAuthor,
  assertChatVisible,
  assertMember,
  assertPostable,
  assertReactable,
  assertReactionFits,
  isDeleted,
} from "./domain/message-rules";
import type { GroupCommitOptions } from "./group-commit";
import { type Admission, BatchedSends, DEFAULT_SEND_BATCHING, admissionAnswer } from "./message-sends";
import type { MessageMetrics } from "./metrics";
import { type MembershipAuthority, ReplicaMembership } from "./replica-membership";
import type { MessageStore } from "./store/message-store";

type MessageEvent =
  | "chatmessage_deleted"
  | "chatmessage_reaction_updated"
  | "chatmessage_updated"
  | "chatmessage_pinned"
  | "chatmessage_unpinned";

export class MessageService {
  private readonly membership: ReplicaMembership;
  private readonly sends: BatchedSends;

  constructor(
    private readonly store: MessageStore,
    private readonly outbox: Outbox,
    authority: MembershipAuthority,
    private readonly files: FileAuthority,
    options: { catchUpTimeoutMs?: number; batching?: GroupCommitOptions; metrics?: MessageMetrics } = {},
  ) {
    this.membership = new ReplicaMembership(store, authority, options.catchUpTimeoutMs);
    this.sends = new BatchedSends(
      store,
      outbox,
      this.membership,
      files,
      options.batching ?? DEFAULT_SEND_BATCHING,
      options.metrics,
    );
  }

  /**
   * `admitted`: the send's charge to its write budgets — made by the caller, or left to the batch
   * that writes it (`WriteBudget.pending`: it is made in the batch's first round trip). A refusal
   * of it comes first, before any other answer: a 429 is never hidden behind a 400 or a repeat's
   * answer. `trace`: the trace its event continues (default: the active one).
   */
  async create(
    input: CreateMessageRequest,
    context: RequestContext,
    admitted: Admission = Promise.resolve(),
    trace?: TraceCarrier,
  ): Promise<Message> {
    try {
      assertPostable(input);
      mentionsIn(input.text ?? ""); // a <@…> that is no agent id is refused before the send is queued
    } catch (error) {
      await admissionAnswer(admitted);
      throw error;
    }
    return this.sends.send(input, context, admitted, trace);
  }

  /**
   * Messages across the caller's chats, newest first: all of them, or those that mention the
   * caller (`mentions`), optionally of one chat. No message is skipped or repeated while others post.
   */
  async feed(
    actor: Actor,
    request: { mentions: boolean; chat_id?: string; page_size?: number; page_token?: string },
  ): Promise<{ result: Message[]; next_page_token: string }> {
    const size = request.page_size ?? 100;
    const list = request.mentions ? "the mentions list" : "this list";
    const found = await feed(this.store, {
      customerId: actor.customer_id,
      agentId: actor.agent_id,
      mentions: request.mentions,
      chatId: request.chat_id,
      size: size + 1,
      after: request.page_token ? decodeCursor("newest", request.page_token, list) : undefined,
    });
    const shown = found.slice(0, size);
    const last = shown[shown.length - 1];
    return {
      result: shown,
      next_page_token:
        found.length > size ? encodeCursor("newest", { tm_create: last.tm_create, id: last.id }) : "",
    };
  }

  async list(
    actor: Actor,
    chatId: string,
    parentId: string | undefined,
    page: PageRequest,
    requestId?: string,
  ) {
    await this.membership.assertParticipant(actor, chatId, false, requestId);
    return this.store.list(chatId, parentId, page);
  }

  async get(actor: Actor, messageId: string, requestId?: string): Promise<Message> {
    const message = await this.store.get(messageId);
    if (!message || message.customer_id !== actor.customer_id) throw messageNotFound(messageId);
    await this.membership.assertParticipant(actor, message.chat_id, false, requestId);
    return message;
  }

  async delete(messageId: string, context: RequestContext): Promise<Message> {
    const { actor } = context;
    const found = await this.get(actor, messageId, context.requestId);
    return this.write(found.chat_id, context, async (trx, announce) => {
      const message = await this.lockedMessage(trx, messageId);
      assertAuthor(message, actor);
      if (isDeleted(message)) return message;
      const tm = await now(trx);
      await this.store.markDeleted(trx, messageId, tm);
      const deleted = await this.lockedMessage(trx, messageId);
      announce("chatmessage_deleted", deleted, tm);
      return deleted;
    });
  }

  addReaction(messageId: string, emoji: string, context: RequestContext): Promise<Message> {
    return this.changeReactions(messageId, context, (trx, message, tm) => {
      assertReactionFits(message, emoji);
      return this.store.addReaction(trx, messageId, emoji, context.actor.agent_id, tm);
    });
  }

  removeReaction(messageId: string, emoji: string, context: RequestContext): Promise<Message> {
    return this.changeReactions(messageId, context, (trx, _message, tm) =>
      this.store.removeReaction(trx, messageId, emoji, context.actor.agent_id, tm),
    );
  }

  /** The author edits the text or medias; the version replaced goes into the message's history. */
  async edit(messageId: string, request: EditMessageRequest, context: RequestContext): Promise<Message> {
    const found = await this.get(context.actor, messageId, context.requestId);
    const edit = await this.withFiles(request, found, context);
    return this.write(found.chat_id, context, async (trx, announce) => {
      const message = await this.lockedMessage(trx, messageId);
      assertEditable(message, context.actor);
      const change = editOf(message, edit);
      if (!change) return message;
      // Mentions are read again from the new text; those the message had may stay (their agent may have left).
      const members = new Set(await participantsOf(trx, message.chat_id));
      const mentions = resolveMentions(
        mentionsIn(change.text),
        context.actor.agent_id,
        { isMember: (id) => members.has(id), all: () => [...members] },
        message.mentions,
      );
      // After the version it replaces began: a message's versions have distinct, ordered times.
      const tm = await nextTimestamp(trx, replacedVersion(message, "").tm_create);
      const edited = editedMessage(message, { ...change, mentions }, tm);
      await writeEdit(trx, replacedVersion(message, tm), edited);
      await replaceMentions(trx, edited);
      announce("chatmessage_updated", edited, tm);
      return edited;
    });
  }

  /** An edit's new file medias checked and filled in (the ones the message had stay as they are). */
  private async withFiles(edit: EditMessageRequest, message: Message, context: RequestContext) {
    if (!edit.medias || !attachesFiles(edit.medias)) return edit;
    const { customer_id } = context.actor;
    const lookup = await FileLookup.of(
      this.files,
      [{ customerId: customer_id, medias: edit.medias }],
      context.requestId,
    );
    return { ...edit, medias: lookup.fill(customer_id, edit.medias, message.medias) };
  }

  /**
   * The uploader deleted a file: every message that attaches it keeps the media, marked `deleted`,
   * announced with chatmessage_updated on its chat's sequence (not an edit: no history, no tm_edit).
   * Idempotent: a message already marked is left alone. Answers how many messages it marked.
   */
  async fileDeleted(customerId: string, fileId: string, requestId?: string): Promise<number> {
    let marked = 0;
    for (const { id, chat_id } of await messagesAttaching(this.store.db, customerId, fileId)) {
      const changed = await this.outbox.transaction(async (trx, emit: Emit) => {
        const chat = await this.store.lockChat(trx, chat_id, customerId);
        const message = await this.lockedMessage(trx, id);
        const medias = markFileDeleted(message.medias, fileId);
        if (!medias) return false;
        const tm = await now(trx);
        await this.store.setMedias(trx, id, medias, tm);
        const seq = chat.seq + 1;
        emit({
          type: "chatmessage_updated",
          customer_id: customerId,
          chat_id,
          seq,
          time: tm,
          data: { ...message, medias, tm_update: tm },
          request_id: requestId,
        });
        await this.store.updateChat(trx, chat_id, { seq });
        return true;
      });
      if (changed) marked++;
    }
    return marked;
  }

  /** A message's earlier versions, newest first, for the participants of its chat. */
  async history(
    actor: Actor,
    messageId: string,
    page: PageRequest,
    requestId?: string,
  ): Promise<{ result: MessageVersion[]; next_page_token: string }> {
    await this.get(actor, messageId, requestId);
    return listVersions(this.store.db, messageId, page);
  }

  /** Any participant pins a message of the chat; pinning a pinned message changes nothing. */
  async pin(messageId: string, context: RequestContext): Promise<Message> {
    const found = await this.get(context.actor, messageId, context.requestId);
    return this.write(found.chat_id, context, async (trx, announce) => {
      const message = await this.lockedMessage(trx, messageId);
      const pins = await pinsOf(trx, message.chat_id);
      if ("unchanged" in decidePin(message, pins.count)) return message;
      // After the chat's latest pin: pin times are unique within a chat, so the pin list pages by them.
      const tm = await nextTimestamp(trx, pins.latest);
      const pinned = pinnedMessage(message, context.actor.agent_id, tm);
      await writePin(trx, pinned);
      announce("chatmessage_pinned", pinned, tm);
      return pinned;
    });
  }

  async unpin(messageId: string, context: RequestContext): Promise<Message> {
    const found = await this.get(context.actor, messageId, context.requestId);
    return this.write(found.chat_id, context, async (trx, announce) => {
      const message = await this.lockedMessage(trx, messageId);
      if (!isPinned(message)) return message;
      const unpinned = unpinnedMessage(message);
      await writePin(trx, unpinned);
      announce("chatmessage_unpinned", unpinned, await now(trx));
      return unpinned;
    });
  }

  /** A chat's pinned messages, newest pin first. */
  async pins(actor: Actor, chatId: string, page: PageRequest, requestId?: string) {
    await this.membership.assertParticipant(actor, chatId, false, requestId);
    return listPins(this.store, chatId, page);
  }

  /** Messages of the chats the caller may read that match `q`, each with a highlighted snippet. */
  async search(
    actor: Actor,
    request: {
      q: string;
      chat_id?: string;
      owner_id?: string;
      channels?: string;
      order?: string;
      page_size?: number;
      page_token?: string;
    },
  ): Promise<{ result: SearchHit[]; next_page_token: string }> {
    const order: SearchOrder = request.order === "relevance" ? "relevance" : "newest";
    const size = request.page_size ?? 100;
    const found = await searchMessages(this.store, {
      customerId: actor.customer_id,
      agentId: actor.agent_id,
      q: request.q,
      chatId: request.chat_id,
      ownerId: request.owner_id,
      allChannels: request.channels === "all",
      order,
      marks: [MATCH_START, MATCH_STOP],
      size: size + 1,
      after: request.page_token ? decodeCursor(order, request.page_token) : undefined,
    });
    const shown = found.slice(0, size);
    return {
      result: shown.map((hit) => ({ message: hit.message, snippet: snippetHtml(hit.headline) })),
      next_page_token: found.length > size ? encodeCursor(order, shown[shown.length - 1].cursor) : "",
    };
  }

  /** Waits until the replica has applied chat-manager's changes of a chat up to `revision`. */
  awaitChatRevision(chatId: string, revision: number): Promise<number> {
    return this.membership.awaitRevision(chatId, revision);
  }

  /** `change` adds or removes the caller's reaction; true when it changed anything. */
  private async changeReactions(
    messageId: string,
    context: RequestContext,
    change: (trx: Knex.Transaction, message: Message, tm: string) => Promise<boolean>,
  ): Promise<Message> {
    const found = await this.get(context.actor, messageId, context.requestId);
    return this.write(found.chat_id, context, async (trx, announce) => {
      const message = await this.lockedMessage(trx, messageId);
      assertReactable(message);
      const tm = await now(trx);
      if (!(await change(trx, message, tm))) return message;
      const updated = await this.lockedMessage(trx, messageId);
      announce("chatmessage_reaction_updated", updated, tm);
      return updated;
    });
  }

  /**
   * A change to a message of a chat the caller is a participant of: in one transaction with the
   * chat's replica row locked, once per Idempotency-Key; `announce` gives its event the chat's
   * next sequence number.
   */
  private write<T>(
    chatId: string,
    context: RequestContext,
    work: (
      trx: Knex.Transaction,
      announce: (type: MessageEvent, message: Message, time: string) => void,
    ) => Promise<T>,
  ): Promise<T> {
    const { actor, requestId } = context;
    return this.outbox.transaction(
      async (trx, emit: Emit) => {
        const chat = await this.store.lockChat(trx, chatId, actor.customer_id);
        assertChatVisible(chat, actor, chatId, true);
        assertMember(await this.store.isMember(chatId, actor.agent_id, trx), chatId);
        let seq = chat.seq;
        const result = await work(trx, (type, message, time) =>
          emit({
            type,
            customer_id: actor.customer_id,
            chat_id: chatId,
            seq: ++seq,
            time,
            data: message,
            request_id: requestId,
          }),
        );
        if (seq !== chat.seq) await this.store.updateChat(trx, chatId, { seq });
        return result;
      },
      agentKey(actor.agent_id, context.idempotency),
    );
  }

  private async lockedMessage(trx: Knex.Transaction, messageId: string): Promise<Message> {
    const message = await this.store.get(messageId, trx, true);
    if (!message) throw messageNotFound(messageId);
    return message;
  }
}

const messageNotFound = (id: string) => notFound("MESSAGE_NOT_FOUND", `No message ${id} exists.`);
