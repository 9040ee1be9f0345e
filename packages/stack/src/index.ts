export * from "./distributed";
export * from "./service-process";
