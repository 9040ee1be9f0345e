/**
 * The chat list with read state at size (issue 12): `GET talk_chats?page_size=100` for an agent in
 * `chats` chats of `messages` messages each, with unread messages and mentions in every chat,
 * against a bare PostgreSQL query of the same answer on the same data (message-manager's tables:
 * unread and mention counts and the newest message of the agent's 100 newest chats) from a plain
 * `pg` pool — and, for scale, the naive query that counts each chat's unread rows.
 *
 * The chats are made through the bus (as the API would); their messages are bulk-loaded into
 * message-manager's database by one statement per chat, as the send path would have left them
 * (ordinals, counts, the reader's mark and mention rows), with the tables' triggers off for the
 * load (session_replication_role = replica). Opt-in (`--only chat-list`): not in the default run.
 */
import { connectDatabase } from "@talk/db";
import pg from "pg";
import type { Fixtures } from "../lib/fixtures";
import { type HttpClient, closedLoop } from "../lib/http";
import { interleaved } from "../lib/interleave";
import type { Row } from "../lib/report";
import type { BenchSettings } from "../lib/settings";
import type { BenchStack } from "../lib/stack";
import type { Samples } from "../lib/stats";

/** Unread messages the reader has in half of its chats; in the other half it has read none of them. */
const UNREAD = 40;
const MENTION_EVERY = 10;

export interface ChatListSize {
  chats: number;
  messages: number;
}

