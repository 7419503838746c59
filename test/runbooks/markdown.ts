/** Reading Markdown pages the way the runbook tests need: headings, sections, links, code. */

/** Fenced code blocks with their info string (language). */
export function codeBlocks(markdown: string): { language: string; body: string }[] {
  const blocks: { language: string; body: string }[] = [];
  const fence = /^(`{3,})([^\n`]*)\n([\s\S]*?)\n\1[ \t]*$/gm;
  for (const m of markdown.matchAll(fence)) blocks.push({ language: m[2].trim(), body: m[3] });
  return blocks;
}

/** The page with fenced code blocks and inline code removed (what is left is prose and links). */
export function withoutCode(markdown: string): string {
  return markdown.replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1[ \t]*$/gm, "").replace(/`[^`\n]*`/g, "");
}

/** ATX headings of a level, e.g. 2 for "## Meaning", outside code. */
export function headings(markdown: string, level: number): string[] {
  const prefix = "#".repeat(level);
  const re = new RegExp(`^${prefix} +(.+?)\\s*#*\\s*$`, "gm");
  return [...withoutCode(markdown).matchAll(re)].map((m) => m[1]);
}

/** Text of the level-2 section with this heading (up to the next level-2 heading). */
export function section(markdown: string, heading: string): string | undefined {
  const parts = markdown.split(/^## +/m);
  const part = parts.find((p) => p.split("\n", 1)[0].trim() === heading);
  return part?.slice(part.indexOf("\n") + 1);
}

/** Targets of inline links and images, and of reference definitions, outside code. */
export function linkTargets(markdown: string): string[] {
  const prose = withoutCode(markdown);
  const inline = [...prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]);
  const references = [...prose.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/gm)].map((m) => m[1]);
  return [...inline, ...references];
}

export function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("#");
}
