/**
 * A private network for the nodes of a local cluster, so that one node can be cut off the way a
 * failed switch cuts it off: every node in its own network namespace, each joined by a veth pair to
 * a router namespace, which is joined to this machine by one more veth pair (this machine gets a route
 * to the nodes through it). `partition(i)` adds two policy rules in the router that blackhole every
 * packet from and to node i: nothing is closed and no ICMP is sent back (a blackhole drops silently on
 * the forwarding path), so only heartbeats and timeouts can tell — for the node's AMQP clients and
 * for the Erlang distribution between the nodes alike. `heal(i)` removes the rules; TCP connections
 * that outlived the cut carry on with their retransmissions.
 *
 * Needs root and `ip` (iproute2) with network namespaces: no iptables, no tc.
 *
 *   this machine  10.B.0.1 ──veth── 10.B.0.2  router  10.B.i.1 ──veth── 10.B.i.2  node i
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { findExecutable, onProcessExit } from "./process";

function ipCommand(): string | undefined {
  return findExecutable("ip", ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"]);
}

function run(ip: string, args: string[]): string {
  const result = spawnSync(ip, args, { encoding: "utf8" });
  if (result.error) throw result.error;
  if (result.status !== 0)
    throw new Error(`ip ${args.join(" ")} failed (${String(result.status)}): ${result.stderr.trim()}`);
  return result.stdout;
}

/** Why this machine cannot make an isolated network, or undefined when it can. */
export function isolatedNetworkUnavailable(): string | undefined {
  if (typeof process.getuid !== "function" || process.getuid() !== 0)
    return "network namespaces and blackhole rules need root";
  const ip = ipCommand();
  if (!ip) return "the ip command (iproute2) is not installed";
  const probe = `talk-probe-${randomBytes(3).toString("hex")}`;
  try {
    run(ip, ["netns", "add", probe]);
    run(ip, ["netns", "del", probe]);
    return undefined;
  } catch (err) {
    return `ip netns does not work here: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/** A 10.B.0.0/16 no address or route of this machine uses yet. */
function freeSubnet(ip: string): number {
  const used = run(ip, ["-4", "route", "show", "table", "all"]) + run(ip, ["-4", "addr"]);
  for (let attempt = 0; attempt < 50; attempt++) {
    const b = 64 + Math.floor(Math.random() * 190);
    if (!used.includes(`10.${b}.`)) return b;
  }
  throw new Error("no free 10.x.0.0/16 subnet for the isolated network");
}

export class IsolatedNetwork {
  private closed = false;
  private readonly removeOnExit: () => void;
  private readonly cut = new Set<number>();

  private constructor(
    private readonly ip: string,
    private readonly id: string,
    private readonly subnet: number,
    readonly size: number,
  ) {
    this.removeOnExit = onProcessExit(() => this.teardown());
  }

  /** Creates the router and `size` node namespaces; throws with the reason when it cannot. */
  static create(size: number): IsolatedNetwork {
    const unavailable = isolatedNetworkUnavailable();
    if (unavailable) throw new Error(`Cannot isolate the cluster's nodes: ${unavailable}`);
    const ip = ipCommand() as string;
    const network = new IsolatedNetwork(ip, randomBytes(2).toString("hex"), freeSubnet(ip), size);
    try {
      network.build();
    } catch (err) {
      network.close();
      throw err;
    }
    return network;
  }

  /** Node i's address (0-based), reachable from this machine and from the other nodes. */
  address(index: number): string {
    return `10.${this.subnet}.${index + 1}.2`;
  }

  /** The network namespace node i runs in (for `ip netns exec`). */
  namespace(index: number): string {
    return `talk-${this.id}-n${index + 1}`;
  }

  isPartitioned(index: number): boolean {
    return this.cut.has(index);
  }

  /** Blackholes every packet from and to node i (its clients' traffic and the other nodes'). */
  partition(index: number): void {
    if (this.cut.has(index)) return;
    const [from, to] = this.rules(index);
    this.router(["rule", "add", ...from, "blackhole"]);
    this.router(["rule", "add", ...to, "blackhole"]);
    this.cut.add(index);
  }

  heal(index: number): void {
    if (!this.cut.has(index)) return;
    for (const rule of this.rules(index)) this.router(["rule", "del", ...rule]);
    this.cut.delete(index);
  }

  close(): void {
    this.teardown();
    this.removeOnExit();
  }

  private get routerNamespace(): string {
    return `talk-${this.id}-r`;
  }

  private rules(index: number): [string[], string[]] {
    return [
      ["pref", String(100 + 2 * index), "iif", this.link(index, "r")],
      ["pref", String(101 + 2 * index), "to", `${this.address(index)}/32`],
    ];
  }

  /** Interface names (at most 15 characters): tk<id>h/tk<id>r to the router, tk<id>r<i>/tk<id>n<i> to node i. */
  private link(index: number | "host", side: "h" | "r" | "n"): string {
    return index === "host" ? `tk${this.id}${side}` : `tk${this.id}${side}${index + 1}`;
  }

  private router(args: string[]): void {
    run(this.ip, ["-n", this.routerNamespace, ...args]);
  }

  private build(): void {
    const { ip, subnet } = this;
    const router = this.routerNamespace;
    run(ip, ["netns", "add", router]);
    run(ip, ["-n", router, "link", "set", "lo", "up"]);
    run(ip, ["netns", "exec", router, "sysctl", "-qw", "net.ipv4.ip_forward=1"]);
    const [host, routerSide] = [this.link("host", "h"), this.link("host", "r")];
    run(ip, ["link", "add", host, "type", "veth", "peer", "name", routerSide, "netns", router]);
    run(ip, ["addr", "add", `10.${subnet}.0.1/30`, "dev", host]);
    run(ip, ["link", "set", host, "up"]);
    run(ip, ["-n", router, "addr", "add", `10.${subnet}.0.2/30`, "dev", routerSide]);
    run(ip, ["-n", router, "link", "set", routerSide, "up"]);
    // deleted with the host's end of the pair
    run(ip, ["route", "add", `10.${subnet}.0.0/16`, "via", `10.${subnet}.0.2`, "dev", host]);
    for (let i = 0; i < this.size; i++) {
      const node = this.namespace(i);
      const [r, n] = [this.link(i, "r"), this.link(i, "n")];
      run(ip, ["netns", "add", node]);
      run(ip, ["-n", node, "link", "set", "lo", "up"]);
      run(ip, ["-n", router, "link", "add", r, "type", "veth", "peer", "name", n, "netns", node]);
      run(ip, ["-n", router, "addr", "add", `10.${subnet}.${i + 1}.1/30`, "dev", r]);
      run(ip, ["-n", router, "link", "set", r, "up"]);
      run(ip, ["-n", node, "addr", "add", `${this.address(i)}/30`, "dev", n]);
      run(ip, ["-n", node, "link", "set", n, "up"]);
      run(ip, ["-n", node, "route", "add", "default", "via", `10.${subnet}.${i + 1}.1`]);
    }
  }

  /** Deleting the namespaces deletes their veth pairs, and with the host's end its route. */
  private teardown(): void {
    if (this.closed) return;
    this.closed = true;
    for (const ns of [
      ...Array.from({ length: this.size }, (_, i) => this.namespace(i)),
      this.routerNamespace,
    ])
      spawnSync(this.ip, ["netns", "del", ns]);
    spawnSync(this.ip, ["link", "del", this.link("host", "h")]);
  }
}
