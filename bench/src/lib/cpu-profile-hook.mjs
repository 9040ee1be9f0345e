// Loaded with `node --import` (through NODE_OPTIONS, where --cpu-prof is not allowed). Each SIGUSR2
// toggles a CPU profile through the inspector: the first starts one, the next writes it to
// TALK_CPU_PROF_DIR/<service>-<pid>-<n>.cpuprofile (and the embedded mode's PGlite thread its own,
// pglite-thread-<pid>-<time>.cpuprofile). So a profile covers only a measured window.
import { Session } from "node:inspector";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.env.TALK_CPU_PROF_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.setSamplingInterval", { interval: 250 });
  const name = (process.argv[1] ?? "node")
    .replace(/^.*services\/([^/]+)\/.*$/, "$1")
    .replace(/[^\w.-]/g, "_");
  // threads of the process that profile themselves (the PGlite thread) listen here
  const threads = new BroadcastChannel("talk-cpu-profile");
  threads.unref();
  let running = false;
  let count = 0;
  process.on("SIGUSR2", () => {
    threads.postMessage("toggle");
    if (!running) {
      session.post("Profiler.start");
      running = true;
      return;
    }
    running = false;
    session.post("Profiler.stop", (error, result) => {
      if (error) return;
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        join(dir, `${name}-${process.pid}-${++count}.cpuprofile`),
        JSON.stringify(result.profile),
      );
    });
  });
}
