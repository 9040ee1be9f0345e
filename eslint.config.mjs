import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/node_modules/**", "**/dist/**", ".data/**", "coverage/**", "**/*.js", "**/*.mjs"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
      "no-restricted-properties": [
        "error",
        { object: "process", property: "env", message: "Read configuration through the config module." },
      ],
    },
  },
  {
    files: [
      "**/config.ts",
      "**/test/**",
      "test/**",
      "packages/testkit/**",
      "packages/stack/**",
      "deploy/**",
      "bench/**",
      "scripts/**",
    ],
    rules: { "no-restricted-properties": "off" },
  },
  {
    files: ["test/**", "**/test/**", "**/*.test.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
);
