import { startDistributedStack, useStack } from "../support/stacks";
import { describeChatApi } from "./chat-api.suite";
import { describeMessageApi } from "./message-api.suite";

const stack = useStack(startDistributedStack);
describeChatApi("distributed", stack);
describeMessageApi("distributed", stack);
