/** A report that cannot be had: the reason is logged, nothing is stored (never a partial report). */
export class ReportRejected extends Error {
  constructor(readonly why: string) {
    super(why);
    this.name = "ReportRejected";
  }
}
