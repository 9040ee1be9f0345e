/**
 * TRUST_PROXY: which proxies in front of a service may say who the client is (X-Forwarded-For).
 * Trusting a header from anyone lets a client rotate its apparent address and escape per-address
 * limits, so the default trusts nobody: the client is the socket's peer. Behind one proxy (nginx in
 * compose, an Ingress controller in Kubernetes) set the number of hops, 1; or name the proxies'
 * addresses or subnets.
 */
import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";
import proxyaddr from "proxy-addr";

/** express's "trust proxy": false (nobody), a hop count, or the proxies' addresses and subnets. */
export type TrustProxy = false | number | string[];

const KEYWORDS = new Set(["loopback", "linklocal", "uniquelocal"]);

function isAddressOrSubnet(item: string): boolean {
  if (KEYWORDS.has(item)) return true;
  const [address, bits, ...rest] = item.split("/");
  if (rest.length || !isIP(address)) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (isIP(address) === 4 ? 32 : 128);
}

/** Parses TRUST_PROXY ("" or 0: nobody; 1, 2…: that many hops; or a comma list); throws naming the bad part. */
export function parseTrustProxy(text: string): TrustProxy {
  const value = text.trim();
  if (value === "" || value === "0" || value === "false") return false;
  if (/^\d+$/.test(value)) return Number(value);
  const items = value.split(",").map((item) => item.trim());
  const bad = items.find((item) => !isAddressOrSubnet(item));
  if (bad !== undefined)
    throw new Error(
      `TRUST_PROXY: "${bad}" is not a hop count, an IP address, a subnet (10.0.0.0/8) or loopback/linklocal/uniquelocal`,
    );
  return items;
}

/**
 * The client's address as the trusted proxies name it (as express's `req.ip` does), for servers
 * outside express — push's WebSocket upgrade.
 */
export function clientAddress(request: IncomingMessage, trust: TrustProxy): string {
  const trusted =
    trust === false
      ? () => false
      : typeof trust === "number"
        ? (_address: string, hop: number) => hop < trust
        : proxyaddr.compile(trust);
  return proxyaddr(request, trusted);
}
