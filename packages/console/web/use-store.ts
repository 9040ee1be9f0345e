import { useEffect, useReducer } from "preact/hooks";
import type { ConsoleStore } from "./store";

/** Re-renders the component whenever the store changes. */
export function useStore(store: ConsoleStore): ConsoleStore {
  const [, changed] = useReducer((n: number) => n + 1, 0);
  useEffect(() => store.subscribe(() => changed(undefined)), [store]);
  return store;
}
