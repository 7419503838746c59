/** Every relative link of the runbooks, the docs and the README leads to a file that exists. */
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../../scripts/lib/mock-runtime";
import { isExternal, linkTargets } from "./markdown";

function markdownIn(dir: string): string[] {
  const abs = path.join(PROJECT_ROOT, dir);
  if (!fs.existsSync(abs)) return [];
  return fs
    .readdirSync(abs)
    .filter((f) => f.endsWith(".md"))
    .map((f) => path.join(dir, f));
}

const pages = [...markdownIn("runbooks"), ...markdownIn("docs"), "README.md"].filter((f) =>
  fs.existsSync(path.join(PROJECT_ROOT, f)),
);

describe("relative links", () => {
  it("are checked on the README and the runbooks index at least", () => {
    expect(pages).toEqual(expect.arrayContaining(["README.md", path.join("runbooks", "README.md")]));
  });

  it.each(pages)("in %s resolve to existing files", (page) => {
    const text = fs.readFileSync(path.join(PROJECT_ROOT, page), "utf8");
    const broken = linkTargets(text)
      .filter((target) => !isExternal(target))
      .map((target) => decodeURI(target.replace(/[#?].*$/, "")))
      .filter((target) => !fs.existsSync(path.resolve(PROJECT_ROOT, path.dirname(page), target)));
    expect(broken).toEqual([]);
  });
});

describe("the link reader", () => {
  it("finds inline, image and reference links but not links inside code", () => {
    const text = [
      "See [a](a.md#part) and ![b](img/b.png \"title\").",
      "`[not](inline.md)`",
      "```md",
      "[not](fenced.md)",
      "```",
      "[ref]: ref/c.md",
      "[web](https://example.com) [anchor](#here)",
    ].join("\n");
    const targets = linkTargets(text);
    expect(targets).toEqual(["a.md#part", "img/b.png", "https://example.com", "#here", "ref/c.md"]);
    expect(targets.filter((t) => !isExternal(t))).toEqual(["a.md#part", "img/b.png", "ref/c.md"]);
  });
});
