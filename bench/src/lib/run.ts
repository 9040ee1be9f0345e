/** Runs a bench command's main: exits 0 when it ends (1 when it answers false), 1 with the stack when it throws. */
export function runCommand(name: string, main: () => Promise<boolean | void>): void {
  main().then(
    (ok) => process.exit(ok === false ? 1 : 0),
    (error: unknown) => {
      process.stderr.write(
        `${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}
