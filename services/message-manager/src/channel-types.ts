/**
 * The chat types the replica lacks. message-manager keeps each chat's type since migration 003
 * (from `chat_created`), so a search with `channels=all` knows the public channels without asking;
 * chats created before that have none, and old public channels were never found. At start,
 * message-manager asks chat-manager (the owner) for the types of the replica's chats that lack one,
 * a page of ids at a time, until none is left; while chat-manager cannot answer, it tries again
 * later. A chat chat-manager does not know keeps no type (and is not asked about again this run).
 */
import type { ChatType } from "@talk/contracts";
import type { Logger } from "@talk/kit";
import type { Knex } from "knex";

const PAGE = 500;
const NO_ID = "00000000-0000-0000-0000-000000000000";

export type AskTypes = (chatIds: string[]) => Promise<{ id: string; type: ChatType }[]>;

export class ChannelTypeBackfill {
  private stopped = false;
  private wake: (() => void) | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly db: Knex,
    private readonly ask: AskTypes,
    private readonly logger: Logger,
    private readonly retryMs = { first: 500, most: 30_000 },
  ) {}

  /** Starts filling the types in the background. */
  start(): void {
    this.running = this.run().catch((error: unknown) =>
      this.logger.warn({ err: error }, "could not fill in the chat types of the replica"),
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
  }

  private async run(): Promise<void> {
    let after = NO_ID;
    let filled = 0;
    while (!this.stopped) {
      const rows: { id: string }[] = await this.db("chats")
        .whereNull("type")
        .andWhere("id", ">", after)
        .orderBy("id")
        .limit(PAGE)
        .select("id");
      if (rows.length === 0) break;
      const ids = rows.map((r) => r.id);
      const types = await this.askUntilAnswered(ids);
      if (!types) return;
      for (const { id, type } of types)
        filled += await this.db("chats").where({ id }).whereNull("type").update({ type });
      after = ids[ids.length - 1];
    }
    if (filled > 0)
      this.logger.info({ chats: filled }, "filled in the types of chats created before they were kept");
  }

  /** chat-manager's answer, asked again (with a growing pause) while it cannot answer; undefined once stopped. */
  private async askUntilAnswered(ids: string[]) {
    for (let pause = this.retryMs.first; !this.stopped; pause = Math.min(pause * 2, this.retryMs.most)) {
      try {
        return await this.ask(ids);
      } catch (error) {
        this.logger.warn(
          { err: error, retry_ms: pause },
          "chat-manager did not answer the chat types; retrying",
        );
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pause);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
    return undefined;
  }
}
