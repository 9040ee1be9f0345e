/**
 * Where the console keeps what must survive a reload (drafts, messages waiting to be sent): the
 * browser's `localStorage`, or — where the browser refuses it (storage disabled, a sandboxed frame:
 * reading `window.localStorage` throws) — memory, so the console still works and keeps them for the
 * page's life.
 */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** A storage in memory: kept as long as the page (and in tests). */
export function memoryStorage(): KeyValueStorage {
  const items = new Map<string, string>();
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
  };
}

/** The browser's `localStorage` if it may be used, else memory. */
export function browserStorage(): KeyValueStorage {
  try {
    const storage = (globalThis as { localStorage?: KeyValueStorage }).localStorage;
    if (!storage) return memoryStorage();
    const probe = "talk.storage-probe";
    storage.setItem(probe, probe); // throws where storage is full or refused (e.g. Safari's private mode of old)
    storage.removeItem(probe);
    return storage;
  } catch {
    return memoryStorage();
  }
}
