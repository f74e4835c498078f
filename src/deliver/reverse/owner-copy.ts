/**
 * The owner's copy of a correspondent's message to an alias with reverse aliases on: the contact
 * for (alias, From author) is found or created (one UPSERT), and OWNER_COPY_PIPELINE rewrites From
 * and Reply-To to its reverse address and DKIM-signs with the alias domain's key. The caller then
 * relays it like any alias copy (trace fields, ARC seal last).
 */
import { newId } from "../../core/ids";
import { loadSigningKey } from "../../credentials/dkim-keys";
import { domainOf, lookupKey } from "../../mail/address";
import { joinMessage, splitMessage } from "../../mail/message-parts";
import { mintReverseLocal } from "../../mail/reverse-address";
import { ensureContact, reverseAddressOf } from "../../store/contacts";
import { OWNER_COPY_PIPELINE, runReversePipeline } from "../../transform/reverse/pipelines";

export interface OwnerCopyInput {
  messageLogId: string;
  raw: Uint8Array;
  /** The alias matched, as stored. */
  alias: string;
  /** The From author (routing checked there is exactly one). */
  correspondent: string;
  now: number;
}

export async function reverseOwnerCopy(
  env: Pick<Env, "DB" | "KEY_ENCRYPTION_KEY">,
  input: OwnerCopyInput,
): Promise<Uint8Array> {
  const domain = domainOf(input.alias);
  const contact = await ensureContact(
    env.DB,
    {
      id: newId(input.now),
      alias: lookupKey(input.alias),
      domain,
      address: input.correspondent,
      reverseLocal: mintReverseLocal(),
    },
    input.now,
  );
  const context = await runReversePipeline(
    OWNER_COPY_PIPELINE,
    {
      alias: input.alias,
      domain,
      correspondent: contact.address,
      reverseAddress: reverseAddressOf(contact),
      ownerMailboxes: [],
      signingKey: await loadSigningKey(env, domain),
      now: input.now,
      message: splitMessage(input.raw),
      notes: [],
    },
    input.messageLogId,
  );
  return joinMessage(context.message);
}
