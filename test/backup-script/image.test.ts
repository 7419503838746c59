/**
 * The backup image, checked statically (no Docker engine here): the Dockerfile parsed into
 * stages and instructions, and the script linted with shellcheck and cross-checked with the
 * Dockerfile (every tool it needs is installed) and with its documentation.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { requireTools } from "./harness";

const IMAGE_DIR = path.resolve(__dirname, "../../components/backup/image");
const SCRIPT = path.join(IMAGE_DIR, "cryo-backup.sh");
const DOCS = path.resolve(__dirname, "../../docs/backup-script.md");

interface Instruction {
  keyword: string;
  args: string;
}

/** Stages of a Dockerfile: instructions with continuation lines joined, comments dropped. */
function parseDockerfile(text: string): { from: string; instructions: Instruction[] }[] {
  const logical = text
    .split("\n")
    .filter((line) => !/^\s*#/.test(line))
    .join("\n")
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  const stages: { from: string; instructions: Instruction[] }[] = [];
  for (const line of logical) {
    const [, keyword, args] = /^(\w+)\s+(.*)$/.exec(line)!;
    const instruction = { keyword: keyword.toUpperCase(), args };
    // Instructions before the first FROM (global ARGs) belong to no stage.
    if (instruction.keyword === "FROM") stages.push({ from: args, instructions: [] });
    else if (stages.length > 0) stages[stages.length - 1].instructions.push(instruction);
  }
  return stages;
}

const dockerfile = fs.readFileSync(path.join(IMAGE_DIR, "Dockerfile"), "utf8");
const stages = parseDockerfile(dockerfile);
const final = stages[stages.length - 1];
const argDefault = (stage: (typeof stages)[number], name: string) =>
  stage.instructions.find((i) => i.keyword === "ARG" && i.args.startsWith(`${name}=`))?.args.split("=")[1];
const runs = (stage: (typeof stages)[number]) =>
  stage.instructions
    .filter((i) => i.keyword === "RUN")
    .map((i) => i.args)
    .join("\n");

describe("components/backup/image/Dockerfile", () => {
  test("runs as a non-root numeric user with an exec-form entrypoint to the script", () => {
    const users = final.instructions.filter((i) => i.keyword === "USER").map((i) => i.args);
    expect(users).toHaveLength(1);
    const [uid, gid] = users[0].split(":").map(Number);
    expect(uid).toBe(10001);
    expect(gid).toBe(10001);
    expect(runs(final)).toMatch(/useradd --uid 10001 /);
    const entrypoint = final.instructions.find((i) => i.keyword === "ENTRYPOINT")!;
    expect(JSON.parse(entrypoint.args)).toEqual(["/usr/local/bin/cryo-backup.sh"]);
  });

  test("copies the script, executable, from the build context", () => {
    const copy = final.instructions.find((i) => i.keyword === "COPY" && i.args.includes("cryo-backup.sh"))!;
    const [, mode, from, to] = /^--chmod=(\d+)\s+(\S+)\s+(\S+)$/.exec(copy.args)!;
    expect(parseInt(mode, 8) & 0o111).toBe(0o111);
    expect(to).toBe("/usr/local/bin/cryo-backup.sh");
    expect(fs.existsSync(path.join(IMAGE_DIR, from))).toBe(true);
    expect(fs.statSync(SCRIPT).mode & 0o111).toBe(0o111);
  });

  test("pins restic 0.17 or newer, verified by sha256 for every architecture it builds", () => {
    const resticStage = stages.find((s) => / AS restic$/i.test(s.from))!;
    const version = argDefault(resticStage, "RESTIC_VERSION")!;
    const [major, minor] = version.split(".").map(Number);
    expect(major * 1000 + minor).toBeGreaterThanOrEqual(17);
    for (const arch of ["AMD64", "ARM64"])
      expect(argDefault(resticStage, `RESTIC_SHA256_${arch}`)).toMatch(/^[0-9a-f]{64}$/);
    const run = runs(resticStage);
    expect(run).toContain("releases/download/v${RESTIC_VERSION}/restic_${RESTIC_VERSION}_linux_${TARGETARCH}.bz2");
    expect(run).toMatch(/sha256sum -c -/);
    // The checksum is checked before the binary is unpacked.
    expect(run.indexOf("sha256sum -c")).toBeLessThan(run.indexOf("bunzip2 -c"));
    expect(final.instructions).toContainEqual({
      keyword: "COPY",
      args: "--from=restic /usr/local/bin/restic /usr/local/bin/restic",
    });
  });

  test("installs the PostgreSQL client of the PG_MAJOR build argument (default 15) from a verified PGDG key", () => {
    expect(argDefault(final, "PG_MAJOR")).toBe("15");
    const run = runs(final);
    expect(run).toContain('"postgresql-client-${PG_MAJOR}"');
    expect(run).toContain('pg_dump --version | grep -q " ${PG_MAJOR}\\."');
    expect(argDefault(final, "PGDG_KEY_FINGERPRINT")).toMatch(/^[0-9A-F]{40}$/);
    expect(run.indexOf("gpg --show-keys")).toBeLessThan(run.indexOf("pgdg.list"));
  });

  test("works on a read-only root file system: temporary files and restic's cache under /scratch", () => {
    const env = final.instructions
      .filter((i) => i.keyword === "ENV")
      .flatMap((i) => i.args.split(/\s+/))
      .map((pair) => pair.split("="));
    expect(Object.fromEntries(env)).toMatchObject({
      TMPDIR: "/scratch",
      HOME: "/scratch",
      RESTIC_CACHE_DIR: "/scratch/restic-cache",
    });
  });

  test("provides every tool the script checks for", () => {
    const script = fs.readFileSync(SCRIPT, "utf8");
    const tools = /for tool in ([\w ]+); do/.exec(script)![1].split(" ");
    const provided: Record<string, RegExp> = {
      restic: /COPY --from=restic \/usr\/local\/bin\/restic/,
      psql: /postgresql-client-\$\{PG_MAJOR\}/,
      pg_dump: /postgresql-client-\$\{PG_MAJOR\}/,
      jq: /install -y --no-install-recommends [^&]*\bjq\b/,
      curl: /install -y --no-install-recommends [^&]*\bcurl\b/,
      // util-linux is an essential package of every Debian image.
      setpriv: /FROM debian:/,
    };
    const text = stages
      .map((s) => [`FROM ${s.from}`, ...s.instructions.map((i) => `${i.keyword} ${i.args}`)].join("\n"))
      .join("\n");
    for (const tool of tools) {
      expect({ tool, provided: provided[tool]?.test(text) ?? false }).toEqual({ tool, provided: true });
    }
  });
});

describe("cryo-backup.sh", () => {
  test("is clean under shellcheck", () => {
    requireTools(["shellcheck"]);
    const result = spawnSync(
      "shellcheck",
      ["--severity=style", SCRIPT, path.resolve(__dirname, "../../scripts/bench-backup.sh")],
      {
        encoding: "utf8",
      },
    );
    expect(result.stdout + result.stderr).toBe("");
    expect(result.status).toBe(0);
  });

  test("documents every environment variable it reads, in its header and in docs/backup-script.md", () => {
    const script = fs.readFileSync(SCRIPT, "utf8");
    const header = script.slice(0, script.indexOf("\nset -"));
    const body = script.slice(header.length);
    // Settings are read with a default or an alternative (${NAME:-...}), or required.
    const read = new Set([
      ...[...body.matchAll(/\$\{([A-Z][A-Z0-9_]*):[-+?=]/g)].map((m) => m[1]).filter((name) => name !== "MODE"),
      ...[...body.matchAll(/^\s*require ([A-Z_ ]+)$/gm)].flatMap((m) => m[1].split(" ")),
      ...[.../for period in ([a-z0-9: ]+); do/.exec(body)![1].split(" ")].map(
        (p) => `RETENTION_${p.split(":")[0].toUpperCase()}`,
      ),
    ]);
    const docs = fs.readFileSync(DOCS, "utf8");
    const undocumented = [...read].filter((name) => !header.includes(name) || !docs.includes(name));
    expect(undocumented).toEqual([]);
    expect(read.size).toBeGreaterThan(25);
  });
});
