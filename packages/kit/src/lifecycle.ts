/**
 * Process lifecycle for a service's main.ts: start it, log a clear line on bad configuration,
 * and on SIGTERM/SIGINT stop it gracefully (finish in-flight work) before exiting.
 */
import { ConfigError } from "./config";
import { createLogger, type Logger } from "./logger";

export interface Running {
  stop(): Promise<void>;
}

export async function runMain(
  service: string,
  start: (logger: Logger) => Promise<Running>,
  level?: string,
): Promise<void> {
  const logger = createLogger({ service, level });
  let running: Running;
  try {
    running = await start(logger);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${service}: ${error.message}\n`);
    } else {
      logger.fatal({ err: error }, "failed to start");
    }
    process.exit(1);
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping");
    const deadline = setTimeout(() => {
      logger.error("graceful stop took too long; exiting");
      process.exit(1);
    }, 20_000);
    deadline.unref();
    running
      .stop()
      .then(() => {
        logger.info("stopped");
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, "error while stopping");
        process.exit(1);
      });
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}
