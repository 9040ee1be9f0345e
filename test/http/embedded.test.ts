import { startEmbeddedStack } from "../support/stacks";
import { describeChatApi } from "./chat-api.suite";

describeChatApi("embedded", startEmbeddedStack);
