import type { TalkClient } from "@talk/client";
import { TalkApiError } from "@talk/client";
import { useState } from "preact/hooks";
import { signIn } from "../session";

export function Login({ onSignedIn }: { onSignedIn: (client: TalkClient) => void }) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(await signIn(username.trim(), password));
    } catch (e) {
      setError(e instanceof TalkApiError ? e.message : "Talk did not answer; try again.");
      setBusy(false);
    }
  };

  return (
    <main class="login">
      <form onSubmit={submit} class="card">
        <h1>Talk</h1>
        <p class="muted">
          Sign in as an agent. The demo has alice, bob and carol (password: name-talk-demo).
        </p>
        <label>
          Username
          <input
            name="username"
            autocomplete="username"
            value={username}
            onInput={(e) => setUsername(e.currentTarget.value)}
            required
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autocomplete="current-password"
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
            required
          />
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
