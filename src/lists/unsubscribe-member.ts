/**
 * A member's own unsubscription (RFC 8058 one-click, or the member's web page): the membership is
 * kept, disabled with reason "unsubscribed", so the owner sees who left and the bounce history
 * stays. Idempotent: an unknown or already disabled member is the same success.
 */
import { log } from "../core/log";
import { findMember, updateMember } from "../store/members";

export async function unsubscribeMember(
  db: D1Database,
  listAddress: string,
  address: string,
  unit: string,
): Promise<boolean> {
  const member = await findMember(db, listAddress, address);
  if (!member || member.status === "disabled") return false;
  await updateMember(db, listAddress, member.address, { status: "disabled", disabledReason: "unsubscribed" });
  log({ stage: "api", unit, outcome: "unsubscribed", list: listAddress, member: member.address });
  return true;
}
