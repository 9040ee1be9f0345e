/**
 * The two databases Talk runs on, for `describe.each`: PGlite in a temporary folder (embedded
 * mode) and, when one can be had, a PostgreSQL server (distributed mode).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { canStartPostgres, serversRequired } from "./availability";
import { missing, recordSkip } from "./requirements";
import { startPostgres } from "./postgres";

export interface TestDatabase {
  /** What `connectDatabase` takes. */
  config: { pgliteDir: string } | { url: string };
  close(): Promise<void>;
}

export type DatabaseCase = [name: "PGlite" | "PostgreSQL server", open: () => Promise<TestDatabase>];

export function eachDatabase(): DatabaseCase[] {
  const pglite: DatabaseCase = [
    "PGlite",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "talk-test-pglite-"));
      return { config: { pgliteDir: dir }, close: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  ];
  const server: DatabaseCase = [
    "PostgreSQL server",
    async () => {
      const postgres = await startPostgres();
      return { config: { url: await postgres.createDatabase() }, close: () => postgres.close() };
    },
  ];
  if (canStartPostgres() || serversRequired()) return [pglite, server];
  recordSkip(
    "the PostgreSQL server case (PGlite still runs)",
    missing(["postgres"])
      .map((m) => m.howToGet)
      .join("; "),
  );
  return [pglite];
}
