/** One jest run for the whole workspace: unit tests beside the code, integration tests under test/. */
const transform = {
  "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022", parser: { syntax: "typescript" } } }],
};
const common = { testEnvironment: "node", transform, moduleFileExtensions: ["ts", "js", "json"] };
module.exports = {
  testTimeout: 120000,
  projects: [
    {
      ...common,
      displayName: "unit",
      testMatch: [
        "<rootDir>/{packages,services}/*/src/**/*.test.ts",
        "<rootDir>/packages/console/web/**/*.test.ts",
        "<rootDir>/bench/src/**/*.test.ts",
      ],
    },
    {
      ...common,
      displayName: "integration",
      testMatch: ["<rootDir>/{packages,services}/*/test/**/*.test.ts", "<rootDir>/test/**/*.test.ts"],
    },
  ],
};
