import { startEmbeddedStack, useStack } from "../support/stacks";
import { describeChatApi } from "./chat-api.suite";
import { describeCrossOrigin } from "./cross-origin.suite";
import { describeMessageApi } from "./message-api.suite";

const stack = useStack(startEmbeddedStack);
describeChatApi("embedded", stack);
describeMessageApi("embedded", stack);
describeCrossOrigin("embedded", stack);
