import { ConfigError, loadConfig } from "./config";
import { allowsOrigin } from "./origins";

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

describe("allowed browser origins", () => {
  const cors = { ORIGINS: { kind: "origins", description: "origins", default: "" } } as const;

  it("allows none by default", () => {
    expect(loadConfig(cors, {}).ORIGINS).toEqual([]);
  });
  it("reads a comma-separated list of origins, as a browser writes them", () => {
    expect(
      loadConfig(cors, {
        ORIGINS: "https://app.example.com, http://localhost:5173,HTTPS://Admin.Example.com:443/",
      }).ORIGINS,
    ).toEqual(["https://app.example.com", "http://localhost:5173", "https://admin.example.com"]);
  });
  it("takes * alone for any origin", () => {
    expect(loadConfig(cors, { ORIGINS: "*" }).ORIGINS).toEqual(["*"]);
  });
  it("refuses * mixed with origins", () => {
    expect(() => loadConfig(cors, { ORIGINS: "*,https://app.example.com" })).toThrow(
      /ORIGINS must be "\*" alone or a list of origins, not both/,
    );
  });
  it("refuses an entry with a path, another scheme or no scheme, naming it", () => {
    for (const bad of ["https://app.example.com/app", "ftp://files.example.com", "app.example.com"])
      expect(() => loadConfig(cors, { ORIGINS: bad })).toThrow(
        new RegExp(`ORIGINS must list origins as scheme://host\\[:port\\].*got "${bad}"`),
      );
  });
  it("lets listed origins in, and any with *", () => {
    expect(allowsOrigin(["https://app.example.com"], "https://app.example.com")).toBe(true);
    expect(allowsOrigin(["https://app.example.com"], "https://evil.example.com")).toBe(false);
    expect(allowsOrigin([], "https://app.example.com")).toBe(false);
    expect(allowsOrigin(["*"], "https://evil.example.com")).toBe(true);
  });
});
