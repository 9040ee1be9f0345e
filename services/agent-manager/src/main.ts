import { hostManager } from "@talk/host";
import { startAgentManager } from "./app";

hostManager("agent-manager", startAgentManager);
