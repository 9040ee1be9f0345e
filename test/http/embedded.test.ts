import { startEmbeddedStack, useStack } from "../support/stacks";
import { describeChatApi } from "./chat-api.suite";
import { describeCrossOrigin } from "./cross-origin.suite";
import { describeFileApi } from "./file-api.suite";
import { describeEditsPinsSearch } from "./edits-pins-search.suite";
import { describeFuzz } from "./fuzz.suite";
import { describeHostileInput } from "./hostile-input.suite";
import { describeMessageApi } from "./message-api.suite";
import { describeMetrics } from "./metrics.suite";

const stack = useStack(startEmbeddedStack, { checkErrorLogs: true });
describeChatApi("embedded", stack);
describeMessageApi("embedded", stack);
describeEditsPinsSearch("embedded", stack);
describeCrossOrigin("embedded", stack);
describeHostileInput("embedded", stack);
describeFuzz("embedded", stack);
describeMetrics("embedded", stack);
describeFileApi("embedded", stack);
