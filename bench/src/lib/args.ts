/** The command line of a bench tool: `--name value` options and `--flag`s. */
export const argv = process.argv.slice(2);

/** The value after `name`, or `fallback` when the option is not given. */
export function option(name: string, fallback: string): string {
  const at = argv.indexOf(name);
  return at >= 0 ? String(argv[at + 1]) : fallback;
}
