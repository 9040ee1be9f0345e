/**
 * The signed-in agent of this tab: a token kept in sessionStorage, so a reload stays signed in and
 * another tab (or browser context) can be another agent. The console talks to its own origin.
 */
import { TalkClient } from "@talk/client";

const KEY = "talk.console.token";

export async function signIn(username: string, password: string): Promise<TalkClient> {
  const client = await TalkClient.login("", username, password);
  sessionStorage.setItem(KEY, client.token);
  return client;
}

/** The session of an earlier page load, while its token is good. */
export function resumeSession(): TalkClient | undefined {
  const token = sessionStorage.getItem(KEY);
  if (!token) return undefined;
  try {
    const client = new TalkClient({ baseUrl: "", token });
    const { expiresAt } = client.identity;
    if (expiresAt === undefined || expiresAt > Date.now() + 60_000) return client;
  } catch {
    // not a token this console understands: sign in again
  }
  sessionStorage.removeItem(KEY);
  return undefined;
}

export function signOut(): void {
  sessionStorage.removeItem(KEY);
}
