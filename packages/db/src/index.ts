export * from "./connect";
export * from "./migrate";
export * from "./outbox";
export * from "./clock";
export * from "./paginate";
export * from "./idempotency";
export * from "./statements";
export * from "./rate-buckets";
