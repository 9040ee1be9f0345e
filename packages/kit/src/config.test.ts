import { ConfigError, loadConfig } from "./config";

const spec = {
  URL: { kind: "url", description: "a broker", protocols: ["amqp"] },
  PORT: { kind: "int", description: "a port", default: 80, min: 1, max: 65535 },
  LEVEL: { kind: "enum", description: "a level", default: "info", values: ["info", "debug"] },
} as const;

describe("configuration", () => {
  it("applies defaults and parses integers", () => {
    expect(loadConfig(spec, { URL: "amqp://localhost" })).toEqual({
      URL: "amqp://localhost",
      PORT: 80,
      LEVEL: "info",
    });
    expect(loadConfig(spec, { URL: "amqp://x", PORT: "8080" }).PORT).toBe(8080);
  });

  it("reports every missing or bad value at once, naming each", () => {
    try {
      loadConfig(spec, { PORT: "eighty", LEVEL: "loud" });
      throw new Error("expected a ConfigError");
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems;
      expect(problems).toHaveLength(3);
      expect(problems[0]).toMatch(/^URL is required/);
      expect(problems[1]).toMatch(/^PORT must be an integer/);
      expect(problems[2]).toMatch(/^LEVEL must be one of info, debug/);
    }
  });

  it("refuses a URL with the wrong scheme and hides its password", () => {
    expect(() => loadConfig(spec, { URL: "http://user:secret@host" })).toThrow(
      /URL must be a URL with scheme amqp \(got "http:\/\/user:\*\*\*@host"\)/,
    );
  });
});
