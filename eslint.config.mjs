import tseslint from "typescript-eslint";

/**
 * The layers of a service (STYLE.md): `domain/` decides and does no I/O, `store/` keeps data, and
 * the service modules between them orchestrate. So domain never reaches a store, a database or the
 * bus, and a store never calls domain rules (it may name domain types).
 */
const DATABASES_AND_BUS = [
  "knex",
  "pg",
  "@electric-sql/*",
  "knex-pglite",
  "@talk/db",
  "@talk/bus",
  "amqplib",
];
const layerRules = [
  {
    files: ["services/*/src/domain/**/*.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/store", "**/store/**", "**/stores", "**/stores/**"],
              message: "Domain modules decide without I/O: they never import a store (pass data in instead).",
            },
            {
              group: DATABASES_AND_BUS,
              message:
                "Domain modules do no I/O: no database, knex or bus here (the service module does it).",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["services/*/src/store/**/*.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/domain", "**/domain/**"],
              allowTypeImports: true,
              message: "Stores keep data and never apply domain rules (the service module combines both).",
            },
          ],
        },
      ],
    },
  },
];

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
  ...layerRules,
);
