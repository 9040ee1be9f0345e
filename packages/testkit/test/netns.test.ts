/**
 * The isolated network the partition drill cuts a broker node off with: a cut node's packets are
 * dropped, not refused — a new connection gets no answer at all, an open one is neither closed nor
 * answered — both from this machine and from the other nodes; after the heal the open connection
 * carries on with what it sent during the cut. No servers: a TCP echo inside a node's namespace.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IsolatedNetwork, describeNeeding, waitFor } from "../src";
import { ManagedProcess } from "../src/process";

const PORT = 7777;
const ECHO = `require("node:net").createServer((s) => s.pipe(s)).listen(${PORT}, process.argv[1], () => console.log("listening"))`;
/** A connection attempt from inside a namespace: prints "connected", or the error's code. */
const PROBE = `const s = require("node:net").connect(${PORT}, process.argv[1]); s.setTimeout(2000, () => { console.log("no answer"); process.exit(0); }); s.on("connect", () => { console.log("connected"); process.exit(0); }); s.on("error", (e) => { console.log(e.code); process.exit(0); });`;

/** How a connection attempt from this machine ends within 2 s: connected, no answer, or an error code. */
function attempt(host: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(PORT, host);
    socket.setTimeout(2000, () => {
      socket.destroy();
      resolve("no answer");
    });
    socket.on("connect", () => {
      socket.destroy();
      resolve("connected");
    });
    socket.on("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

describeNeeding(["network-namespaces"])("an isolated network (ip netns, veth pairs, blackhole rules)", () => {
  let network: IsolatedNetwork;
  let dir: string;
  const processes: ManagedProcess[] = [];
  const inNode = (index: number, script: string, arg: string, name: string) => {
    const logFile = join(dir, `${name}.log`);
    const child = ManagedProcess.spawn(process.execPath, ["-e", script, arg], {
      env: process.env,
      cwd: dir,
      logFile,
      netns: network.namespace(index),
    });
    processes.push(child);
    return { child, output: () => readFileSync(logFile, "utf8").trim() };
  };
  /** How a connection attempt from node `from` to node `to` ends. */
  const probe = async (from: number, to: number, name: string) => {
    const run = inNode(from, PROBE, network.address(to), name);
    await run.child.exited;
    return run.output();
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "talk-netns-test-"));
    network = IsolatedNetwork.create(2);
    const echo = inNode(1, ECHO, network.address(1), "echo");
    await waitFor(() => echo.output() === "listening", { timeoutMs: 10_000 });
  });

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop("SIGKILL", 1000)));
    network?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("drops every packet from and to a cut node, closing nothing, and carries on after the heal", async () => {
    const target = network.address(1);
    expect(await attempt(target)).toBe("connected");
    expect(await probe(0, 1, "before")).toBe("connected");

    const open = net.connect(PORT, target);
    const received: string[] = [];
    let closed = false;
    open.on("data", (chunk: Buffer) => received.push(chunk.toString()));
    open.on("close", () => (closed = true));
    await new Promise((resolve) => open.once("connect", resolve));
    open.write("before ");
    await waitFor(() => received.join("") === "before ", { timeoutMs: 5000 });

    network.partition(1);
    expect(network.isPartitioned(1)).toBe(true);
    open.write("during");
    // no RST, no ICMP: the attempts time out, from this machine and from the other node alike
    expect(await attempt(target)).toBe("no answer");
    expect(await probe(0, 1, "during")).toBe("no answer");
    expect(received.join("")).toBe("before ");
    expect(closed).toBe(false);

    network.heal(1);
    await waitFor(() => received.join("") === "before during", { timeoutMs: 15_000 });
    expect(closed).toBe(false);
    expect(await attempt(target)).toBe("connected");
    expect(await probe(0, 1, "after")).toBe("connected");
    open.destroy();
  });
});
