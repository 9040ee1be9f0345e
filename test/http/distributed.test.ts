import { startDistributedStack } from "../support/stacks";
import { describeChatApi } from "./chat-api.suite";

describeChatApi("distributed", startDistributedStack);