export async function runChatList(
  settings: BenchSettings,
  stack: BenchStack,
  fixtures: Fixtures,
  client: HttpClient,
  log: (line: string) => void,
  row: (partial: Omit<Row, "ratios">) => Row,
): Promise<Row[]> {
  const { chats: chatCount, messages } = settings.chatList;
  const customer = await fixtures.customer();
  const [writer, reader] = await fixtures.agents(customer, 2);
  log(`chat list: creating ${chatCount} chats`);
  const chatIds: string[] = [];
  for (let i = 0; i < chatCount; i += 8)
    chatIds.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(8, chatCount - i) }, (_, j) =>
          fixtures.groupChat([writer, reader], `bench list ${i + j}`),
        ),
      )),
    );
  const db = connectDatabase({ url: stack.distributed.databases["message-manager"], poolMax: 2 });
  try {
    const loadStarted = Date.now();
    log(`chat list: loading ${messages} messages into each chat (${chatCount * messages} in all)`);
    // The full-text index plays no part in a chat list and would triple the load's time: it goes
    // for the load (this stack is thrown away after the run).
    await db.raw("drop index if exists talk_messages_search");
    for (const [i, chatId] of chatIds.entries()) {
      await loadChat(db, chatId, writer.id, reader.id, messages, i % 2 === 0 ? UNREAD : messages);
      if ((i + 1) % 20 === 0) log(`chat list: ${i + 1}/${chatCount} chats loaded`);
    }
    await db.raw("analyze talk_messages; analyze talk_mentions; analyze members; analyze chats");
    const loadSeconds = (Date.now() - loadStarted) / 1000;

    const bare = new pg.Pool({ connectionString: stack.distributed.databases["message-manager"], max: 1 });
    try {
      const auth = { authorization: `Bearer ${reader.token}` };
      const expected = (unread: number) => unread === UNREAD || unread === messages;
      const talk = async () => {
        const reply = await client.request(
          "GET",
          "/v1.0/service_agents/talk_chats?page_size=100",
          undefined,
          auth,
        );
        if (reply.status !== 200) return false;
        const page = JSON.parse(reply.body) as { result: { unread_count: number }[] };
        return (
          page.result.length === Math.min(100, chatCount) &&
          page.result.every((c) => expected(c.unread_count))
        );
      };
      const baseline = (sql: string) => async () => {
        const result = await bare.query(sql, [reader.id]);
        return (
          result.rows.length === Math.min(100, chatCount) &&
          result.rows.every((r) => expected(Number(r.unread)))
        );
      };
      // Both sides answer what they should before anything is timed.
      if (!(await talk()) || !(await baseline(BARE_LIST)()) || !(await baseline(NAIVE_LIST)()))
        throw new Error(
          `chat list: an answer is not ${UNREAD} or ${messages} unread in each of ${Math.min(100, chatCount)} chats`,
        );
      const seconds = settings.latencySeconds * 2;
      // With --cpu-prof every service profiles exactly Talk's measured windows (SIGUSR2 toggles it).
      const toggle = () =>
        settings.cpuProf &&
        stack.distributed.processes.forEach((p) => p.pid && process.kill(p.pid, "SIGUSR2"));
      const profiled = async <T>(work: () => Promise<T>): Promise<T> => {
        toggle();
        try {
          return await work();
        } finally {
          toggle();
        }
      };
      log("chat list: warm-up");
      await closedLoop(1, settings.warmupSeconds, talk);
      await closedLoop(1, settings.warmupSeconds, baseline(BARE_LIST));
      log(`chat list: ${settings.rounds} × ${seconds} s each`);
      const [base, naive, ours] = (await interleaved(settings.rounds, [
        () => closedLoop(1, seconds, baseline(BARE_LIST)),
        () => closedLoop(1, seconds, baseline(NAIVE_LIST)),
        () => profiled(() => closedLoop(1, seconds, talk)),
      ])) as [Samples, Samples, Samples];
      // Where Talk's time goes: each of the gateway's two RPCs alone, from the bench's own bus client.
      const actor = { customer_id: reader.customer_id, agent_id: reader.id };
      const pageIds = (await fixtures.bus.call("chat.list", { actor, page_size: 100 })).result.map(
        (c) => c.id,
      );
      const listRpc = async () =>
        (await fixtures.bus.call("chat.list", { actor, page_size: 100 })).result.length === pageIds.length;
      const summariesRpc = async () =>
        (await fixtures.bus.call("read.summaries", { actor, chat_ids: pageIds })).summaries.length ===
        pageIds.length;
      const [listHop, summariesHop] = (await interleaved(settings.rounds, [
        () => closedLoop(1, settings.latencySeconds, listRpc),
        () => closedLoop(1, settings.latencySeconds, summariesRpc),
      ])) as [Samples, Samples];
      const p50 = (s: Samples) => `${s.summary().p50.toFixed(1)} ms`;
      const hops = `Alone, chat-manager's chat.list RPC takes p50 ${p50(listHop)} and message-manager's read.summaries RPC for the page p50 ${p50(summariesHop)} (from the bench's bus client); the rest of Talk's p50 is the gateway (HTTP, token, merge, JSON).`;
      log(`chat list: ${hops}`);
      const size = `${chatCount} chats × ${messages} messages`;
      return [
        row({
          id: "chat-list-unread",
          scenario: `Chat list with read state: GET talk_chats?page_size=100, an agent in ${size}, concurrency 1`,
          kind: "latency",
          talk: { label: "Talk", summary: ours.summary() },
          baseline: { label: "bare query (counters)", summary: base.summary() },
          note: `Half the chats: ${UNREAD} unread, ${UNREAD / MENTION_EVERY} mentions; the other half: all ${messages} unread, ${messages / MENTION_EVERY} mentions. Bare query: one SQL statement on message-manager's database answering the same fields (unread and mention counts, newest message) for the agent's 100 chats through a plain pg pool — no HTTP, no RPC, no chat-manager. Counting each chat's unread rows instead (the naive query): p50 ${naive.summary().p50.toFixed(2)} ms, p99 ${naive.summary().p99.toFixed(2)} ms. Loading the ${chatCount * messages} messages took ${Math.round(loadSeconds)} s (not measured; without the full-text index, which a chat list does not use). ${hops}`,
        }),
      ];
    } finally {
      await bare.end();
    }
  } finally {
    await db.destroy();
  }
}

