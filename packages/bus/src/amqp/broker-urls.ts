/**
 * The addresses of a RabbitMQ cluster's nodes: one URL (credentials, vhost, options) and a list of
 * `host:port` nodes, so that the password lives in one place (RABBITMQ_URL, a secret) and the node
 * list (RABBITMQ_NODES) is plain configuration.
 */

/** The URL once per node (host and port replaced), or the URL alone when no node is listed. */
export function brokerUrls(url: string, nodes: string | readonly string[] = []): string[] {
  const list = (typeof nodes === "string" ? nodes.split(",") : nodes).map((n) => n.trim()).filter(Boolean);
  if (list.length === 0) return [url];
  return list.map((node) => {
    const parsed = new URL(url);
    const { hostname, port } = new URL(`amqp://${node}`);
    if (!hostname) throw new Error(`Not a host:port broker node: ${node}`);
    parsed.hostname = hostname;
    parsed.port = port;
    return parsed.toString();
  });
}
