/**
 * `TalkClient`: one agent's view of the Talk API. Log in with `TalkClient.login(baseUrl, username,
 * password)` (or wrap a token you have with `new TalkClient({ baseUrl, token })`), then use the
 * typed groups of methods and the real-time stream.
 */
import type { Agent } from "@talk/contracts";
import { routeTarget } from "@talk/contracts/routes";
import { type RealtimeOptions, RealtimeSubscription, type WebSocketConstructor } from "./realtime";
import { AgentsApi, ChannelsApi, ChatsApi, MessagesApi, ParticipantsApi } from "./resources";
import { FilesApi } from "./files";
import { type TokenIdentity, readToken } from "./token";
import { type CallOptions, HttpTransport, type TransportOptions } from "./transport";

export interface ClientOptions extends TransportOptions {
  /** The WebSocket constructor for `realtime()`: the platform's by default (in Node 20, pass `ws`, or use `@talk/client/node`). */
  WebSocket?: WebSocketConstructor;
  /** Where the WebSocket is, when not on `baseUrl` (e.g. the push replicas of a distributed stack). */
  realtimeUrl?: string | string[];
}

export interface LoginOptions extends ClientOptions {
  /** Log in again by itself when the API says the token expired (default true; keeps the password in memory). */
  renewToken?: boolean;
}

export interface Credentials {
  username: string;
  password: string;
}

export class TalkClient {
  readonly agents: AgentsApi;
  readonly chats: ChatsApi;
  readonly participants: ParticipantsApi;
  readonly channels: ChannelsApi;
  readonly messages: MessagesApi;
  /** Uploads (with progress) and downloads of files, which messages attach as `{type: "file", file_id}`. */
  readonly files: FilesApi;
  private readonly http: HttpTransport;
  private currentToken: string;
  private currentIdentity: TokenIdentity;
  private renewing?: Promise<boolean>;

  /** Logs in and returns a client acting as that agent; a wrong password is a `TalkApiError` (401). */
  static async login<C extends TalkClient>(
    this: new (options: ClientOptions & { token: string }, credentials?: Credentials) => C,
    baseUrl: string,
    username: string,
    password: string,
    options: Omit<LoginOptions, "baseUrl"> = {},
  ): Promise<C> {
    const { renewToken = true, ...clientOptions } = options;
    const token = await requestToken(new HttpTransport({ ...clientOptions, baseUrl }), {
      username,
      password,
    });
    return new this({ ...clientOptions, baseUrl, token }, renewToken ? { username, password } : undefined);
  }

  constructor(
    private readonly options: ClientOptions & { token: string },
    private readonly credentials?: Credentials,
  ) {
    this.currentToken = options.token;
    this.currentIdentity = readToken(options.token);
    this.http = new HttpTransport(options, {
      token: () => this.currentToken,
      renew: credentials ? () => this.renewToken() : undefined,
    });
    this.agents = new AgentsApi(this.http);
    this.chats = new ChatsApi(this.http);
    this.participants = new ParticipantsApi(this.http);
    this.channels = new ChannelsApi(this.http);
    this.messages = new MessagesApi(this.http);
    const platformFetch = typeof fetch === "function" ? fetch.bind(globalThis) : undefined;
    const fetchFn = options.fetch ?? platformFetch;
    if (!fetchFn) throw new Error("No fetch on this platform: pass one as the `fetch` option.");
    this.files = new FilesApi(this.http, () => this.currentToken, fetchFn);
  }

  /** The API's origin, e.g. `http://localhost:8080` (`""`: the page's own). */
  get baseUrl(): string {
    return this.http.baseUrl;
  }

  /** The access token in use (renewed after it expires, for a client made by `login`). */
  get token(): string {
    return this.currentToken;
  }

  /** Who this client acts as, from its token: `agentId`, `customerId`, `username`, `permission`. */
  get identity(): TokenIdentity {
    return this.currentIdentity;
  }

  /** My own agent record. */
  me(options?: CallOptions): Promise<Agent> {
    return this.agents.get(this.currentIdentity.agentId, options);
  }

  /**
   * Live events over the WebSocket: subscribes (to every chat I am in, by default), reconnects with
   * backoff and resumes from the last cursor, so no event is missed or repeated. Use `onEvent`, or
   * iterate the subscription with `for await`.
   */
  realtime(options: RealtimeOptions = {}): RealtimeSubscription {
    const WebSocket = options.WebSocket ?? this.options.WebSocket;
    return new RealtimeSubscription({
      baseUrl: this.http.baseUrl,
      token: () => this.currentToken,
      renewToken: this.credentials ? () => this.renewToken() : undefined,
      defaultTopics: [`agent_id:${this.currentIdentity.agentId}:chat`],
      url: this.options.realtimeUrl,
      ...options,
      ...(WebSocket ? { WebSocket } : {}),
    });
  }

  /** Logs in again with the remembered credentials (one attempt at a time). */
  private renewToken(): Promise<boolean> {
    const credentials = this.credentials;
    if (!credentials) return Promise.resolve(false);
    this.renewing ??= requestToken(this.http, credentials)
      .then((token) => {
        this.currentToken = token;
        this.currentIdentity = readToken(token);
        return true;
      })
      .catch(() => false)
      .finally(() => {
        this.renewing = undefined;
      });
    return this.renewing;
  }
}

async function requestToken(http: HttpTransport, credentials: Credentials): Promise<string> {
  const reply = await http.request<{ username: string; token: string }>({
    ...routeTarget("login"),
    body: credentials,
    auth: false,
    idempotent: false,
  });
  return reply.token;
}
