/** The console: the login page, or the signed-in agent's chats. */
import type { TalkClient } from "@talk/client";
import { useCallback, useState } from "preact/hooks";
import { Console } from "./components/console";
import { Login } from "./components/login";
import { resumeSession, signOut } from "./session";

export function App() {
  const [client, setClient] = useState<TalkClient | undefined>(resumeSession);
  const end = useCallback(() => {
    signOut();
    setClient(undefined);
  }, []);
  if (!client) return <Login onSignedIn={setClient} />;
  return <Console client={client} onSignOut={end} />;
}
