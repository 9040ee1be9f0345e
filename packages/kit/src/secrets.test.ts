import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, commonConfig, databaseConfig, loadConfig, tokenSecretConfig } from "./config";
import { estimatedBits, secretProblem } from "./secrets";

const problemsOf = (spec: Parameters<typeof loadConfig>[0], env: Record<string, string>) => {
  try {
    loadConfig(spec, env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
};
const good = () => randomBytes(48).toString("base64");
const BROKER = "amqp://talk:s3cret-from-the-vault@rabbitmq:5672/talk";

describe("the secret rule", () => {
  it("takes what `openssl rand` makes (-base64 48, -base64 32, -hex 32)", () => {
    for (let i = 0; i < 200; i++) {
      expect(secretProblem("JWT_SECRET", randomBytes(48).toString("base64"))).toBeUndefined();
      expect(secretProblem("JWT_SECRET", randomBytes(32).toString("base64"))).toBeUndefined();
      expect(secretProblem("JWT_SECRET", randomBytes(32).toString("hex"))).toBeUndefined();
    }
  });

  it.each([
    ["the example Secret's value", "replace-me-with-at-least-32-random-characters"],
    ["Compose's former default", "change-me-change-me-change-me-change-me"],
    ["a marked example", `EXAMPLE-${randomBytes(32).toString("hex")}`],
  ])("refuses %s as an example value, and says how to make one", (_, value) => {
    expect(secretProblem("JWT_SECRET", value)).toBe(
      "JWT_SECRET is an example value, which anyone can read: make one with `openssl rand -base64 48`",
    );
  });

  it("refuses a short secret and a repetitive one, naming the remedy", () => {
    expect(secretProblem("JWT_SECRET", randomBytes(12).toString("base64"))).toMatch(
      /^JWT_SECRET must be at least 32 random characters: make one with `openssl rand -base64 48`$/,
    );
    expect(secretProblem("JWT_SECRET", "a".repeat(64))).toMatch(
      /^JWT_SECRET is not random enough \(about 0 bits/,
    );
    expect(secretProblem("JWT_SECRET", "abc".repeat(22))).toMatch(
      /not random enough \(about 104 bits, 128 needed\)/,
    );
    expect(estimatedBits("abababab")).toBe(8);
  });

  it("never repeats the refused value", () => {
    const value = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    expect(secretProblem("JWT_SECRET", value)).not.toContain(value);
  });
});

describe("secrets in the configuration", () => {
  const spec = { ...commonConfig, ...tokenSecretConfig };

  it("refuses a placeholder JWT_SECRET at load, with every other problem", () => {
    expect(
      problemsOf(spec, { RABBITMQ_URL: BROKER, JWT_SECRET: "replace-me-with-at-least-32-random-characters" }),
    ).toEqual([
      "JWT_SECRET is an example value, which anyone can read: make one with `openssl rand -base64 48`",
    ]);
    expect(
      problemsOf(spec, { RABBITMQ_URL: BROKER, JWT_SECRET: good(), JWT_SECRET_PREVIOUS: "short" }),
    ).toEqual([
      "JWT_SECRET_PREVIOUS must be at least 32 random characters: make one with `openssl rand -base64 48`",
    ]);
  });

  it("refuses a URL whose password is the example's", () => {
    const problems = problemsOf(
      { ...commonConfig, ...databaseConfig },
      {
        RABBITMQ_URL: "amqp://talk:replace-me@talk-rabbitmq.talk.svc:5672/talk",
        DATABASE_URL: "postgres://chat_manager:replace-me@db:5432/chat_manager",
      },
    );
    expect(problems).toEqual([
      expect.stringMatching(/^RABBITMQ_URL has an example password/),
      expect.stringMatching(/^DATABASE_URL has an example password/),
    ]);
    expect(problems.join("\n")).not.toContain("replace-me");
  });

  it("reads a secret from <NAME>_FILE (a mounted secret), trimmed", () => {
    const dir = mkdtempSync(join(tmpdir(), "talk-secret-"));
    const secret = good();
    writeFileSync(join(dir, "jwt"), `${secret}\n`);
    writeFileSync(join(dir, "broker"), `${BROKER}\n`);
    const config = loadConfig(spec, {
      RABBITMQ_URL_FILE: join(dir, "broker"),
      JWT_SECRET_FILE: join(dir, "jwt"),
    });
    expect(config.JWT_SECRET).toBe(secret);
    expect(config.RABBITMQ_URL).toBe(BROKER);
  });

  it("checks a secret from a file by the same rule, and names a file it cannot read", () => {
    const dir = mkdtempSync(join(tmpdir(), "talk-secret-"));
    writeFileSync(join(dir, "jwt"), "change-me-change-me-change-me-change-me");
    expect(problemsOf(spec, { RABBITMQ_URL: BROKER, JWT_SECRET_FILE: join(dir, "jwt") })).toEqual([
      "JWT_SECRET is an example value, which anyone can read: make one with `openssl rand -base64 48`",
    ]);
    expect(problemsOf(spec, { RABBITMQ_URL: BROKER, JWT_SECRET_FILE: join(dir, "missing") })).toEqual([
      `JWT_SECRET_FILE: cannot read ${join(dir, "missing")} (ENOENT)`,
    ]);
  });

  it("refuses a secret given twice, and _FILE for a variable that is not a secret", () => {
    expect(problemsOf(spec, { RABBITMQ_URL: BROKER, JWT_SECRET: good(), JWT_SECRET_FILE: "/x" })).toEqual([
      "JWT_SECRET and JWT_SECRET_FILE are both set: keep one",
    ]);
    expect(problemsOf(spec, { RABBITMQ_URL: BROKER, JWT_SECRET: good(), LOG_LEVEL_FILE: "/x" })).toEqual([
      "LOG_LEVEL_FILE is not read: LOG_LEVEL is not a secret; set LOG_LEVEL itself",
    ]);
  });
});
