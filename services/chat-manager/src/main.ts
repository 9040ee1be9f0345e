import { hostManager } from "@talk/host";
import { startChatManager } from "./app";

hostManager("chat-manager", startChatManager);
