import { hostManager } from "@talk/host";
import { startMessageManager } from "./app";

hostManager("message-manager", startMessageManager);
