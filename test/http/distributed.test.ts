import { describeNeeding } from "@talk/testkit";
import { startDistributedStack, useStack } from "../support/stacks";
import { describeChatApi } from "./chat-api.suite";
import { describeCrossOrigin } from "./cross-origin.suite";
import { describeFileApi } from "./file-api.suite";
import { describeEditsPinsSearch } from "./edits-pins-search.suite";
import { describeFuzz } from "./fuzz.suite";
import { describeHostileInput } from "./hostile-input.suite";
import { describeMentions } from "./mentions.suite";
import { describeMessageApi } from "./message-api.suite";
import { describeMetrics } from "./metrics.suite";
import { describeReadState } from "./read-state.suite";

describeNeeding(["rabbitmq", "postgres"])("the distributed stack", () => {
  const stack = useStack(startDistributedStack, { checkErrorLogs: true });
  describeChatApi("distributed", stack);
  describeMessageApi("distributed", stack);
  describeEditsPinsSearch("distributed", stack);
  describeReadState("distributed", stack);
  describeMentions("distributed", stack);
  describeCrossOrigin("distributed", stack);
  describeHostileInput("distributed", stack);
  describeFuzz("distributed", stack);
  describeMetrics("distributed", stack);
  describeFileApi("distributed", stack);
});
