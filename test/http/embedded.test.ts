import { startEmbeddedStack, useStack } from "../support/stacks";
import { describeChatApi } from "./chat-api.suite";
import { describeCrossOrigin } from "./cross-origin.suite";
import { describeEditsPinsSearch } from "./edits-pins-search.suite";
import { describeFuzz } from "./fuzz.suite";
import { describeHostileInput } from "./hostile-input.suite";
import { describeMessageApi } from "./message-api.suite";
import { describeMetrics } from "./metrics.suite";
import { describeReadState } from "./read-state.suite";

const stack = useStack(startEmbeddedStack, { checkErrorLogs: true });
describeChatApi("embedded", stack);
describeMessageApi("embedded", stack);
describeEditsPinsSearch("embedded", stack);
describeReadState("embedded", stack);
describeCrossOrigin("embedded", stack);
describeHostileInput("embedded", stack);
describeFuzz("embedded", stack);
describeMetrics("embedded", stack);
