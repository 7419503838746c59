/** Byte sizes in the two notations the logging stack mixes: Kubernetes quantities and Logstash byte values. */

const kubernetesUnits: Record<string, number> = {
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

/** Bytes of a Kubernetes memory/storage quantity such as "512Mi", "2Gi" or "1G". */
export function kubernetesBytes(quantity: string): number {
  const m = /^(\d+(?:\.\d+)?)(k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(quantity);
  if (!m) throw new Error(`Not a byte quantity: "${quantity}"`);
  return Number(m[1]) * kubernetesUnits[m[2] ?? ""];
}

// Logstash's ByteValue units are binary: 1kb = 1024 bytes.
const logstashUnits: Record<string, number> = { b: 1, kb: 2 ** 10, mb: 2 ** 20, gb: 2 ** 30, tb: 2 ** 40 };

/** Bytes of a Logstash byte value such as "1gb" or "512mb". */
export function logstashBytes(value: string): number {
  const m = /^(\d+)(b|kb|mb|gb|tb)$/.exec(value);
  if (!m) throw new Error(`Not a Logstash byte value: "${value}"`);
  return Number(m[1]) * logstashUnits[m[2]];
}

/** Whole mebibytes, rounded down, in Logstash's notation ("921mb"). */
export function logstashMegabytes(bytes: number): string {
  return `${Math.floor(bytes / 2 ** 20)}mb`;
}
