export { configSpec, host } from "./host";
export { serve, type Serving } from "./serve";
export type {
  ManagerDefinition,
  ManagerDeps,
  ServiceDefinition,
  ServiceDeps,
  Started,
  WritingManagerDeps,
} from "./started";
