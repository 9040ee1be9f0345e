/** Every service validates its configuration at start and says what is missing or wrong. */
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const root = join(__dirname, "..", "..");
const start = (service: string, env: Record<string, string>) =>
  spawnSync(process.execPath, ["--import", "tsx", join("services", service, "src", "main.ts")], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", ...env },
    encoding: "utf8",
    timeout: 60_000,
  });

describe("configuration at start", () => {
  it.each(["agent-manager", "chat-manager", "message-manager"])(
    "%s names every missing variable and exits 1",
    (service) => {
      const result = start(service, { HTTP_PORT: "eighty" });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain("RABBITMQ_URL is required");
      expect(result.stderr).toContain("DATABASE_URL is required");
      expect(result.stderr).toContain('HTTP_PORT must be an integer >= 0 <= 65535 (got "eighty")');
    },
  );

  it("the gateway refuses a bad broker URL and a missing secret", () => {
    const result = start("api-gateway", { RABBITMQ_URL: "http://user:secret@host" });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("RABBITMQ_URL must be a URL with scheme amqp or amqps");
    expect(result.stderr).not.toContain("secret@");
    expect(result.stderr).toContain("JWT_SECRET is required");
  });

  it("push names its missing broker and secret and a bad limit at once", () => {
    const result = start("push", { WS_MAX_TOPICS: "0" });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("RABBITMQ_URL is required");
    expect(result.stderr).toContain("JWT_SECRET is required");
    expect(result.stderr).toContain('WS_MAX_TOPICS must be an integer >= 1 (got "0")');
  });
});
