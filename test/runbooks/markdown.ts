/** Reading Markdown pages the way the runbook tests need: headings, sections, links, code. */

/** Fenced code blocks with their info string (language), also when indented inside a list item. */
export function codeBlocks(markdown: string): { language: string; body: string }[] {
  const blocks: { language: string; body: string }[] = [];
  const fence = /^([ \t]*)(`{3,})([^\n`]*)\n([\s\S]*?)\n\1\2[ \t]*$/gm;
  for (const m of markdown.matchAll(fence)) {
    const indent = m[1];
    const body = m[4]
      .split("\n")
      .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
      .join("\n");
    blocks.push({ language: m[3].trim(), body });
  }
  return blocks;
}

/** The page with fenced code blocks and inline code removed (what is left is prose and links). */
export function withoutCode(markdown: string): string {
  return markdown.replace(/^([ \t]*)(`{3,})[^\n]*\n[\s\S]*?\n\1\2[ \t]*$/gm, "").replace(/`[^`\n]*`/g, "");
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

/** Text under a heading of any level, up to the next heading of the same or a higher level. */
export function sectionAt(markdown: string, heading: string): string | undefined {
  const lines = markdown.split("\n");
  let inFence = false;
  let start = -1;
  let level = 0;
  for (let i = 0; i < lines.length; i++) {
    if (/^\s*`{3,}/.test(lines[i])) inFence = !inFence;
    if (inFence) continue;
    const m = /^(#{1,6}) +(.+?)\s*$/.exec(lines[i]);
    if (!m) continue;
    if (start >= 0 && m[1].length <= level) return lines.slice(start, i).join("\n");
    if (start < 0 && m[2] === heading) {
      start = i + 1;
      level = m[1].length;
    }
  }
  return start >= 0 ? lines.slice(start).join("\n") : undefined;
}
