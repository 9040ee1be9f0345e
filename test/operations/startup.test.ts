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

  const EXAMPLE_SECRET = "replace-me-with-at-least-32-random-characters"; // deploy/k8s/overlays/dev
  const BROKER = "amqp://talk:s3cret-from-the-vault@127.0.0.1:1/talk";

  it.each(["api-gateway", "push", "embedded"])(
    "%s refuses the example JWT_SECRET and says how to make one",
    (service) => {
      const result = start(service, { RABBITMQ_URL: BROKER, JWT_SECRET: EXAMPLE_SECRET });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(
        "JWT_SECRET is an example value, which anyone can read: make one with `openssl rand -base64 48`",
      );
      expect(result.stderr).not.toContain(EXAMPLE_SECRET);
    },
  );

  it.each(["api-gateway", "push"])("%s refuses a short or repetitive JWT_SECRET", (service) => {
    const short = start(service, { RABBITMQ_URL: BROKER, JWT_SECRET: "0123456789abcdef" });
    expect(short.status).toBe(1);
    expect(short.stderr).toContain("JWT_SECRET must be at least 32 random characters");
    const repetitive = start(service, { RABBITMQ_URL: BROKER, JWT_SECRET: "ab".repeat(40) });
    expect(repetitive.status).toBe(1);
    expect(repetitive.stderr).toContain("JWT_SECRET is not random enough");
  });

  it.each(["agent-manager", "chat-manager", "message-manager"])(
    "%s refuses the example passwords of its broker and database URLs",
    (service) => {
      const result = start(service, {
        RABBITMQ_URL: "amqp://talk:replace-me@talk-rabbitmq.talk.svc:5672/talk",
        DATABASE_URL: "postgres://talk:replace-me@db:5432/talk",
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain("RABBITMQ_URL has an example password");
      expect(result.stderr).toContain("DATABASE_URL has an example password");
    },
  );
});
