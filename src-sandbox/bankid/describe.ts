import { join } from 'node:path';
import type { BankIdSimulator } from './server';

/**
 * What a person needs to drive the BankID simulator by hand, for `npm run sandbox` and the CLI.
 * The control API sits behind the same mutual TLS as the RP API, hence the curl certificate flags.
 */
export function describeBankIdSimulator(sim: BankIdSimulator): string {
  const dir = sim.pki?.dir;
  const curl = dir
    ? `curl --cacert ${join(dir, 'bankid-ca.pem')} --cert-type P12 --cert ${join(dir, 'client.p12')}:${sim.passphrase} -H 'Content-Type: application/json'`
    : `curl --cacert <ca.pem> --cert-type P12 --cert <client.p12>:<passphrase> -H 'Content-Type: application/json'`;
  return `BankID     ${sim.url}   (RP API v6.0, mutual TLS)
  CA (trust)    ${dir ? join(dir, 'bankid-ca.pem') : '(given by caller)'}
  RP cert       ${dir ? join(dir, 'client.p12') : '(given by caller)'}   passphrase ${sim.passphrase}
  control       ${curl} ${sim.origin}/__control/state
                POST /__control/complete {"personalNumber":"198112289874","givenName":"Karin","surname":"Lind"}
                POST /__control/user-cancel {} | /expire {} | /fail {"hintCode":"certificateErr"} | /hint {"hintCode":"userSign"}
                POST /__control/scan-qr {"qrText":"bankid.…"}   POST /__control/faults {"endpoint":"auth","status":503}
                POST /__control/config {"unscannedTimeoutMs":30000}   POST /__control/reset
                (orderRef is optional: the newest pending order is meant)`;
}
