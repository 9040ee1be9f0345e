/**
 * The frames one stream entry gives each connection, with their cursors. Shared by the live
 * fan-out and by replays, so a resumed client gets exactly what a connected one got. Each event is
 * serialized once per entry, whatever the number of connections. When an entry gives a connection
 * more than one frame, all but the last carry a cursor that also counts the frames delivered, so
 * a client cut off between them resumes without a repeat.
 */
import type { EventEnvelope } from "@talk/contracts";
import { encodeCursor, tagOf } from "../domain/cursor";
import { EventFrame } from "../domain/event-frame";
import type { Released } from "../domain/event-index";
import { type Routed, route } from "../domain/routing";
import type { Connection } from "./connection";

export class EntryFrames {
  readonly tag: string;
  private readonly full: string;
  private readonly frames = new Map<EventEnvelope, EventFrame>();

  constructor(
    readonly offset: number,
    eventId: string,
  ) {
    this.tag = tagOf(eventId);
    this.full = encodeCursor({ offset, tag: this.tag });
  }

  /** The connection's frames from what the entry released, in order. */
  route(connection: Connection, released: readonly Released[]): Routed[] {
    const routed: Routed[] = [];
    for (const { event, timeline } of released)
      routed.push(...route(connection.viewer, connection.subscriptions, timeline, event));
    return routed;
  }

  /** Sends the routed frames but the first `skip` (delivered before the client reconnected). */
  send(connection: Connection, routed: readonly Routed[], skip = 0): void {
    for (let i = skip; i < routed.length && connection.open; i++) {
      const { event, topic } = routed[i];
      let frame = this.frames.get(event);
      if (!frame) this.frames.set(event, (frame = new EventFrame(event)));
      const cursor =
        i === routed.length - 1
          ? this.full
          : encodeCursor({ offset: this.offset, tag: this.tag, frames: i + 1 });
      connection.sendEvent(frame.bytes(topic, cursor), cursor);
    }
  }
}
