/** This service as its own process: configuration, bus, database and HTTP come from @talk/host. */
import { host } from "@talk/host";
import { service } from "./app";

host(service);
