/**
 * One way to install a chart: every Helm release of the program is a chart pinned in
 * components/shared/platform.ts, installed the same way (atomic unless it must not wait, the
 * same timeout, the charts' own CRDs skipped).
 */
import { charts } from "../../components/shared/platform";
import { ofType, stackRun, StackRun, STACKS } from "../harness/stack";

describe.each(STACKS)("Helm releases of the %s stack", (stack) => {
  let run: StackRun;
  beforeAll(async () => {
    run = await stackRun(stack);
  });

  it("are each a chart of the one pin list, installed the same way", () => {
    const releases = ofType(run, "kubernetes:helm.sh/v3:Release");
    expect(releases.length).toBeGreaterThanOrEqual(5);
    const pins = Object.values(charts);
    for (const r of releases) {
      const pin = pins.find((p) => p.chart === r.inputs.chart);
      expect({ chart: r.inputs.chart, pinned: pin !== undefined }).toEqual({ chart: r.inputs.chart, pinned: true });
      expect(r.inputs).toMatchObject({
        name: pin!.release,
        version: pin!.version,
        repositoryOpts: { repo: pin!.repo },
        skipCrds: true,
        timeout: 900,
      });
      // atomic (roll back a failed upgrade) unless the release must not wait for its pods.
      expect(r.inputs.atomic).toBe(!r.inputs.skipAwait);
    }
  });
});
