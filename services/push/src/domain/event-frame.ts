/**
 * An event as WebSocket frames, `{"type","data","topic","seq","cursor"}`. The event (its data, the
 * large part) is serialized and encoded once; each frame is that prefix followed by the topic and
 * cursor of the connections it goes to, so fanning an event out to many connections never
 * serializes it again. Frames for the same topic and cursor are the same buffer.
 */
import type { EventEnvelope } from "@talk/contracts";

export class EventFrame {
  private readonly head: Buffer;
  private readonly seq: number;
  private readonly frames = new Map<string, Buffer>();

  constructor(event: EventEnvelope) {
    this.head = Buffer.from(
      `{"type":${JSON.stringify(event.type)},"data":${JSON.stringify(event.data)},"topic":"`,
    );
    this.seq = event.seq;
  }

  /** The frame for a topic and cursor (both plain ASCII without quotes: ids, colons, base64url). */
  bytes(topic: string, cursor: string): Buffer {
    const key = `${topic} ${cursor}`;
    let frame = this.frames.get(key);
    if (!frame) {
      // one allocation and copy per frame (a fan-out to thousands of agent topics makes thousands)
      const tail = `${topic}","seq":${this.seq},"cursor":"${cursor}"}`;
      frame = Buffer.allocUnsafe(this.head.length + tail.length);
      this.head.copy(frame, 0);
      frame.write(tail, this.head.length, "latin1");
      this.frames.set(key, frame);
    }
    return frame;
  }
}
