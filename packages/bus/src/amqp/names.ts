/**
 * Broker object names. With a namespace, every queue and the events exchange get it as a prefix,
 * so that several independent systems (e.g. parallel test runs) can share one broker and vhost.
 */
import { EXCHANGES, type ExchangeName } from "@talk/contracts";

export class Names {
  constructor(private readonly namespace?: string) {}

  exchange(name: ExchangeName = "events"): string {
    return this.queue(EXCHANGES[name]);
  }

  get exchanges(): string[] {
    return (Object.keys(EXCHANGES) as ExchangeName[]).map((name) => this.exchange(name));
  }

  queue(name: string): string {
    return this.namespace ? `${this.namespace}.${name}` : name;
  }
}
