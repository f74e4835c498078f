/**
 * Chromium through playwright-core for the web tests: Debian's /usr/bin/chromium (installed by
 * scripts/system-deps.sh when missing), every request outside the Worker's origin recorded, every
 * dialog recorded, axe-core injected into each visited page, a screenshot of each page.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

const root = join(import.meta.dirname, "..", "..", "..");
export const CHROMIUM = "/usr/bin/chromium";
export const SCREENSHOTS = join(root, "test-results", "web");
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  execFileSync("bash", [join(root, "scripts", "system-deps.sh")], { stdio: "inherit" });
}

export async function launch(): Promise<Browser> {
  ensureChromium();
  return chromium.launch({
    executablePath: CHROMIUM,
    // playwright gives each launch a fresh temporary profile (the --user-data-dir it passes itself).
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export interface AxeFinding {
  page: string;
  id: string;
  impact: string;
  nodes: number;
}

/** What the run saw, across every context: foreign requests, dialogs, axe findings, pages shot. */
export class Observer {
  readonly foreign: string[] = [];
  readonly dialogs: string[] = [];
  readonly axe: AxeFinding[] = [];
  readonly shots: string[] = [];
  readonly axeChecked: string[] = [];

  constructor(readonly origin: string) {
    mkdirSync(SCREENSHOTS, { recursive: true });
  }

  async context(browser: Browser): Promise<BrowserContext> {
    const context = await browser.newContext();
    // Generous for a loaded 2-core machine, yet far below the flows' own budgets: every wait is on a
    // precise signal (a navigation, an element), so a wait this long means something is broken.
    context.setDefaultTimeout(60_000);
    context.on("request", (request) => {
      const url = request.url();
      if (!url.startsWith(this.origin) && !/^(data|blob|about):/.test(url)) this.foreign.push(url);
    });
    context.on("page", (page) => this.watch(page));
    return context;
  }

  watch(page: Page): void {
    page.on("dialog", async (dialog) => {
      this.dialogs.push(dialog.message());
      await dialog.dismiss();
    });
  }

  /** Screenshot and axe run of the page as it is now, under `name`. */
  async check(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
    this.shots.push(`${name}.png`);
    // Evaluated through the DevTools protocol, which the page's CSP does not govern.
    await page.evaluate(axeSource);
    const result = (await page.evaluate(async () => {
      // biome-ignore lint/suspicious/noExplicitAny: axe and document are the page's globals
      const page = globalThis as any;
      const run = await page.axe.run(page.document, { resultTypes: ["violations"] });
      return run.violations.map((v: { id: string; impact: string; nodes: unknown[] }) => ({
        id: v.id,
        impact: v.impact,
        nodes: v.nodes.length,
      }));
    })) as Omit<AxeFinding, "page">[];
    for (const finding of result) this.axe.push({ page: name, ...finding });
    this.axeChecked.push(name);
  }

  serious(): AxeFinding[] {
    return this.axe.filter((f) => f.impact === "serious" || f.impact === "critical");
  }
}
