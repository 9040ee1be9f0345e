/** One line on stderr per server the tests start (the test command's promise), with its address. */
export function announced<T extends { url: string }>(what: string, from: string, server: T): T {
  const where = new URL(server.url);
  process.stderr.write(`started ${what} on ${where.hostname}:${where.port} (${from})\n`);
  return server;
}
