/**
 * Where an Ingress's TLS Secret comes from: cert-manager's ingress-shim issues it
 * when the Ingress names an issuer, otherwise it is managed outside the stack
 * (configs/validate.ts rejects an Ingress with neither).
 */
import { IngressTlsConfig } from "../../configs/types";

const ISSUER_ANNOTATION = {
  ClusterIssuer: "cert-manager.io/cluster-issuer",
  Issuer: "cert-manager.io/issuer",
} as const;

/** The cert-manager annotation that makes cert-manager create and renew `tls.secretName`; none for an existing Secret. */
export function ingressTlsAnnotations(tls: IngressTlsConfig): Record<string, string> {
  return tls.issuer ? { [ISSUER_ANNOTATION[tls.issuer.kind]]: tls.issuer.name } : {};
}
