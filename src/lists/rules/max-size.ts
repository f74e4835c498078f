import type { PostRule } from "./types";

/** A post above the list's size limit waits for a moderator (every member would get a copy). */
export const maxSize: PostRule = {
  name: "max-size",
  description: "the post is larger than the list's max_message_bytes",
  check({ message, list }) {
    return message.size > list.maxMessageBytes
      ? `${message.size} bytes exceeds the list's ${list.maxMessageBytes}`
      : undefined;
  },
};
