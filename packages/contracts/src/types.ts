/** TypeScript types derived from the resource schemas. */
import type { FromSchema } from "json-schema-to-ts";
import type { actor } from "./schemas/common";
import type {
  agentSchema,
  chatSchema,
  customerSchema,
  mediaSchema,
  messageSchema,
  participantSchema,
  reactionSchema,
} from "./schemas/resources";

export type Agent = FromSchema<typeof agentSchema>;
export type Customer = FromSchema<typeof customerSchema>;
export type Chat = FromSchema<typeof chatSchema>;
export type ChatType = Chat["type"];
export type Participant = FromSchema<typeof participantSchema>;
export type Media = FromSchema<typeof mediaSchema>;
export type Reaction = FromSchema<typeof reactionSchema>;
export type Message = FromSchema<typeof messageSchema>;
export type Actor = FromSchema<typeof actor>;
export interface Page<T> {
  result: T[];
  next_page_token: string;
}
