/** A clear banner while Talk cannot be reached, saying that what I send waits and is not lost. */
import type { RealtimeStatus } from "@talk/client";

export function ConnectionBanner({ status, waiting }: { status: RealtimeStatus; waiting: number }) {
  if (status !== "offline" && status !== "reconnecting") return null;
  const what = status === "offline" ? "You are offline." : "Talk cannot be reached right now; reconnecting…";
  const queued =
    waiting > 0
      ? ` ${waiting} ${waiting === 1 ? "message waits" : "messages wait"} and will be sent when the connection is back.`
      : " Messages you send wait here and go out when the connection is back.";
  return (
    <div class="banner connection" role="status">
      <span>
        {what}
        {queued}
      </span>
    </div>
  );
}
