/**
 * Broker object names. With a namespace, every queue and the events exchange get it as a prefix,
 * so that several independent systems (e.g. parallel test runs) can share one broker and vhost.
 */
import { EVENTS_EXCHANGE } from "@talk/contracts";

export class Names {
  readonly exchange: string;

  constructor(private readonly namespace?: string) {
    this.exchange = this.queue(EVENTS_EXCHANGE);
  }

  queue(name: string): string {
    return this.namespace ? `${this.namespace}.${name}` : name;
  }
}
