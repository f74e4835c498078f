/**
 * Commands by email to team-request@d, where the RFC 2369 List-Subscribe, List-Unsubscribe and
 * List-Help fields point: subscribe, unsubscribe, help, in the Subject or the first body line. Subscribing and unsubscribing are confirmed by replying to a token address
 * (double opt-in), so nobody can subscribe someone else: the confirmation goes to the address
 * being subscribed, and only its owner can answer it.
 */
import PostalMime from "postal-mime";
import { randomToken } from "../core/ids";
import { CONFIRM_TOKEN_BYTES, listAddresses } from "../mail/minted-address";
import type { ReceivedMessage } from "../receive";
import { type ConfirmAction, findRecentConfirmation, insertConfirmation } from "../store/confirmations";
import type { DeliveryMode } from "../store/delivery-modes";
import { findMember } from "../store/members";
import { type LoadKey, sendNotice } from "./notice";
import { parseSetMode, SET_MODE_HELP, setModeForRequester } from "./set-mode-command";
import type { List } from "./types";

export type Command = "subscribe" | "unsubscribe" | "help" | `set-${DeliveryMode}`;

/**
 * One confirmation mail per list, address and action per day: anyone can write "subscribe" with a
 * forged From, and without this the list would mail a stranger as often as the forger likes.
 */
export const CONFIRMATION_RESEND_MS = 86_400_000;

/** Confirmation tokens are valid for a week: long enough for a holiday, short enough to expire. */
export const CONFIRMATION_TTL_MS = 7 * 86_400_000;

const COMMAND_WORD = /^\s*(?:re:\s*)*(subscribe|unsubscribe|help|join|leave)\b/i;
const ALIASES: Record<string, Command> = { join: "subscribe", leave: "unsubscribe" };

function matchCommand(line: string): Command | null {
  const mode = parseSetMode(line);
  if (mode) return `set-${mode}`;
  const match = COMMAND_WORD.exec(line);
  return match ? normalise(match[1]!) : null;
}

/** The first command word in the Subject, else in the first non-blank body line. */
export async function parseCommand(message: Pick<ReceivedMessage, "subject" | "raw">): Promise<Command | null> {
  const fromSubject = matchCommand(message.subject ?? "");
  if (fromSubject) return fromSubject;
  let text = "";
  try {
    // -request mail is small; postal-mime finds the text part whatever the MIME structure.
    const parsed = await PostalMime.parse(message.raw.subarray(0, 256 * 1024));
    text = parsed.text ?? "";
  } catch {
    return null;
  }
  const first = text.split(/\r?\n/).find((line) => line.trim() !== "");
  return first ? matchCommand(first) : null;
}

function normalise(word: string): Command {
  const lower = word.toLowerCase();
  return ALIASES[lower] ?? (lower as Command);
}

export function helpText(list: List): string {
  const a = listAddresses(list);
  return [
    `${list.name} (${list.address})${list.description ? `: ${list.description}` : ""}`,
    "",
    `Send commands to ${a.request}, in the Subject or the first line:`,
    "  subscribe     join the list (you will be asked to confirm)",
    "  unsubscribe   leave the list (you will be asked to confirm)",
    "  help          this text",
    ...SET_MODE_HELP,
    "",
    `Posts go to ${a.post}. The list owners are at ${a.owner}.`,
  ].join("\n");
}

export interface CommandOutcome {
  command: Command | null;
  reason: string;
}

/** Acts on one -request message from `requester` (the From author). */
export async function handleCommand(
  env: Env,
  input: { id: string; list: List; message: ReceivedMessage; requester: string; now: number },
): Promise<CommandOutcome> {
  const { list, requester, now, id } = input;
  const command = await parseCommand(input.message);
  const reply = (subject: string, text: string, replyTo?: string) =>
    sendNotice(env, {
      list,
      notice: {
        to: requester,
        subject,
        text,
        replyTo,
        autoSubmitted: "auto-replied",
        inReplyTo: input.message.messageId,
      },
      messageLogId: id,
      key: `request-${command ?? "unknown"}`,
      now,
    });
  if (command?.startsWith("set-")) {
    const mode = command.slice(4) as DeliveryMode;
    const answer = await setModeForRequester(env.DB, { listAddress: list.address, requester, mode, now });
    await reply(answer.subject, answer.text);
    return { command, reason: answer.reason };
  }
  if (command === "subscribe" || command === "unsubscribe") {
    const member = await findMember(env.DB, list.address, requester);
    const active = member?.status === "active";
    if (command === "subscribe" && active) {
      await reply(`You are already subscribed to ${list.address}`, helpText(list));
      return { command, reason: `${requester} is already a member` };
    }
    if (command === "unsubscribe" && !member) {
      await reply(`${requester} is not subscribed to ${list.address}`, helpText(list));
      return { command, reason: `${requester} is not a member` };
    }
    if (await findRecentConfirmation(env.DB, list.address, requester, command, now - CONFIRMATION_RESEND_MS)) {
      return { command, reason: `${command} confirmation already sent to ${requester} in the last day` };
    }
    await requestConfirmation(env, {
      list,
      address: requester,
      action: command,
      messageLogId: id,
      now,
      inReplyTo: input.message.messageId,
    });
    return { command, reason: `${command} confirmation sent to ${requester}` };
  }
  await reply(
    `Help for ${list.address}`,
    `${command === "help" ? "" : "Command not understood.\n\n"}${helpText(list)}`,
  );
  return {
    command,
    reason: command === "help" ? `help sent to ${requester}` : `unknown command from ${requester}: help sent`,
  };
}

/**
 * Records a token and mails it to `address`: replying to team-confirm+<token>@d confirms
 * (handle-list-message.ts). Used by -request commands and by the API's member import.
 */
export async function requestConfirmation(
  env: Env,
  input: { list: List; address: string; action: ConfirmAction; messageLogId: string; now: number; inReplyTo?: string },
  deps: { loadKey?: LoadKey } = {},
): Promise<string> {
  const { list, address, action, now } = input;
  const token = randomToken(CONFIRM_TOKEN_BYTES);
  await insertConfirmation(env.DB, {
    token,
    listAddress: list.address,
    action,
    address,
    createdAt: now,
    expiresAt: now + CONFIRMATION_TTL_MS,
  }).run();
  const confirm = listAddresses(list).confirm(token);
  await sendNotice(
    env,
    {
      list,
      notice: {
        to: address,
        subject: `Confirm ${action} to ${list.address}`,
        text: [
          `Someone (hopefully you) asked to ${action} ${address} ${action === "subscribe" ? "to" : "from"} ${list.address}.`,
          "",
          `To confirm, reply to this message (it goes to ${confirm}).`,
          "If you did not ask for this, ignore this message: nothing will change.",
        ].join("\n"),
        replyTo: confirm,
        autoSubmitted: "auto-replied",
        inReplyTo: input.inReplyTo,
      },
      messageLogId: input.messageLogId,
      key: confirmationNoticeKey(action, address),
      now,
    },
    deps,
  );
  return token;
}

/** The notice key of a confirmation: one per action and address within a message (or an import). */
export function confirmationNoticeKey(action: ConfirmAction, address: string): string {
  return `confirm-${action}-${address.toLowerCase()}`;
}
