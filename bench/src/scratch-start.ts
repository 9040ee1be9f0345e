import { startDistributed } from "@talk/stack";
async function main() {
  const t0 = Date.now();
  const stack = await startDistributed({ replicas: 1, logLevel: "warn", env: { LOGIN_RATE_PER_MINUTE: "100000" } });
  console.log("started in", Date.now() - t0, "ms", stack.url, stack.processes.map((p) => p.spec.name));
  const t1 = Date.now();
  await stack.stop();
  console.log("stopped in", Date.now() - t1);
}
void main();