/** The same answer as Talk's list, in one statement, using the counters Talk keeps. */
const BARE_LIST = `
  select c.id, c.message_count - m.read_ordinal as unread,
         (select count(*) from talk_mentions x
           where x.agent_id = m.agent_id and x.chat_id = c.id
             and x.tm_create > coalesce(r.tm_create, '-infinity')) as mentions,
         t.*
    from members m
    join chats c on c.id = m.chat_id
    left join talk_messages r on r.id = m.read_message_id
    cross join lateral (select * from talk_messages t
                         where t.chat_id = c.id and t.parent_id is null
                         order by t.tm_create desc limit 1) t
   where m.agent_id = $1
   order by c.id desc
   limit 100`;

/** What counting would cost: each chat's unread rows counted, each time. */
const NAIVE_LIST = `
  select c.id,
         (select count(*) from talk_messages u
           where u.chat_id = c.id and u.owner_id <> m.agent_id::text
             and u.tm_create > coalesce(r.tm_create, '-infinity')) as unread,
         t.*
    from members m
    join chats c on c.id = m.chat_id
    left join talk_messages r on r.id = m.read_message_id
    cross join lateral (select * from talk_messages t
                         where t.chat_id = c.id and t.parent_id is null
                         order by t.tm_create desc limit 1) t
   where m.agent_id = $1
   order by c.id desc
   limit 100`;

/**
 * `count` messages by the writer after the chat's last one (1 ms apart), every MENTION_EVERY-th
 * mentioning the reader; the chat's counter and clock moved on; the reader's mark `unread` before the end.
 */
async function loadChat(
  db: ReturnType<typeof connectDatabase>,
  chatId: string,
  writer: string,
  reader: string,
  count: number,
  unread: number,
): Promise<void> {
  await db.transaction(async (trx) => {
    await trx.raw("set local session_replication_role = replica");
    await trx.raw(
      `insert into talk_messages (id, customer_id, chat_id, owner_type, owner_id, type, text, medias,
                                  mentions, tm_create, tm_update, ordinal)
       select gen_random_uuid(), c.customer_id, c.id, 'agent', ?, 'normal',
              case when g % ${MENTION_EVERY} = 0 then '<@' || ?::text || '> look at ' || g else 'bench message ' || g end,
              '[]'::jsonb,
              case when g % ${MENTION_EVERY} = 0 then jsonb_build_array(?::text) else '[]'::jsonb end,
              c.clock + g * interval '1 millisecond', c.clock + g * interval '1 millisecond',
              c.message_count + g
         from chats c, generate_series(1, ?) g
        where c.id = ?`,
      [writer, reader, reader, count, chatId],
    );
    await trx.raw(
      `insert into talk_mentions (message_id, agent_id, chat_id, tm_create)
       select t.id, ?::uuid, t.chat_id, t.tm_create from talk_messages t
        where t.chat_id = ? and t.mentions <> '[]'::jsonb`,
      [reader, chatId],
    );
    await trx.raw(
      `update chats set message_count = message_count + ?, clock = clock + ? * interval '1 millisecond'
        where id = ?`,
      [count, count, chatId],
    );
    await trx.raw(
      `update members m set read_ordinal = t.ordinal, read_message_id = t.id, tm_read = t.tm_create
         from chats c, talk_messages t
        where c.id = ? and m.chat_id = c.id and m.agent_id = ?
          and t.chat_id = c.id and t.ordinal = c.message_count - ?`,
      [chatId, reader, unread],
    );
    await trx.raw(
      `update members m set read_ordinal = c.message_count,
              read_message_id = (select id from talk_messages t where t.chat_id = c.id and t.ordinal = c.message_count)
         from chats c where c.id = ? and m.chat_id = c.id and m.agent_id = ?`,
      [chatId, writer],
    );
  });
}
