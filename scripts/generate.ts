/**
 * `npm run generate`: rewrites every committed generated file (dashboards,
 * runbooks, rule files) from the definitions. The tests fail when the
 * committed files differ from what this would write.
 */
import { repoArtifacts } from "../components/artifacts";
import { PROJECT_ROOT } from "./lib/mock-runtime";
import { allStackConfigs, writeFiles } from "./lib/stack-config";

const written = writeFiles(PROJECT_ROOT, repoArtifacts(allStackConfigs()));
console.log(`Wrote ${written.length} generated files`);
