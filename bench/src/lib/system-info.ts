/** Where the figures came from: machine, versions, commit. */
import { execFileSync } from "node:child_process";
import { cpus, loadavg, totalmem, type as osType, release } from "node:os";
import * as amqp from "amqplib";
import pg from "pg";

export interface SystemInfo {
  date: string;
  commit: string;
  cpu: string;
  cpus: number;
  memoryGb: number;
  os: string;
  node: string;
  postgres: string;
  rabbitmq: string;
  erlang: string;
  loadBefore: number[];
}

function git(args: string[]): string {
  try {
    return execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "unknown";
  }
}

/** Without the servers' URLs (a run that starts none), their versions read "not started". */
export async function systemInfo(postgresUrl?: string, rabbitUrl?: string): Promise<SystemInfo> {
  let rows: { server_version: string }[] = [{ server_version: "not started" }];
  if (postgresUrl) {
    const client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    rows = (await client.query<{ server_version: string }>("show server_version")).rows;
    await client.end();
  }
  let properties: Record<string, string> = { version: "not started", platform: "not started" };
  if (rabbitUrl) {
    const connection = await amqp.connect(rabbitUrl);
    properties =
      (connection.connection as unknown as { serverProperties?: Record<string, string> }).serverProperties ??
      {};
    await connection.close();
  }
  const dirty = git(["status", "--porcelain"]) !== "" ? "+changes" : "";
  return {
    date: new Date().toISOString(),
    commit: `${git(["rev-parse", "--short", "HEAD"])}${dirty}`,
    cpu: cpus()[0]?.model ?? "unknown",
    cpus: cpus().length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    os: `${osType()} ${release()}`,
    node: process.version,
    postgres: rows[0]?.server_version ?? "unknown",
    rabbitmq: properties.version ?? "unknown",
    erlang: properties.platform ?? "unknown",
    loadBefore: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}
